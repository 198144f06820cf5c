// SPDX-License-Identifier: BSL-1.0
// Test support, POSIX half.
#include "support.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <limits.h>
#include <random>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>

namespace support {
namespace {

std::string unique_tag(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(salt % 100000) + "-" +
         std::to_string(counter++);
}

std::string self_dir() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) throw std::runtime_error("readlink /proc/self/exe failed");
  return std::filesystem::path(std::string(buffer, static_cast<std::size_t>(n))).parent_path().string();
}

std::string read_fd_all(int fd) {
  std::string out;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

std::string probe_path() { return self_dir() + "/bequest_probe"; }

std::size_t open_handle_count() {
  std::size_t n = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) throw std::runtime_error("opendir /proc/self/fd failed");
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the directory's own fd
}

std::string temp_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("bequest-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

canary make_canary(std::string_view prefix) {
  canary c;
  c.tag = unique_tag(prefix);
  c.path = temp_dir() + "/" + c.tag;
  c.handle = bequest::open_file(c.path, bequest::file_mode::truncate);
  return c;
}

canary make_leaky_canary(std::string_view prefix) {
  canary c;
  c.tag = unique_tag(prefix);
  c.path = temp_dir() + "/" + c.tag;
  const int fd = ::open(c.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);  // no O_CLOEXEC: on purpose
  if (fd < 0) throw std::runtime_error("open leaky canary failed");
  c.handle.reset(fd);
  return c;
}

void make_inheritable(bequest::native_handle h) {
  const int flags = ::fcntl(h, F_GETFD);
  ::fcntl(h, F_SETFD, flags & ~FD_CLOEXEC);
}

std::string rogue_spawn(const std::vector<std::string>& args) {
  const std::string probe = probe_path();
  std::vector<std::string> argv_strings{probe};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int p[2];
  if (::pipe(p) != 0) throw std::runtime_error("pipe failed");  // no O_CLOEXEC: careless on purpose
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::execv(argv[0], argv.data());  // closes nothing: every non-CLOEXEC fd goes along
    ::_exit(127);
  }
  ::close(p[1]);
  std::string out = read_fd_all(p[0]);
  ::close(p[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return out;
}

std::string foreign_library_spawn(const std::vector<std::string>& args) {
  namespace bp = boost::process;
  bp::ipstream out;
  bp::child c(probe_path(), bp::args(args), bp::std_out > out);
  std::string text, line;
  while (std::getline(out, line)) text += line + "\n";
  c.wait();
  return text;
}

bool process_alive(bequest::pid_type pid) {
  // A zombie still answers kill(pid, 0); look at its state instead.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z' && line[close + 2] != 'X';
}

handle_exhaustion::handle_exhaustion() {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  saved_limit_ = lim.rlim_cur;
  lim.rlim_cur = static_cast<rlim_t>(open_handle_count() + 16);
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) throw std::runtime_error("setrlimit failed");
  while (true) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    held_.push_back(fd);
  }
}

handle_exhaustion::~handle_exhaustion() {
  for (int fd : held_) ::close(fd);
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = static_cast<rlim_t>(saved_limit_);
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

std::string missing_path() { return temp_dir() + "/" + unique_tag("missing") + "/nothing-here"; }

std::string exe_suffix() { return ""; }

std::string copy_probe(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string target = dir + "/" + name;
  std::filesystem::copy_file(probe_path(), target, std::filesystem::copy_options::overwrite_existing);
  ::chmod(target.c_str(), 0755);
  return target;
}

std::string make_non_executable(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string target = dir + "/" + name;
  std::ofstream(target) << "not a program\n";
  ::chmod(target.c_str(), 0644);
  return target;
}

}  // namespace support
