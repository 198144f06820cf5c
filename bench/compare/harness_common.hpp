// SPDX-License-Identifier: BSL-1.0
#pragma once

// What the comparison's scenarios share on both systems (harness.hpp, harness_win32.hpp): the
// counts, the scratch setup, the rogue threads' bookkeeping, how a cell is printed.

#include <atomic>
#include <cctype>
#include <initializer_list>
#include <utility>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace comparison {

constexpr int spawns_per_scenario = 30;  ///< the peer's children in each concurrent scenario
constexpr int rogue_threads = 2;

/// The scenarios' surroundings: the probe, a scratch directory (the system's own paths).
struct setup {
  std::string probe;
  std::string dir;  // empty scratch directory, created by make_setup
};

/// `rogue_threads` threads that each run spawn(thread, round) until stop(), collecting the
/// report files of the children they started (report()).
class spawner_threads {
 public:
  template <class Spawn>
  void start(Spawn spawn) {
    for (int t = 0; t < rogue_threads; ++t) {
      threads_.emplace_back([this, spawn, t] {
        for (int k = 0; !stop_; ++k) spawn(t, k);
      });
    }
  }
  void report(std::string path) {
    std::lock_guard<std::mutex> lock(m_);
    reports_.push_back(std::move(path));
  }
  /// Stops the threads; the reports of every child they started.
  std::vector<std::string> stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
    return reports_;
  }
  ~spawner_threads() {
    if (!threads_.empty()) stop();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex m_;
  std::vector<std::string> reports_;
};

/// Prints one cell: PEER<TAB>SCENARIO<TAB>CELL.
inline void emit(const std::string& peer, const char* scenario, const std::string& cell) {
  std::printf("%s\t%s\t%s\n", peer.c_str(), scenario, cell.c_str());
  std::fflush(stdout);
}

/// Runs `f`, turning an exception into the cell's text.
template <class F>
std::string guarded(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

/// What stdio_to_foreign compares: the pipes of the peer's `spawns_per_scenario` piped children,
/// started while `Rogues` spawn, and all that the rogues' children reported.
struct piped_run {
  std::vector<std::vector<std::string>> pipes;
  std::string rogue_reports;
  std::size_t rogue_children = 0;
};

template <class Rogues, class Peer, class Read>
piped_run piped_beside_rogues(const Peer& p, const setup& s, Read read_file) {
  piped_run run;
  std::vector<std::string> reports;
  {
    Rogues r(s);
    for (int i = 0; i < spawns_per_scenario; ++i) run.pipes.push_back(p.piped(s.probe, {"fds"}));
    reports = r.stop();
  }
  for (const auto& report : reports) run.rogue_reports += read_file(report);
  run.rogue_children = reports.size();
  return run;
}

template <class Peer>
using scenario = std::string (*)(const Peer&, const setup&);

/// Runs each of `scenarios` named `only` (or all, when empty), printing a cell each.
template <class Peer>
void run_scenarios(const Peer& p, const setup& s, const std::string& only,
                   std::initializer_list<std::pair<const char*, scenario<Peer>>> scenarios) {
  for (const auto& [name, run] : scenarios) {
    if (only.empty() || only == name) emit(p.name, name, guarded([&, run = run] { return run(p, s); }));
  }
}

/// BASE, the separator, then NAME with everything but ASCII letters and digits made '_'.
inline std::string scratch_dir(const std::string& base, char separator, const std::string& name) {
  std::string dir = base + separator;
  for (char c : name) dir += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return dir;
}

}  // namespace comparison
