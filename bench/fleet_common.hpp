// SPDX-License-Identifier: BSL-1.0
#pragma once

// One run of the fleet benchmark, whatever starts the children (bench_fleet.cpp describes the
// benchmark). The implementation under test starts N fleet_child processes with stdin the read
// end of the "go" pipe and stdout the write end of the "ready" pipe, waiting for each
// asynchronously its own way, then calls spawned(); that waits until every child runs, notes
// what the parent holds, and closes the go pipe: every child sees end of file and exits at
// once. The implementation calls exited() from the completion that reports each exit.
//
// Before that, one_by_one extra children exit one at a time, each let go (one byte on the go
// pipe) once the previous exit has been delivered, with about N siblings alive: the latency of
// one exit in a big fleet, where an implementation that looks at every child on each SIGCHLD
// pays for all of them each time. So an implementation starts children() = N + one_by_one.
// report() prints one line that bench_fleet parses:
//   fleet N DELIVERY_US CPU_RUN_US CPU_DELIVERY_US FDS_PER_CHILD BYTES_PER_CHILD SPAWN_S ONE_US

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
inline std::size_t fleet_fd_need(std::size_t n) { return 2 * n + 200; }

/// The children that exit one at a time before the rest exit together.
constexpr std::size_t one_by_one = 50;

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

  /// How many children to start.
  std::size_t children() const { return n_ + one_by_one; }

  /// All n children have been started (and their waits set up): wait until each has said it
  /// runs, take stock, and let them all go.
  void spawned() {
    spawn_s_ = seconds_since(t_start_);
    // The same four pipe ends are open as at the start: the difference is the fleet's.
    const auto all = static_cast<double>(children());
    fds_per_child_ = (static_cast<double>(open_fds()) - static_cast<double>(fds0_)) / all;
    bytes_per_child_ = (static_cast<double>(resident_bytes()) - static_cast<double>(rss0_)) / all;
    ::close(go_r);
    ::close(ready_w);
    std::size_t got = 0;
    char buf[4096];
    while (got < children()) {
      const ssize_t r = ::read(ready_r_, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        die("fleet: " + std::to_string(got) + " of " + std::to_string(children()) + " children said they run");
      got += static_cast<std::size_t>(r);
    }
    ::close(ready_r_);
    t_one_ = clock_type::now();
    let_one_go();
  }

  /// An exit has been delivered.
  void exited() {
    ++exited_;
    if (exited_ < one_by_one) {
      let_one_go();
    } else if (exited_ == one_by_one) {
      one_us_ = seconds_since(t_one_) * 1e6 / static_cast<double>(one_by_one);
      cpu_go_ = cpu_us();
      t_go_ = clock_type::now();
      ::close(go_w_);
    } else if (exited_ == children()) {
      delivery_us_ = seconds_since(t_go_) * 1e6;
      cpu_end_ = cpu_us();
    }
  }

  void report() const {
    if (delivery_us_ < 0) die("fleet: the last exit was never delivered");
    std::printf("fleet %zu %.1f %.1f %.1f %.3f %.0f %.3f %.1f\n", n_, delivery_us_, cpu_end_ - cpu0_,
                cpu_end_ - cpu_go_, fds_per_child_, bytes_per_child_, spawn_s_, one_us_);
    std::fflush(stdout);
  }

 private:
  void let_one_go() {
    const char c = 'g';
    if (::write(go_w_, &c, 1) != 1) die(errno_text("write the go pipe"));
  }

  std::size_t n_;
  std::size_t exited_ = 0;
  double one_us_ = 0;
  int go_w_ = -1, ready_r_ = -1;
  std::size_t fds0_ = 0, rss0_ = 0;
  double cpu0_ = 0, cpu_go_ = 0, cpu_end_ = 0;
  double spawn_s_ = 0, delivery_us_ = -1, fds_per_child_ = 0, bytes_per_child_ = 0;
  clock_type::time_point t_start_, t_one_, t_go_;
};

}  // namespace bench::posix
