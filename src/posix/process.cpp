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
namespace {

using clock = std::chrono::steady_clock;

#if defined(BEQUEST_HAVE_PIDFD)
int sys_pidfd_send_signal(int pidfd, int sig, unsigned flags) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, flags));
}
#endif

/// waitid on our child: through its pidfd when it has one (which names that one process
/// whatever happens to its id), else by id. 0, or the errno. `info.si_pid` is 0 when
/// WNOHANG found it running.
int wait_child(const child_impl& c, siginfo_t& info, int flags) noexcept {
  std::memset(&info, 0, sizeof info);
  int rc;
  do {
#if defined(BEQUEST_HAVE_PIDFD)
    if (c.process >= 0) {
      rc = ::waitid(P_PIDFD, static_cast<id_t>(c.process), &info, flags);
    } else {
      rc = ::waitid(P_PID, static_cast<id_t>(c.pid), &info, flags);
    }
#else
    rc = ::waitid(P_PID, static_cast<id_t>(c.pid), &info, flags);
#endif
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? 0 : errno;
}

/// True while the process is still our child, running or an unreaped zombie. False (ECHILD)
/// once someone else took its status: with a pidfd that is certain; by id it may also be
/// another child of ours that got the id (what the generic path cannot tell).
bool still_ours(const child_impl& c) noexcept {
  if (c.zombie) return true;
  siginfo_t info;
  return wait_child(c, info, WEXITED | WNOHANG | WNOWAIT) != ECHILD;
}

}  // namespace

namespace posix {

bool adopt_child(int pid, int pidfd, bool want_pidfd, child_impl& c, std::string_view program, failure& f) {
  c.process = -1;
  c.lost = false;
#if defined(BEQUEST_HAVE_PIDFD)
  if (pidfd >= 0) {  // from pidfd_spawn: the child's identity from its first instant
    c.process = pidfd;
    if (pid > 0) {
      c.pid = pid;
      return true;
    }
    // Its id could not be read (pidfd_getpid needs /proc): end it and reap it, through the pidfd.
    const int error = errno ? errno : ENOENT;
    (void)sys_pidfd_send_signal(pidfd, SIGKILL, 0);
    siginfo_t info;
    (void)wait_child(c, info, WEXITED);
    ::close(pidfd);
    c.process = -1;
    return spawn_failed(f, program, {error, std::generic_category()},
                        "read the started child's process id from its pidfd (the child was killed)");
  }
  if (want_pidfd) {
    // Nobody but a foreign reaper (a waitpid(-1) elsewhere, SIGCHLD set to SIG_IGN) can have
    // reaped the child since posix_spawn returned; pidfds are always close-on-exec.
    const long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
      const int error = errno;
      if (error == ESRCH) {
        // Gone already: someone else reaped it. Not a failure to start; its status is lost.
        c.pid = pid;
        c.lost = true;
        return true;
      }
      if (error != ENOSYS) {
        // Out of descriptors or memory. The child is still ours (unless a foreign reaper took
        // it this very moment, which the check below sees): end it and reap it.
        c.pid = pid;
        if (still_ours(c)) {
          ::kill(pid, SIGKILL);
          siginfo_t info;
          (void)wait_child(c, info, WEXITED);
        }
        c.pid = 0;
        return spawn_failed(f, program, {error, std::generic_category()},
                            "open a pidfd for the started child, which is the child's identity (the child was "
                            "killed; posix_options::identify_by_pid_only does without it)");
      }
      // ENOSYS: a kernel before 5.3, without pidfds: identity by id, as on generic POSIX.
    } else {
      // The pidfd names whatever process had the id when it was opened. Our child is a
      // child of ours that nobody has reaped: then waitid through the pidfd works. ECHILD:
      // it names a stranger that was given the id after someone reaped ours.
      c.pid = pid;
      c.process = static_cast<int>(fd);
      siginfo_t info;
      const int error = wait_child(c, info, WEXITED | WNOHANG | WNOWAIT);
      if (error != 0) {
        ::close(c.process);
        c.process = -1;
        // EINVAL: Linux 5.3, pidfds without waitid(P_PIDFD): identity by id.
        if (error == ECHILD) c.lost = true;
      }
      return true;
    }
  }
#else
  (void)pidfd;
  (void)want_pidfd;
  (void)program;
  (void)f;
#endif
  c.pid = pid;
  return true;
}

}  // namespace posix

