// SPDX-License-Identifier: BSL-1.0
// POSIX: starting a child that dies with us (spawn_options::kill_on_parent_exit).
//
// Linux delivers a chosen signal to a process when its parent ends (PR_SET_PDEATHSIG), but the
// setting must be made by the child itself, after it exists and before it execs — a step
// posix_spawn has no action for. This path is taken only for children that ask for it:
// clone(CLONE_VM | CLONE_VFORK) runs a small function on its own stack in the child, sharing
// our memory (so nothing is copied, as with posix_spawn) while this thread waits until the
// child has called exec or _exit. The function follows the same child_steps as the
// posix_spawn path, so every other option behaves exactly the same.
//
// What the child may call: nothing but syscall(2). It runs in a copy of a process that may
// have had other threads in the middle of anything, so only async-signal-safe steps will do;
// and it shares our memory, so it must not touch any bookkeeping of this process either. The
// libc wrappers it would naturally use (sigaction, prctl, dup2, open, close, fcntl, _exit)
// are intercepted by AddressSanitizer or ThreadSanitizer whenever such a runtime is in the
// process — also when bequest itself was built without one — and the interceptors record the
// call in the runtime's tables: TSan's copy of the signal handlers and its per-descriptor
// state, TSan's and ASan's exit handling. Made in the child, those records would describe
// *us*: the parent's handlers set back to default, its descriptors closed. glibc's syscall()
// is intercepted by none of them; it touches only errno, the spawning thread's, which is
// blocked until the child has exec'd (as with vfork). The child's own code is compiled
// without sanitizer instrumentation for the same reason, and calls no out-of-line C++.
#include "../error_text.hpp"
#include "posix.hpp"

#include <cerrno>
#include <cstdint>

#if defined(__linux__)
#  include <csignal>
#  include <fcntl.h>
#  include <sched.h>
#  include <sys/mman.h>
#  include <sys/prctl.h>
#  include <sys/resource.h>
#  include <sys/syscall.h>
#  include <sys/wait.h>
#  include <unistd.h>
#  ifndef SYS_close_range
#    define SYS_close_range 436
#  endif

#  if defined(__GLIBC__)
// glibc's clone() is a weak alias of __clone, exported under both names since glibc 2.2.5.
// ThreadSanitizer intercepts clone by name and handles every clone as a fork: in the child it
// resets the runtime's thread registry and descriptor state and releases the locks it took
// in the parent — with CLONE_VM that is the parent's own runtime state, corrupted while its
// other threads run. Calling the same function by its other name steps around that.
extern "C" int __clone(int (*fn)(void*), void* stack, int flags, void* arg, ...);
#    define BEQUEST_CLONE ::__clone
#  else
#    define BEQUEST_CLONE ::clone
#  endif
#endif

