// SPDX-License-Identifier: BSL-1.0
// The child of the comparison (bench/compare): one program, three modes.
//   compare_probe fds [FILE]   lists its open descriptors, one "FD TARGET" line each (TARGET as
//                              /proc/self/fd shows it: a path, "pipe:[INODE]", ...), to FILE
//                              (opened after the listing) or to stdout
//   compare_probe sleep        sleeps for a minute (to be killed)
//   compare_probe mark FILE    creates FILE: run as "compare-evil" from a current directory, it
//                              shows that a bare program name was taken from there
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "sleep") {
    ::sleep(60);
    return 0;
  }
  if (mode == "mark" && argc == 3) {
    const int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    return fd < 0 ? 1 : 0;
  }
  if (mode != "fds") return 2;
  std::string report;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return 1;
  const int own = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' || std::stoi(e->d_name) == own) continue;
    char target[PATH_MAX];
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    report += std::string(e->d_name) + " " + (n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?") + "\n";
  }
  ::closedir(d);
  int out = 1;
  if (argc == 3) out = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return 1;
  return ::write(out, report.data(), report.size()) == static_cast<ssize_t>(report.size()) ? 0 : 1;
}
