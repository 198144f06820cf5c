// SPDX-License-Identifier: BSL-1.0
#pragma once

// Helpers the test files share. No OS calls here: those are in support/.

#include <catch2/catch.hpp>

#include <bequest/bequest.hpp>

#include "support/support.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace t {

/// Options that run the probe with `args`.
inline bequest::spawn_options probe(std::vector<std::string> args) {
  bequest::spawn_options o;
  o.program = support::probe_path();
  o.args = std::move(args);
  return o;
}

/// Runs `o` with stdout on a pipe; returns what the child printed. Checks it exited 0.
inline std::string output_of(bequest::spawn_options o) {
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  std::string text = c.out().read_all();
  const bequest::exit_status s = c.wait();
  INFO("child " << s.to_string() << ", printed: " << text);
  CHECK(s.success());
  return text;
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

inline bool mentions(const std::string& listing, const std::string& tag) { return listing.find(tag) != std::string::npos; }

/// Checks that a failed spawn left this process's handle count where it was.
struct handle_count_guard {
  std::size_t before = support::open_handle_count();
  ~handle_count_guard() { CHECK(support::open_handle_count() == before); }
};

/// Spawns, expecting failure; returns the message and code.
struct spawn_failure {
  std::error_code code;
  std::string message;
};
inline spawn_failure expect_failure(const bequest::spawn_options& o) {
  spawn_failure f;
  bequest::child c = bequest::spawn(o, f.code, f.message);
  INFO("message: " << f.message);
  CHECK(f.code);
  CHECK_FALSE(c.valid());
  return f;
}

}  // namespace t