namespace bequest::detail::posix {

#if defined(__linux__)
namespace {

/// Shared between this thread and the child (CLONE_VM): the child writes, we read after it
/// has exec'd or exited, which CLONE_VFORK waits for. Everything the child reads is here or
/// in the plan as plain data, so that it calls no C++ function (a vector's begin() is
/// instrumented code in a sanitizer build).
struct clone_context {
  const child_steps* plan;
  const fd_move* dups;  ///< plan->dups.data()
  std::size_t dup_count;
  const int* closes;  ///< plan->closes.data()
  std::size_t close_count;
  pid_t parent;           ///< our process id, to notice that we died before PR_SET_PDEATHSIG took hold
  std::uint64_t ignored;  ///< bit sig-1: signals to leave ignored (child_signals::like_exec)
  std::uint64_t mask;     ///< the mask the child execs with: ours (like_exec) or none
  volatile int error;     ///< errno of the step that failed; 0 while none did
  volatile int step;      ///< which step (for the message)
};

enum child_step {
  step_none,
  step_pdeathsig,
  step_session,
  step_group,
  step_dup2,
  step_null,
  step_stderr,
  step_chdir,
  step_exec,
  step_terminal
};

const char* step_text(int step) {
  switch (step) {
    case step_pdeathsig: return "in the child: prctl(PR_SET_PDEATHSIG)";
    case step_session: return "in the child: setsid";
    case step_group: return "in the child: setpgid";
    case step_dup2: return "in the child: dup2";
    case step_null: return "in the child: open /dev/null";
    case step_stderr: return "in the child: dup2(1, 2)";
    case step_chdir: return "in the child: chdir to cwd";
    case step_terminal: return "in the child: open the terminal";
    default: return "";
  }
}

// The raw signal calls take the kernel's sigset (_NSIG / 8 bytes on Linux), not glibc's:
// glibc's sigprocmask also refuses to block the signals it uses internally (thread
// cancellation, setxid), and this must block them all.
constexpr std::size_t kernel_sigset_size = 8;

// The kernel's struct sigaction for "default action, no flags, empty mask" is all zero bits
// (SIG_DFL is 0) whatever the architecture's field order; 64 bytes cover every layout.
// Constant data, so the child needs no memset to build it.
const unsigned long default_action[64 / sizeof(unsigned long)] = {};

// Everything that runs in the child is built without sanitizer instrumentation: the
// sanitizers' runtime would see a stack it does not know and the state of the thread that
// cloned us.
#  define BEQUEST_IN_CLONED_CHILD __attribute__((no_sanitize("address", "thread", "undefined")))

[[noreturn]] BEQUEST_IN_CLONED_CHILD void child_fail(clone_context& ctx, int step) {
  ctx.step = step;
  ctx.error = errno ? errno : EINVAL;
  ::syscall(SYS_exit_group, 127);
  __builtin_unreachable();
}

BEQUEST_IN_CLONED_CHILD void close_from(int first) {
  if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) return;
  // Kernels before 5.9: close every possible descriptor up to the limit.
  unsigned long long lim[2];  // struct rlimit64: current, maximum
  int last = 65536;
  if (::syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, lim) == 0 && lim[0] < 1048576) {
    last = static_cast<int>(lim[0]);
  }
  for (int fd = first; fd < last; ++fd) (void)::syscall(SYS_close, fd);
}

// Runs in the child, on its own stack, sharing our memory.
BEQUEST_IN_CLONED_CHILD int child_main(void* arg) {
  auto& ctx = *static_cast<clone_context*>(arg);
  const child_steps& plan = *ctx.plan;

  // Every signal arrives blocked (the parent blocked them all before clone). Put every
  // handler back to the default before unblocking anything: a handler of ours, run here,
  // would run on this stack against the parent's memory. (SIGKILL and SIGSTOP refuse.)
  for (int sig = 1; sig < NSIG; ++sig) {
    const bool stays_ignored = sig <= 64 && ((ctx.ignored >> (sig - 1)) & 1u) != 0;
    if (sig != SIGKILL && sig != SIGSTOP && !stays_ignored) {
      (void)::syscall(SYS_rt_sigaction, sig, default_action, nullptr, kernel_sigset_size);
    }
  }

  if (::syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(ctx, step_pdeathsig);
  // If the parent died before the line above, the signal will never come: we have already
  // been given to another parent. Nobody is waiting for an answer then.
  if (::syscall(SYS_getppid) != ctx.parent) ::syscall(SYS_exit_group, 127);

  if (plan.new_session) {
    if (::syscall(SYS_setsid) < 0) child_fail(ctx, step_session);
  } else if (plan.new_process_group) {
    if (::syscall(SYS_setpgid, 0, 0) != 0) child_fail(ctx, step_group);
  }

  for (std::size_t i = 0; i < ctx.dup_count; ++i) {
    const fd_move d = ctx.dups[i];
    if (d.source == d.target) {
      // Keep it, inheritable.
      if (::syscall(SYS_fcntl, d.target, F_SETFD, 0) != 0) child_fail(ctx, step_dup2);
    } else if (::syscall(SYS_dup3, d.source, d.target, 0) < 0) {  // dup2; not every architecture has SYS_dup2
      child_fail(ctx, step_dup2);
    }
  }
  for (std::size_t i = 0; i < ctx.close_count; ++i) (void)::syscall(SYS_close, ctx.closes[i]);
  for (int i = 0; i < 3; ++i) {
    if (!plan.null_stream[i]) continue;
    const long fd = ::syscall(SYS_openat, AT_FDCWD, "/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    if (fd < 0) child_fail(ctx, step_null);
    if (fd != i) {
      if (::syscall(SYS_dup3, fd, i, 0) < 0) child_fail(ctx, step_null);
      (void)::syscall(SYS_close, fd);
    } else if (::syscall(SYS_fcntl, fd, F_SETFD, 0) != 0) {
      child_fail(ctx, step_null);
    }
  }
  if (plan.terminal) {
    // After setsid and without O_NOCTTY: it becomes our controlling terminal.
    const long fd = ::syscall(SYS_openat, AT_FDCWD, plan.terminal, O_RDWR);
    if (fd < 0) child_fail(ctx, step_terminal);
    for (long i = 0; i < 3; ++i) {
      if (i != fd && ::syscall(SYS_dup3, fd, i, 0) < 0) child_fail(ctx, step_terminal);
    }
    // Above 2 it is closed with everything else at close_from.
  }
  if (plan.stderr_to_stdout && ::syscall(SYS_dup3, 1, 2, 0) < 0) child_fail(ctx, step_stderr);
  close_from(plan.close_from);
  if (plan.cwd && ::syscall(SYS_chdir, plan.cwd) != 0) child_fail(ctx, step_chdir);

  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &ctx.mask, nullptr, kernel_sigset_size);
  ::syscall(SYS_execve, plan.path, plan.argv, plan.envp);
  child_fail(ctx, step_exec);
}

}  // namespace

