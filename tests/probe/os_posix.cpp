// SPDX-License-Identifier: BSL-1.0
// The probe's POSIX half.
#include "probe_os.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
    handles.push_back(
        {static_cast<unsigned long long>(fd), n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?"});
  }
  ::closedir(dir);
  return handles;
}

std::vector<std::string> environment() {
  std::vector<std::string> env;
  for (char** p = environ; p && *p; ++p) env.emplace_back(*p);
  return env;
}

std::vector<std::string> environment_hex(const std::string& prefix) {
  std::vector<std::string> env;
  char digits[3];
  for (char** p = environ; p && *p; ++p) {
    if (std::strncmp(*p, prefix.c_str(), prefix.size()) != 0) continue;
    std::string hex;
    for (const char* c = *p; *c; ++c) {
      std::snprintf(digits, sizeof digits, "%02X", static_cast<unsigned char>(*c));
      hex += digits;
    }
    env.push_back(std::move(hex));
  }
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

bool read_stdin_some(std::string& chunk, std::size_t max) {
  chunk.resize(max);
  while (true) {
    const ssize_t n = ::read(0, chunk.data(), max);
    if (n < 0 && errno == EINTR) continue;
    chunk.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return n > 0;
  }
}

namespace {

std::string size_line(int fd) {
  winsize w{};
  if (::ioctl(fd, TIOCGWINSZ, &w) != 0) return "size - -";
  return "size " + std::to_string(w.ws_row) + " " + std::to_string(w.ws_col);
}

}  // namespace

std::string terminal_report() {
  std::string r = "streams";
  for (int fd = 0; fd < 3; ++fd) r += ::isatty(fd) ? " y" : " n";
  // A controlling terminal of our own: /dev/tty opens, and our group is its foreground group.
  const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  const bool own = tty >= 0 && ::tcgetpgrp(tty) == ::getpgrp();
  r += own ? "\nconsole y\n" : "\nconsole n\n";
  r += (tty >= 0 ? size_line(tty) : std::string("size - -")) + "\n";
  if (tty >= 0) ::close(tty);
  return r;
}

std::string await_resize() {
  sigset_t winch;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  // Blocked before "ready" goes out, so that a resize right after it is not lost.
  ::sigprocmask(SIG_BLOCK, &winch, nullptr);
  write_stdout("ready\n");
  int sig = 0;
  while (::sigwait(&winch, &sig) != 0) {
  }
  return size_line(0);
}

std::string read_line() {
  std::string line;
  char c;
  while (::read(0, &c, 1) == 1 && c != '\n') line += c;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool leads_own_process_group() { return ::getpgid(0) == ::getpid(); }

std::string signal_state(int sig) {
  struct sigaction current {};
  ::sigaction(sig, nullptr, &current);
  std::string text = current.sa_handler == SIG_IGN ? "ignored" : current.sa_handler == SIG_DFL ? "default" : "handled";
  sigset_t mask;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  if (sigismember(&mask, sig) == 1) text += " blocked";
  return text;
}

void sleep_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

unsigned long long parent_process_id() { return static_cast<unsigned long long>(::getppid()); }

void set_binary_stdio() {}

void drop_stdio(bool close) {
  const int null = close ? -1 : ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) {
    if (null >= 0) {
      ::dup2(null, fd);
    } else {
      ::close(fd);
    }
  }
  if (null > 2) ::close(null);
}

void crash() {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  std::signal(SIGSEGV, SIG_DFL);
  std::raise(SIGSEGV);
  std::_Exit(96);  // not reached
}

void set_env(const std::string& name, const std::string& value) { ::setenv(name.c_str(), value.c_str(), 1); }

namespace {

std::string outcome(const char* route, bool wrote) { return std::string(route) + (wrote ? "\twrote" : "\trefused"); }

/// Flips the first payload byte (offset 64, after the header) through a writable shared mapping.
bool flip_through_mapping(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 64) return false;
  const auto size = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return false;
  static_cast<unsigned char*>(p)[64] ^= 0xFF;
  ::munmap(p, size);
  return true;
}

bool flip_through_write(int fd) {
  unsigned char byte = 0;
  if (::pread(fd, &byte, 1, 64) != 1) byte = 0;
  byte ^= 0xFF;
  return ::pwrite(fd, &byte, 1, 64) == 1;
}

}  // namespace

std::vector<std::string> attack_startup_handle(unsigned long long handle_value) {
  const int fd = static_cast<int>(handle_value);
  return {outcome("map-shared-write", flip_through_mapping(fd)), outcome("write", flip_through_write(fd)),
          outcome("truncate", ::ftruncate(fd, 0) == 0)};
}

std::vector<std::string> attack_startup_view(const void* data, std::size_t size) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t start = begin & ~(page - 1);
  bool wrote = false;
  if (::mprotect(reinterpret_cast<void*>(start), begin + size - start, PROT_READ | PROT_WRITE) == 0) {
    *static_cast<unsigned char*>(const_cast<void*>(data)) ^= 0xFF;
    wrote = true;
  }
  return {outcome("mprotect", wrote)};
}

std::vector<std::string> attack_startup_reopen(unsigned long long handle_value) {
  const std::string path = "/proc/self/fd/" + std::to_string(handle_value);
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return {outcome("reopen", false)};
  const bool wrote = flip_through_write(fd) || flip_through_mapping(fd);
  ::close(fd);
  return {outcome("reopen", wrote)};
}

void squat_pipe(const std::string&) { write_stdout("refused unsupported\n"); }

}  // namespace probe

int main(int argc, char** argv) { return probe::run(std::vector<std::string>(argv, argv + argc)); }
