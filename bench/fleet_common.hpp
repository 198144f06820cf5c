// SPDX-License-Identifier: BSL-1.0
#pragma once

// One run of the fleet benchmark, whatever starts the children (bench_fleet.cpp describes the
// benchmark). The implementation under test starts N fleet_child processes with stdin the read
// end of the "go" pipe and stdout the write end of the "ready" pipe, waiting for each
// asynchronously its own way, then calls spawned(); that waits until every child runs, notes
// what the parent holds, and closes the go pipe: every child sees end of file and exits at
// once. The implementation calls delivered() from the completion that reports the last exit.
// report() prints one line that bench_fleet parses:
//   fleet N delivery_us CPU_RUN_US CPU_DELIVERY_US FDS_PER_CHILD BYTES_PER_CHILD SPAWN_S

#include "bench_common.hpp"
#include "posix_state.hpp"

#include <dirent.h>
#include <string>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

namespace bench::posix {

inline double cpu_us() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto us = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); };
  return us(u.ru_utime) + us(u.ru_stime);
}

inline std::size_t open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) die(errno_text("opendir /proc/self/fd"));
  std::size_t n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory's own descriptor
}

/// The descriptors a fleet of `n` may need: what the hungriest implementation holds (two a
/// child: a pidfd and the duplicate on which Asio waits), and some for the rest.
inline std::size_t fleet_fd_need(std::size_t n) { return 2 * n + 64; }

class fleet_run {
 public:
  explicit fleet_run(std::size_t n) : n_(n) {
    raise_fd_limit(fleet_fd_need(n));
    int go[2], ready[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(ready, O_CLOEXEC) != 0) die(errno_text("pipe2"));
    go_r = go[0];
    go_w_ = go[1];
    ready_r_ = ready[0];
    ready_w = ready[1];
    fds0_ = open_fds();
    rss0_ = resident_bytes();
    cpu0_ = cpu_us();
    t_start_ = clock_type::now();
  }
  fleet_run(const fleet_run&) = delete;
  fleet_run& operator=(const fleet_run&) = delete;

  int go_r = -1;     ///< every child's stdin
  int ready_w = -1;  ///< every child's stdout

  /// All n children have been started (and their waits set up): wait until each has said it
  /// runs, take stock, and let them all go.
  void spawned() {
    spawn_s_ = seconds_since(t_start_);
    // The same four pipe ends are open as at the start: the difference is the fleet's.
    fds_per_child_ = (static_cast<double>(open_fds()) - static_cast<double>(fds0_)) / static_cast<double>(n_);
    bytes_per_child_ = (static_cast<double>(resident_bytes()) - static_cast<double>(rss0_)) / static_cast<double>(n_);
    ::close(go_r);
    ::close(ready_w);
    std::size_t got = 0;
    char buf[4096];
    while (got < n_) {
      const ssize_t r = ::read(ready_r_, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) die("fleet: " + std::to_string(got) + " of " + std::to_string(n_) + " children said they run");
      got += static_cast<std::size_t>(r);
    }
    ::close(ready_r_);
    cpu_go_ = cpu_us();
    t_go_ = clock_type::now();
    ::close(go_w_);
  }

  /// The last exit has been delivered.
  void delivered() {
    delivery_us_ = seconds_since(t_go_) * 1e6;
    cpu_end_ = cpu_us();
  }

  void report() const {
    if (delivery_us_ < 0) die("fleet: the last exit was never delivered");
    std::printf("fleet %zu %.1f %.1f %.1f %.3f %.0f %.3f\n", n_, delivery_us_, cpu_end_ - cpu0_, cpu_end_ - cpu_go_,
                fds_per_child_, bytes_per_child_, spawn_s_);
    std::fflush(stdout);
  }

 private:
  std::size_t n_;
  int go_w_ = -1, ready_r_ = -1;
  std::size_t fds0_ = 0, rss0_ = 0;
  double cpu0_ = 0, cpu_go_ = 0, cpu_end_ = 0;
  double spawn_s_ = 0, delivery_us_ = -1, fds_per_child_ = 0, bytes_per_child_ = 0;
  clock_type::time_point t_start_, t_go_;
};

}  // namespace bench::posix
