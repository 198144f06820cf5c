// SPDX-License-Identifier: BSL-1.0
// POSIX: waiting for, signalling and releasing a child.
#include "../platform.hpp"
#include "posix.hpp"

#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#if defined(__linux__) && !defined(BEQUEST_POSIX_GENERIC)
#  include <sys/syscall.h>
#  define BEQUEST_HAVE_PIDFD 1
#  ifndef SYS_pidfd_open
#    define SYS_pidfd_open 434
#  endif
#  ifndef SYS_pidfd_send_signal
#    define SYS_pidfd_send_signal 424
#  endif
#endif

namespace bequest::detail {
namespace posix {

int open_pidfd(int pid) noexcept {
#if defined(BEQUEST_HAVE_PIDFD)
  // The pid cannot be reused before we reap it, so this names our child. pidfds are
  // always close-on-exec. Kernels before 5.3 answer ENOSYS: then waits fall back to waitid.
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -1 : static_cast<int>(fd);
#else
  (void)pid;
  return -1;
#endif
}

}  // namespace posix

namespace os {
namespace {

using clock = std::chrono::steady_clock;

bool wait_pidfd(int pidfd, long long timeout_ms, std::error_code& ec) noexcept {
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (true) {
    int wait_ms = -1;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      wait_ms = left <= 0 ? 0 : (left > INT_MAX ? INT_MAX : static_cast<int>(left));
    }
    pollfd p{pidfd, POLLIN, 0};
    const int rc = ::poll(&p, 1, wait_ms);
    if (rc > 0) return true;
    if (rc == 0) {
      if (wait_ms == 0 || clock::now() >= deadline) return false;
      continue;
    }
    if (errno == EINTR) continue;
    ec = last_os_error();
    return false;
  }
}

// Without a pidfd: waitid(WNOWAIT) blocks until the child is a zombie but leaves it
// unreaped, so its id stays ours until collect_exit() runs under the lock.
bool wait_waitid(pid_t pid, long long timeout_ms, std::error_code& ec) noexcept {
  siginfo_t info;
  if (timeout_ms < 0) {
    while (true) {
      std::memset(&info, 0, sizeof info);
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) == 0) return true;
      if (errno == EINTR) continue;
      ec = last_os_error();
      return false;
    }
  }
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  auto nap = std::chrono::microseconds(100);
  while (true) {
    std::memset(&info, 0, sizeof info);
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT | WNOHANG) != 0) {
      if (errno == EINTR) continue;
      ec = last_os_error();
      return false;
    }
    if (info.si_pid != 0) return true;
    const auto now = clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<clock::duration>(nap, deadline - now));
    nap = std::min(nap * 2, std::chrono::microseconds(20000));
  }
}

}  // namespace

bool wait_exit(const child_impl& c, long long timeout_ms, std::error_code& ec) noexcept {
  ec.clear();
  if (c.process >= 0) return wait_pidfd(c.process, timeout_ms, ec);
  return wait_waitid(c.pid, timeout_ms, ec);
}

std::optional<exit_status> collect_exit(child_impl& c, std::error_code& ec) noexcept {
  ec.clear();
  int status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(c.pid, &status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    // ECHILD: someone else (a waitpid(-1) elsewhere, or SIGCHLD set to SIG_IGN) reaped it.
    ec = last_os_error();
    return std::nullopt;
  }
  if (rc == 0) return std::nullopt;
  if (WIFSIGNALED(status)) return exit_status::signaled(WTERMSIG(status), WCOREDUMP(status));
  return exit_status::exited(WEXITSTATUS(status));
}

void signal_process(child_impl& c, bool force, std::error_code& ec) noexcept {
  ec.clear();
  if (c.pid <= 0) {  // kill(0) or kill(-1) would hit our whole group, or everyone
    ec = make_error_code(std::errc::no_such_process);
    return;
  }
  const int sig = force ? SIGKILL : SIGTERM;
  int rc;
#if defined(BEQUEST_HAVE_PIDFD)
  if (c.process >= 0) {
    rc = static_cast<int>(::syscall(SYS_pidfd_send_signal, c.process, sig, nullptr, 0));
  } else {
    rc = ::kill(c.pid, sig);
  }
#else
  rc = ::kill(c.pid, sig);
#endif
  // ESRCH: it has exited and not yet been reaped. Nothing left to signal; not an error.
  if (rc != 0 && errno != ESRCH) ec = last_os_error();
}

void kill_tree(child_impl& c, std::error_code& ec) noexcept {
  ec.clear();
  if (c.pid <= 0) {  // killpg(0) would hit our own group
    ec = make_error_code(std::errc::no_such_process);
    return;
  }
  // The child was made the leader of a group whose id is its pid. While the leader is not
  // reaped (we hold c.mutex), or while any process is in the group, POSIX does not reuse that
  // id, so this reaches exactly the tree. ESRCH: nothing is left in the group.
  if (::killpg(c.pid, SIGKILL) != 0 && errno != ESRCH) ec = last_os_error();
}

void release_process(child_impl& c) noexcept {
  if (c.process >= 0) ::close(c.process);
  c.process = -1;
}

const char* signal_name(int signal) noexcept {
  switch (signal) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    case SIGTSTP: return "SIGTSTP";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSYS: return "SIGSYS";
    default: return nullptr;
  }
}

}  // namespace os
}  // namespace bequest::detail
