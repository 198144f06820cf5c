// SPDX-License-Identifier: BSL-1.0
// The probe's POSIX half.
#include "probe_os.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

extern char** environ;  // NOLINT

namespace probe {

std::vector<open_handle> list_handles() {
  std::vector<open_handle> handles;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) dir = ::opendir("/dev/fd");
  if (!dir) return handles;
  const int own = ::dirfd(dir);
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    if (fd == own) continue;
    char target[PATH_MAX + 1];
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, PATH_MAX);
    handles.push_back({static_cast<unsigned long long>(fd), n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?"});
  }
  ::closedir(dir);
  return handles;
}

std::vector<std::string> environment() {
  std::vector<std::string> env;
  for (char** p = environ; p && *p; ++p) env.emplace_back(*p);
  return env;
}

std::string current_directory() {
  char buffer[PATH_MAX];
  return ::getcwd(buffer, sizeof buffer) ? std::string(buffer) : std::string("?");
}

namespace {
void write_fd(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(97);
    done += static_cast<std::size_t>(n);
  }
}
}  // namespace

void write_stdout(const std::string& data) { write_fd(1, data); }
void write_stderr(const std::string& data) { write_fd(2, data); }

std::string read_stdin() {
  std::string data;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(0, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

void sleep_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

void set_binary_stdio() {}

}  // namespace probe

int main(int argc, char** argv) { return probe::run(std::vector<std::string>(argv, argv + argc)); }
