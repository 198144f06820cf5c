// SPDX-License-Identifier: BSL-1.0
#pragma once

// What the POSIX benchmarks and their C++ workers share: failing loudly, and the parent
// states they measure in (resident memory, extra descriptors without O_CLOEXEC).

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <limits.h>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace bench::posix {

/// The program's name in its messages; each main sets it first.
inline const char* g_program = "bench";

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", g_program, what.c_str());
  std::exit(1);
}

inline std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

inline std::string exe_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) die(errno_text("readlink /proc/self/exe"));
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

inline std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) die(errno_text("open /proc/self/statm"));
  unsigned long size = 0, resident = 0;
  if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) die("read /proc/self/statm");
  std::fclose(f);
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

inline std::size_t available_bytes() {
  std::FILE* f = std::fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[256];
  std::size_t kib = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "MemAvailable: %zu kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib * 1024;
}

inline std::vector<std::pair<void*, std::size_t>> g_blocks;
inline std::vector<int> g_extra_fds;

#ifndef MADV_POPULATE_WRITE
#  define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

/// Grows this process to `target` bytes resident with anonymous private memory, every page
/// written (so it is mapped, and fork has page tables to copy), in 4 KiB pages as a heap
/// usually is (no transparent huge pages, which would hide most of fork's cost).
inline void grow_resident(std::size_t target) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t have = resident_bytes();
  if (have >= target) return;
  const std::size_t n = (target - have + page - 1) / page * page;
  void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die(errno_text("mmap"));
  ::madvise(p, n, MADV_NOHUGEPAGE);
  // Populating in the kernel is several times faster than a page fault per page; the loop
  // then writes every page all the same (and does the whole work on an older kernel).
  ::madvise(p, n, MADV_POPULATE_WRITE);
  auto* bytes = static_cast<volatile unsigned char*>(p);
  for (std::size_t i = 0; i < n; i += page) bytes[i] = 1;
  g_blocks.emplace_back(p, n);
}

inline void release_resident() {
  for (auto& [p, n] : g_blocks) ::munmap(p, n);
  g_blocks.clear();
}

inline void raise_fd_limit(std::size_t needed) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) die(errno_text("getrlimit"));
  if (r.rlim_cur >= needed) return;
  r.rlim_cur = std::min<rlim_t>(r.rlim_max, std::max<rlim_t>(needed, r.rlim_cur));
  if (::setrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur < needed) {
    die("cannot raise the open-file limit to " + std::to_string(needed) + " (ulimit -Hn)");
  }
}

/// Holds `n` extra descriptors, opened without O_CLOEXEC: what a careless library leaves.
inline void set_extra_fds(std::size_t n) {
  raise_fd_limit(n + 256);
  while (g_extra_fds.size() < n) {
    const int fd = ::open("/dev/null", O_RDONLY);  // NOLINT: no O_CLOEXEC on purpose
    if (fd < 0) die(errno_text("open /dev/null"));
    g_extra_fds.push_back(fd);
  }
  while (g_extra_fds.size() > n) {
    ::close(g_extra_fds.back());
    g_extra_fds.pop_back();
  }
}

}  // namespace bench::posix
