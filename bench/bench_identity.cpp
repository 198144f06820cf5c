// SPDX-License-Identifier: BSL-1.0
// bench_identity (Linux): what pinning a child's identity costs per spawn, in microseconds.
// bequest opens the child's pidfd right after posix_spawn and checks it names our own,
// unreaped child (waitid(P_PIDFD, WEXITED | WNOHANG | WNOWAIT)); with glibc's pidfd_spawn
// (2.39+) the pidfd comes with the child instead. This times those two system calls alone,
// on one running child, many times over, so the figure is not lost in a spawn's noise; the
// whole spawn is what bench_spawn measures.
//
//   bench_identity [--rounds N] [--scale F] [--csv FILE]
//
// N rounds of each call (100,000 by default; --scale F multiplies them, as ./dev.sh bench's
// BEQUEST_BENCH_ARGS may). --csv writes the per-call means as rows of the benchmarks' CSV,
// in microseconds (the median_us column; these are means over N calls, and p90 is empty).

#include "bench_common.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using bench::clock_type;  // the benchmarks' one clock (bench_common.hpp)

double per_call_us(clock_type::duration d, long n) {
  return std::chrono::duration<double, std::micro>(d).count() / static_cast<double>(n);
}

int usage(const char* what) {
  std::fprintf(stderr, "bench_identity: %s\nusage: bench_identity [--rounds N] [--scale F] [--csv FILE]\n", what);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long rounds = 100000;
  double scale = 1.0;
  std::string csv;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      char* end = nullptr;
      rounds = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || rounds < 1 || rounds > 100000000) return usage("--rounds wants a count from 1 to 100000000");
    } else if (a == "--scale" && i + 1 < argc) {
      char* end = nullptr;
      scale = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(scale > 0) || scale > 1000) return usage("--scale wants a factor above 0, at most 1000");
    } else if (a == "--csv" && i + 1 < argc) {
      csv = argv[++i];
    } else {
      return usage(("unknown or incomplete argument " + a).c_str());
    }
  }
  rounds = std::max(1L, static_cast<long>(static_cast<double>(rounds) * scale));
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
  if (!csv.empty()) {
    std::FILE* f = bench::open_csv(csv);
    if (!f) {
      std::perror(csv.c_str());
      return 1;
    }
    std::fprintf(f, "identity (a call; mean),pidfd_open + close,%.3f,,,\n", open_us);
    std::fprintf(f, "identity (a call; mean),waitid P_PIDFD check,%.3f,,,\n", check_us);
    std::fprintf(f, "identity (a call; mean),both,%.3f,,,\n", open_us + check_us);
    if (std::fclose(f) != 0) {
      std::perror(csv.c_str());
      return 1;
    }
  }
  return 0;
}
