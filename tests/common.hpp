// SPDX-License-Identifier: BSL-1.0
#pragma once

// Helpers the test files share. No OS calls here: those are in support/.

#include <catch2/catch.hpp>

#include <bequest/bequest.hpp>
#include <bequest/format.hpp>

#include "support/support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace t {

/// Options that run the probe with `args`.
inline bequest::spawn_options probe(std::vector<std::string> args) {
  bequest::spawn_options o;
  o.program = support::probe_path();
  o.args = std::move(args);
  return o;
}

/// What a child printed on stdout, and how it ended.
struct printed {
  std::string text;
  bequest::exit_status status = bequest::exit_status::exited(-1);
};

/// Runs `o` with stdout on a pipe and waits for it. Uses no Catch2 macro, so any thread may
/// call it: Catch2 v2's assertions and messages are for the test's own thread only.
inline printed run_printing(bequest::spawn_options o) {
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  std::string text = c.out().read_all();
  const bequest::exit_status s = c.wait();
  return {std::move(text), s};
}

/// Runs `o` with stdout on a pipe; returns what the child printed. Checks it exited 0.
inline std::string output_of(bequest::spawn_options o) {
  printed p = run_printing(std::move(o));
  INFO("child " << p.status.to_string() << ", printed: " << p.text);
  CHECK(p.status.success());
  return std::move(p.text);
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

/// Undoes the probe's escaping ("\\" and "\xHH").
inline std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline std::vector<std::string> unescaped_lines(const std::string& text) {
  std::vector<std::string> out = lines(text);
  for (auto& l : out) l = unescape(l);
  return out;
}

inline bool mentions(const std::string& listing, const std::string& tag) {
  return listing.find(tag) != std::string::npos;
}

/// Waits until no process has id `pid` any more, at most `limit`; true if it went.
inline bool gone_within(bequest::pid_type pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (support::process_alive(pid)) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// The first line a child prints on `h` (read byte by byte, so nothing after it is consumed).
inline std::string read_line(bequest::unique_handle& h) {
  std::string line;
  char c;
  while (h.read_some(&c, 1) == 1 && c != '\n') line += c;
  return line;
}

struct spawn_failure {
  std::error_code code;
  std::string message;
};
inline spawn_failure expect_failure(const bequest::spawn_options& o);

/// Checks that a failed spawn left this process's handles where they were, and names any
/// that it left open.
/// What this process keeps for its whole life is not a leak: bequest's helper (its process,
/// thread and job handles, made by the first spawn), and what the C++ runtime makes on first
/// use: mingw-w64's runtime opens two semaphores the first time the process throws an
/// exception, and keeps them; its thread library keeps one handle for each thread record it
/// ever needed at the same time, for reuse (seen under Wine with scratch programs: two
/// threads at once leave one handle more than one at a time). So a spawn, a refused spawn
/// and 16 threads at once run first, once per process; a leak on every spawn still shows.
struct handle_count_guard {
  static bool settle() {
    static const bool settled = [] {
      bequest::spawn(probe({"exit", "0"})).wait();
      auto o = probe({});
      o.program = support::missing_path();
      (void)expect_failure(o);
      constexpr int at_once = 16;  // more than any guarded test runs
      std::atomic<int> arrived{0};
      std::vector<std::thread> threads;
      for (int i = 0; i < at_once; ++i) {
        threads.emplace_back([&arrived] {
          ++arrived;
          while (arrived < at_once) std::this_thread::yield();
        });
      }
      for (auto& th : threads) th.join();
      return true;
    }();
    return settled;
  }
  bool settled = settle();
  std::vector<std::string> before = support::open_handles();
  ~handle_count_guard() {
    const std::vector<std::string> after = support::open_handles();
    std::string added, gone;
    for (const std::string& h : after) {
      if (std::find(before.begin(), before.end(), h) == before.end()) added += "\n  " + h;
    }
    for (const std::string& h : before) {
      if (std::find(after.begin(), after.end(), h) == after.end()) gone += "\n  " + h;
    }
    INFO("opened and still open:" << added << "\nclosed:" << gone);
    CHECK(after.size() == before.size());
  }
};

/// Spawns, expecting failure; returns the message and code.
inline spawn_failure expect_failure(const bequest::spawn_options& o) {
  spawn_failure f;
  bequest::child c = bequest::spawn(o, f.code, f.message);
  INFO("message: " << f.message);
  CHECK(f.code);
  CHECK_FALSE(c.valid());
  return f;
}

}  // namespace t
