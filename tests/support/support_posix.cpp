// SPDX-License-Identifier: BSL-1.0
// Test support, POSIX half.
#include "support.hpp"

#include "testing_hooks.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <limits.h>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <pthread.h>
#include <random>
#include <stdexcept>
#include <thread>
#include <chrono>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

// The fds above 2 open without FD_CLOEXEC now, and what each is.
std::map<int, std::string> inheritable_fds() {
  std::map<int, std::string> out;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return out;
  const int own = ::dirfd(dir);
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    if (fd <= 2 || fd == own) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC) != 0) continue;
    char target[PATH_MAX];
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    out[fd] = n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?";
  }
  ::closedir(dir);
  return out;
}

// Taken during static initialisation, before the suite opens anything.
const std::map<int, std::string> fds_from_caller = inheritable_fds();

}  // namespace

std::map<bequest::native_handle, std::string> inherited_from_caller() { return fds_from_caller; }

std::string probe_path() { return self_dir() + "/bequest_probe"; }

std::string ansi_probe_path() { return self_dir() + "/bequest_ansi_probe"; }

std::vector<std::string> helper_handles() { return {}; }  // POSIX has no helper process

std::error_code out_of_handles_error() { return std::make_error_code(std::errc::too_many_files_open); }

std::vector<std::string> open_handles() {
  std::vector<std::string> out;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) throw std::runtime_error("opendir /proc/self/fd failed");
  const int own = ::dirfd(dir);
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9' || std::atoi(e->d_name) == own) continue;
    char target[PATH_MAX];
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    out.push_back(std::string("fd ") + e->d_name + " " +
                  (n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?"));
  }
  ::closedir(dir);
  return out;
}

std::size_t open_handle_count() { return open_handles().size(); }

std::string temp_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("bequest-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

canary::~canary() {
  handle.reset();
  if (!path.empty()) ::unlink(path.c_str());
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

bool kill_process(bequest::pid_type pid) { return pid > 0 && ::kill(pid, SIGKILL) == 0; }

bool kill_copy_of_self(bequest::pid_type pid) {
  // A pidfd pins the process: the check and the signal reach the same one.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return false;
  char self[PATH_MAX], other[PATH_MAX];
  const ssize_t a = ::readlink("/proc/self/exe", self, sizeof self);
  const ssize_t b = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), other, sizeof other);
  bool ok = a > 0 && a == b && std::memcmp(self, other, static_cast<std::size_t>(a)) == 0 && pid != ::getpid();
  if (ok) ok = ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) == 0;
  ::close(pidfd);
  return ok;
}

bequest::pid_type current_pid() { return ::getpid(); }

namespace {
// A "Vm...:  N kB" line of /proc/self/status, in bytes; 0 when there is none.
std::size_t status_field(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return static_cast<std::size_t>(std::stoull(line.substr(key.size()))) * 1024;
  }
  return 0;
}
}  // namespace

std::size_t resident_memory() { return status_field("VmRSS"); }

std::size_t peak_resident_memory() {
  if (const std::size_t hwm = status_field("VmHWM")) return hwm;
  rusage usage{};  // without /proc: the kernel's own peak, in KiB (Linux and the BSDs)
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

bool reset_peak_resident_memory() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";  // resets VmHWM to the current RSS (proc(5), Linux 4.0)
  out.flush();
  return static_cast<bool>(out);
}

std::vector<std::string> security_entries(bequest::native_handle) { return {}; }
std::string own_logon_sid() { return {}; }
std::string own_integrity_sid() { return {}; }

pipe_squatting::pipe_squatting(unsigned) { throw std::logic_error("pipe_squatting: no named pipes on POSIX"); }
pipe_squatting::~pipe_squatting() = default;
std::vector<std::string> pipe_squatting::reports() { return {}; }

bool running_under_wine() { return false; }

int wine_major_version() { return 0; }

std::optional<std::vector<std::string>> system_split_command_line(const std::string&) { return std::nullopt; }

std::string make_forwarding_script(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string target = dir + "/" + name;
  std::string quoted = "'";
  for (char c : probe_path()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  std::ofstream(target) << "#!/bin/sh\nexec " << quoted << " argv \"$@\"\n";
  ::chmod(target.c_str(), 0755);
  return target;
}

handle_exhaustion::handle_exhaustion(int spare) {
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
  for (int i = 0; i < spare && !held_.empty(); ++i) {
    ::close(held_.back());
    held_.pop_back();
  }
}

handle_exhaustion::~handle_exhaustion() {
  for (int fd : held_) ::close(fd);
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = static_cast<rlim_t>(saved_limit_);
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

namespace {
struct saved_signal_state {
  struct sigaction action;
  sigset_t mask;
};
static_assert(sizeof(saved_signal_state) <= 512, "hostile_signal_state::saved_ is too small");
}  // namespace

hostile_signal_state::hostile_signal_state() {
  auto* saved = new (saved_) saved_signal_state;
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGTERM, &ignore, &saved->action);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, &saved->mask);
}