namespace os {
namespace {

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
bool wait_waitid(const child_impl& c, long long timeout_ms, std::error_code& ec) noexcept {
  siginfo_t info;
  if (timeout_ms < 0) {
    const int error = wait_child(c, info, WEXITED | WNOWAIT);
    if (error != 0) ec = {error, std::generic_category()};
    return error == 0;
  }
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  auto nap = std::chrono::microseconds(100);
  while (true) {
    if (const int error = wait_child(c, info, WEXITED | WNOWAIT | WNOHANG); error != 0) {
      ec = {error, std::generic_category()};
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
  // (Not c.zombie: it is written under c.mutex, and this runs outside it. A kept zombie is
  // seen exited either way.)
  if (c.process >= 0) return wait_pidfd(c.process, timeout_ms, ec);
  return wait_waitid(c, timeout_ms, ec);
}

std::optional<exit_status> collect_exit(child_impl& c, std::error_code& ec) noexcept {
  ec.clear();
  // A group leader is left a zombie (WNOWAIT): while it is one, its id, which is also the
  // group's, cannot be given to another process, so kill_tree() cannot reach a stranger.
  const int flags = WEXITED | WNOHANG | (c.group_leader ? WNOWAIT : 0);
  siginfo_t info;
  if (const int error = wait_child(c, info, flags); error != 0) {
    // ECHILD: someone else (a waitpid(-1) elsewhere, or SIGCHLD set to SIG_IGN) reaped it.
    ec = {error, std::generic_category()};
    return std::nullopt;
  }
  if (info.si_pid == 0) return std::nullopt;
  if (c.group_leader) c.zombie = true;
  switch (info.si_code) {
    case CLD_KILLED: return exit_status::signaled(info.si_status, false);
    case CLD_DUMPED: return exit_status::signaled(info.si_status, true);
    default: return exit_status::exited(info.si_status);
  }
}

void send_signal(child_impl& c, int sig, std::error_code& ec) noexcept {
  ec.clear();
  if (c.pid <= 0) {  // kill(0) or kill(-1) would hit our whole group, or everyone
    ec = make_error_code(std::errc::no_such_process);
    return;
  }
#if defined(BEQUEST_HAVE_PIDFD)
  if (c.process >= 0) {
    // The pidfd names this process only: after it has exited the answer is ESRCH, whoever
    // has its id now.
    if (sys_pidfd_send_signal(c.process, sig, 0) == 0) return;
    if (errno != ESRCH) {
      ec = last_os_error();
    } else if (!still_ours(c)) {
      ec = make_error_code(std::errc::no_child_process);
    }
    return;
  }
#endif
  // By id: never once we know someone else took the status (the id may be reused then).
  // What cannot be told by id is a foreign reap between this check and kill() (docs/posix.md).
  if (!still_ours(c)) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  // ESRCH: it has exited and not yet been reaped. Nothing left to signal; not an error.
  if (::kill(c.pid, sig) != 0 && errno != ESRCH) ec = last_os_error();
}

int native_status(int code, int signal, bool core_dumped) noexcept {
  if (signal != 0) return W_EXITCODE(0, signal) | (core_dumped ? WCOREFLAG : 0);
  return W_EXITCODE(code & 0xFF, 0);
}

void kill_tree(child_impl& c, std::error_code& ec) noexcept { signal_group(c, SIGKILL, ec); }

void signal_group(child_impl& c, int sig, std::error_code& ec) noexcept {
  ec.clear();
  if (c.pid <= 0) {  // killpg(0) would hit our own group
    ec = make_error_code(std::errc::no_such_process);
    return;
  }
#if defined(BEQUEST_HAVE_PIDFD)
  if (c.process >= 0) {
    // Linux 6.9 and later signal the group through the leader's pidfd: exactly the group it
    // led, even if someone else reaped the leader. Older kernels refuse the flag (EINVAL).
    constexpr unsigned signal_process_group = 1U << 2;  // PIDFD_SIGNAL_PROCESS_GROUP
    if (sys_pidfd_send_signal(c.process, sig, signal_process_group) == 0) return;
    if (errno == ESRCH) return;  // nothing is left in the group
    if (errno != EINVAL) {
      ec = last_os_error();
      return;
    }
  }
#endif
  // The child was made the leader of a group whose id is its pid. While the leader is ours
  // and not reaped (a zombie is kept for that: collect_exit), or while any process is in the
  // group, the id is not reused, so this reaches exactly the tree. A leader someone else
  // reaped is not signalled through: its id may name another group by now.
  if (!still_ours(c)) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  // ESRCH: nothing is left in the group.
  if (::killpg(c.pid, sig) != 0 && errno != ESRCH) ec = last_os_error();
}

void release_process(child_impl& c) noexcept {
  if (c.zombie) {
    // The group leader kept for kill_tree(): reap it now (ECHILD if someone else did).
    siginfo_t info;
    (void)wait_child(c, info, WEXITED | WNOHANG);
    c.zombie = false;
  }
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