bool launch_with_parent_death_signal(const child_steps& plan, std::string_view program, int& pid, failure& f) {
  // The child's stack: it calls little more than system call wrappers.
  constexpr std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return spawn_failed(f, program, last_os_error(), "allocate the child's stack (mmap)");

  clone_context ctx{&plan, plan.dups.data(), plan.dups.size(), plan.closes.data(), plan.closes.size(), ::getpid(), 0, 0,
                    0,     step_none};
  if (plan.keep_signal_state) {
    // Read here, in the parent, with the ordinary calls: the child may not call them.
    for (int sig = 1; sig < NSIG && sig <= 64; ++sig) {
      struct sigaction current {};
      if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) {
        ctx.ignored |= std::uint64_t{1} << (sig - 1);
      }
    }
  }
  // No signal may run a handler of ours in the child before it has reset them all.
  std::uint64_t all = ~std::uint64_t{0}, old = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, &old, kernel_sigset_size);
  if (plan.keep_signal_state) ctx.mask = old;
  const pid_t child =
      BEQUEST_CLONE(child_main, static_cast<char*>(stack) + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &ctx);
  const int clone_error = errno;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, nullptr, kernel_sigset_size);
  ::munmap(stack, stack_size);

  if (child < 0) return spawn_failed(f, program, {clone_error, std::generic_category()}, "clone");
  if (ctx.error != 0) {
    // The child has _exit-ed: reap it, so nothing is left behind.
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    const int error = ctx.error;
    const std::string what =
        ctx.step == step_exec ? describe_exec_error(error, plan.path) : std::string(step_text(ctx.step));
    return spawn_failed(f, program, {error, std::generic_category()}, what);
  }
  pid = child;
  return true;
}

bool parent_death_signal_supported() noexcept { return true; }

#else

bool parent_death_signal_supported() noexcept { return false; }

bool launch_with_parent_death_signal(const child_steps&, std::string_view program, int&, failure& f) {
  return spawn_failed(f, program, make_error_code(std::errc::not_supported),
                      "kill_on_parent_exit: this system has no way to make a child die with its parent");
}

#endif

}  // namespace bequest::detail::posix
