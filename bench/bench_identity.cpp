// SPDX-License-Identifier: BSL-1.0
// bench_identity (Linux): what pinning a child's identity costs per spawn, in microseconds.
// bequest opens the child's pidfd right after posix_spawn and checks it names our own,
// unreaped child (waitid(P_PIDFD, WEXITED | WNOHANG | WNOWAIT)); with glibc's pidfd_spawn
// (2.39+) the pidfd comes with the child instead. This times those two system calls alone,
// on one running child, many times over, so the figure is not lost in a spawn's noise; the
// whole spawn is what bench_spawn measures.
//
//   bench_identity [ROUNDS]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

double per_call_us(clock_type::duration d, long n) {
  return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? std::atol(argv[1]) : 200000;
  const pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    while (true) ::pause();
  }
  // pidfd_open + close: what a spawn paid before the check too.
  auto start = clock_type::now();
  for (long i = 0; i < rounds; ++i) {
    const long fd = ::syscall(SYS_pidfd_open, child, 0);
    if (fd < 0) {
      std::perror("pidfd_open");
      return 1;
    }
    ::close(static_cast<int>(fd));
  }
  const double open_us = per_call_us(clock_type::now() - start, rounds);

  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
  start = clock_type::now();
  for (long i = 0; i < rounds; ++i) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    if (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      std::perror("waitid");
      return 1;
    }
  }
  const double check_us = per_call_us(clock_type::now() - start, rounds);

  ::kill(child, SIGKILL);
  ::waitid(P_PIDFD, static_cast<id_t>(pidfd), nullptr, WEXITED);
  ::close(pidfd);
  std::printf(
      "rounds %ld\npidfd_open + close: %.3f us\nidentity check (waitid P_PIDFD WNOHANG|WNOWAIT): %.3f us\n"
      "per spawn, both: %.3f us\n",
      rounds, open_us, check_us, open_us + check_us);
  return 0;
}