hostile_signal_state::~hostile_signal_state() {
  auto* saved = reinterpret_cast<saved_signal_state*>(saved_);
  ::pthread_sigmask(SIG_SETMASK, &saved->mask, nullptr);
  ::sigaction(SIGTERM, &saved->action, nullptr);
}

namespace {
volatile std::sig_atomic_t own_handler_calls = 0;
extern "C" void count_own_signal(int) { own_handler_calls = own_handler_calls + 1; }
}  // namespace

namespace {
std::mutex filled_mutex;
std::unique_ptr<canary> filled_canary;
void fill_lowest_descriptor() {
  std::lock_guard<std::mutex> lock(filled_mutex);
  filled_canary = std::make_unique<canary>(make_leaky_canary("filled-stdin"));
}
}  // namespace

stdin_closed_then_filled::stdin_closed_then_filled() {
  saved_ = ::fcntl(0, F_DUPFD_CLOEXEC, 10);
  ::close(0);
  bequest::detail::testing::set_before_launch_hook(fill_lowest_descriptor);
}

stdin_closed_then_filled::~stdin_closed_then_filled() {
  bequest::detail::testing::set_before_launch_hook(nullptr);
  std::lock_guard<std::mutex> lock(filled_mutex);
  filled_canary.reset();
  if (saved_ >= 0) {
    ::dup2(static_cast<int>(saved_), 0);
    ::close(static_cast<int>(saved_));
  }
}

std::string stdin_closed_then_filled::tag() const {
  std::lock_guard<std::mutex> lock(filled_mutex);
  return filled_canary ? filled_canary->tag : std::string();
}

long long stdin_closed_then_filled::fd() const {
  std::lock_guard<std::mutex> lock(filled_mutex);
  return filled_canary ? static_cast<long long>(filled_canary->handle.get()) : -1;
}

int own_signal_number() { return SIGUSR2; }

own_signal_handler::own_signal_handler() {
  static_assert(sizeof(struct sigaction) <= sizeof saved_, "own_signal_handler::saved_ is too small");
  auto* saved = new (saved_) struct sigaction;
  struct sigaction counting {};
  counting.sa_handler = count_own_signal;
  sigemptyset(&counting.sa_mask);
  ::sigaction(SIGUSR2, &counting, saved);
}

own_signal_handler::~own_signal_handler() {
  ::sigaction(SIGUSR2, reinterpret_cast<struct sigaction*>(saved_), nullptr);
}

bool own_signal_handler::handler_runs() {
  const std::sig_atomic_t before = own_handler_calls;
  // raise() delivers to the calling thread before it returns, when the signal is not blocked.
  ::raise(SIGUSR2);
  return own_handler_calls != before;
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

bequest::unique_handle make_shared_memory(const std::string& bytes) {
  bequest::unique_handle h(::memfd_create("bequest-test-forged", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!h) throw std::runtime_error("memfd_create failed");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(h.get(), bytes.data() + done, bytes.size() - done);
    if (n <= 0) throw std::runtime_error("write to memfd failed");
    done += static_cast<std::size_t>(n);
  }
  if (::fcntl(h.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    throw std::runtime_error("sealing the memfd failed");
  }
  return h;
}

bool bypasses_file_permissions() { return ::geteuid() == 0; }

std::string make_invalid_program(const std::string& dir, const std::string& name) {
  // Executable, but neither a binary nor a script with a #! line: execve fails with ENOEXEC.
  const std::string target = make_non_executable(dir, name);
  ::chmod(target.c_str(), 0755);
  return target;
}

namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

bool write_file(const char* path, const std::string& text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string describe_wait(int rc, const siginfo_t& info) {
  if (rc != 0) return errno == ECHILD ? "not our child" : std::string("waitid failed: ") + std::strerror(errno);
  if (info.si_pid == 0) return "running";
  if (info.si_code == CLD_EXITED) return "exited " + std::to_string(info.si_status);
  return "signal " + std::to_string(info.si_status);
}

constexpr const char* end_marker = "\n#scenario-ended";

}  // namespace

namespace {

struct namespace_context {
  const std::function<std::string()>* scenario;
  int go;      ///< read end: the parent has written the id maps
  int report;  ///< write end: what the scenario returned, then end_marker
};

// Process 1 of the new namespaces.
int namespace_init(void* arg) {
  auto& ctx = *static_cast<namespace_context*>(arg);
  auto fail = [&](const char* what) {
    write_all(ctx.report, std::string("cannot set up the namespace: ") + what + ": " + std::strerror(errno));
    ::_exit(1);
  };
  char go = 0;
  if (::read(ctx.go, &go, 1) != 1) fail("wait for the id maps");
  // Only in process 1 of the new pid namespace is a new /proc that namespace's.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("make / private (mount)");
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) fail("mount /proc");
  std::string text;
  try {
    text = (*ctx.scenario)();
  } catch (const std::exception& e) {
    text += std::string("the scenario threw: ") + e.what();
  } catch (...) {
    text += "the scenario threw";
  }
  write_all(ctx.report, text + end_marker);
  ::_exit(0);  // and with process 1, everything left in the namespace ends
}

}  // namespace

std::string in_pid_namespace(const std::function<std::string()>& scenario) {
  int report[2], go[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return "pipe2 failed";
  if (::pipe2(go, O_CLOEXEC) != 0) return "pipe2 failed";
  // clone with the namespace flags rather than fork + unshare: unshare(CLONE_NEWUSER) refuses
  // a process with threads, and a sanitizer runtime may start one in a forked child. glibc's
  // clone() is what ThreadSanitizer handles like a fork.
  constexpr std::size_t stack_size = 1 << 20;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return "mmap failed";
  namespace_context ctx{&scenario, go[0], report[1]};
  const pid_t init = ::clone(namespace_init, static_cast<char*>(stack) + stack_size,
                             CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, &ctx);
  const int clone_error = errno;
  ::munmap(stack, stack_size);
  ::close(go[0]);
  ::close(report[1]);
  if (init < 0) {
    ::close(go[1]);
    ::close(report[0]);
    return std::string("clone(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) failed: ") + std::strerror(clone_error);
  }
  // Be ourselves inside it too (as `unshare -r` maps).
  const std::string proc = "/proc/" + std::to_string(init);
  const bool mapped =
      write_file((proc + "/setgroups").c_str(), "deny") &&
      write_file((proc + "/uid_map").c_str(), std::to_string(::getuid()) + " " + std::to_string(::getuid()) + " 1") &&
      write_file((proc + "/gid_map").c_str(), std::to_string(::getgid()) + " " + std::to_string(::getgid()) + " 1");
  if (mapped) (void)::write(go[1], "g", 1);
  ::close(go[1]);
  std::string text = read_fd_all(report[0]);
  ::close(report[0]);
  int status = 0;
  while (::waitpid(init, &status, 0) < 0 && errno == EINTR) {
  }
  if (!mapped) return "cannot write the namespace's id maps";
  const std::size_t end = text.rfind(end_marker);
  if (end == std::string::npos || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "the scenario did not finish (status " + std::to_string(status) + "): " + text;
  }
  return text.substr(0, end);
}

bool give_next_process_id(bequest::pid_type pid) {
  return write_file("/proc/sys/kernel/ns_last_pid", std::to_string(pid - 1));
}

bequest::pid_type start_stranger(int exit_code) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (exit_code >= 0) ::_exit(exit_code);
    while (true) ::pause();
  }
  return pid;
}

std::string peek_child(bequest::pid_type pid) {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  return describe_wait(rc, info);
}

std::string reap_child(bequest::pid_type pid) {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED);
  } while (rc != 0 && errno == EINTR);
  return describe_wait(rc, info);
}

std::string end_stranger(bequest::pid_type pid) {
  ::kill(pid, SIGVTALRM);
  const std::string how = reap_child(pid);
  return how == "signal " + std::to_string(SIGVTALRM) ? "untouched" : how;
}

bool no_children() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD;
}

sigchld_ignored::sigchld_ignored() {
  static_assert(sizeof(struct sigaction) <= sizeof saved_, "sigchld_ignored::saved_ is too small");
  auto* saved = new (saved_) struct sigaction;
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGCHLD, &ignore, saved);
}

sigchld_ignored::~sigchld_ignored() { ::sigaction(SIGCHLD, reinterpret_cast<struct sigaction*>(saved_), nullptr); }

struct foreign_reaper::state {
  std::atomic<bool> stop{false};
  std::atomic<int> reaped{0};
  std::atomic<int> handed_out{0};
  std::thread thread;
};

foreign_reaper::foreign_reaper(std::shared_mutex* spawns) : state_(std::make_unique<state>()) {
  state* s = state_.get();
  s->thread = std::thread([s, spawns] {
    std::deque<pid_t> pending;  // reaped, not yet handed out again
    while (!s->stop) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid > 0) {
        ++s->reaped;
        if (spawns) pending.push_back(pid);
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      // One id a round, and only while no spawn() is running (see the header).
      if (!pending.empty() && spawns->try_lock()) {
        if (give_next_process_id(pending.front())) ++s->handed_out;
        pending.pop_front();
        spawns->unlock();
      }
    }
  });
}

foreign_reaper::~foreign_reaper() {
  state_->stop = true;
  state_->thread.join();
}

int foreign_reaper::reaped() const { return state_->reaped; }

int foreign_reaper::handed_out() const { return state_->handed_out; }

}  // namespace support
