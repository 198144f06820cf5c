// SPDX-License-Identifier: BSL-1.0
// POSIX: starting a process with posix_spawn, giving it exactly its stdio and inherit set.
// (With kill_on_parent_exit, parent_death.cpp starts the same plan another way.)
#include "../error_text.hpp"
#include "../launch_plan.hpp"
#include "../platform.hpp"
#include "../testing_hooks.hpp"
#include "posix.hpp"

#include <bequest/spawn.hpp>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(BEQUEST_HAVE_PIDFD_SPAWN)
#  include <sys/pidfd.h>
#endif

#include "../text_format.hpp"

extern char** environ;  // NOLINT

namespace bequest {

namespace detail {
namespace {

struct file_actions {
  posix_spawn_file_actions_t value;
  int rc = posix_spawn_file_actions_init(&value);
  ~file_actions() {
    if (rc == 0) posix_spawn_file_actions_destroy(&value);
  }
};

struct spawn_attributes {
  posix_spawnattr_t value;
  int rc = posix_spawnattr_init(&value);
  ~spawn_attributes() {
    if (rc == 0) posix_spawnattr_destroy(&value);
  }
};

/// Copies of descriptors that the dup2 plan made in the parent (fd_plan.cpp): closed on every
/// path out of spawn_process, success or failure.
struct scratch_fds {
  std::vector<int> fds;
  ~scratch_fds() {
    for (int fd : fds) ::close(fd);
  }
};

}  // namespace

namespace posix {

bool launch_posix_spawn(const child_steps& plan, std::string_view program, int& pid, failure& f, int* pidfd) {
  file_actions actions;
  spawn_attributes attrs;
  if (actions.rc != 0 || attrs.rc != 0) {
    return spawn_failed(f, program, {actions.rc ? actions.rc : attrs.rc, std::generic_category()},
                        "initialise posix_spawn attributes");
  }
  for (const fd_move& d : plan.dups) {
    // adddup2 makes the target inheritable (FD_CLOEXEC is never set on a dup2 result, and
    // for source == target it is cleared explicitly on POSIX.1-2024 systems; the plan only
    // keeps such a pair where that holds).
    if (const int rc = posix_spawn_file_actions_adddup2(&actions.value, d.source, d.target); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()},
                          detail::text::format("add the file action dup2({}, {})", d.source, d.target));
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (!plan.null_stream[i]) continue;
    const int rc = posix_spawn_file_actions_addopen(&actions.value, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
    if (rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()},
                          detail::text::format("{}: add the file action open /dev/null", stdio_name(i)));
    }
  }
  for (int fd : plan.closes) {
    if (const int rc = posix_spawn_file_actions_addclose(&actions.value, fd); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()},
                          detail::text::format("add the file action close({})", fd));
    }
  }
  if (plan.terminal) {
    // Opened without O_NOCTTY by a session leader with no controlling terminal yet
    // (POSIX_SPAWN_SETSID below runs before the file actions): it becomes the controlling
    // terminal, and the child's group its foreground group.
    int rc = posix_spawn_file_actions_addopen(&actions.value, 0, plan.terminal, O_RDWR, 0);
    for (int i = 1; rc == 0 && i < 3; ++i) rc = posix_spawn_file_actions_adddup2(&actions.value, 0, i);
    if (rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()},
                          detail::text::format("terminal: add the file actions that open {}", plan.terminal));
    }
  }
  if (plan.stderr_to_stdout) {
    if (const int rc = posix_spawn_file_actions_adddup2(&actions.value, 1, 2); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()}, "stderr: add the file action dup2(1, 2)");
    }
  }
  short flags = plan.keep_signal_state ? 0 : POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  // Everything at or above close_from goes, whoever opened it.
  (void)close_others_in_child(actions.value, plan.close_from, flags);
  if (plan.cwd) {
    if (const int rc = posix_spawn_file_actions_addchdir_np(&actions.value, plan.cwd); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()}, "add the file action chdir");
    }
  }

  // The child starts with no signal blocked and every signal at its default action, so a
  // parent that ignores SIGPIPE or blocks SIGCHLD does not pass that on; unless asked to keep
  // what exec keeps, when neither flag is set (glibc then resets only handled signals, as
  // it must before exec, and the child has the calling thread's mask).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attrs.value, &none);
  posix_spawnattr_setsigdefault(&attrs.value, &all);
  if (plan.new_session) {
#if defined(POSIX_SPAWN_SETSID)
    // A new session is also a new process group led by the child (and setpgid would fail
    // for a session leader).
    flags = static_cast<short>(flags | POSIX_SPAWN_SETSID);
#else
    return spawn_failed(f, program, make_error_code(std::errc::not_supported),
                        "posix.new_session: this libc's posix_spawn cannot call setsid");
#endif
  } else if (plan.new_process_group) {
    flags = static_cast<short>(flags | POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attrs.value, 0);
  }
  posix_spawnattr_setflags(&attrs.value, flags);

  pid_t child = -1;
  if (pidfd) *pidfd = -1;
#if defined(BEQUEST_HAVE_PIDFD_SPAWN)
  // glibc 2.39+: the pidfd comes from the same clone that makes the child (CLONE_PIDFD).
  // A kernel without clone3 makes it fail with ENOSYS: then posix_spawn and pidfd_open.
  int rc = ENOSYS;
  if (pidfd) rc = ::pidfd_spawn(pidfd, plan.path, &actions.value, &attrs.value, plan.argv, plan.envp);
  if (rc == 0) {
    // Read from /proc/self/fdinfo; -1 without /proc, which adopt_child turns into a failure.
    pid = ::pidfd_getpid(*pidfd);
    return true;
  }
  if (pidfd) *pidfd = -1;
  if (rc == ENOSYS) rc = ::posix_spawn(&child, plan.path, &actions.value, &attrs.value, plan.argv, plan.envp);
#else
  const int rc = ::posix_spawn(&child, plan.path, &actions.value, &attrs.value, plan.argv, plan.envp);
#endif
  if (rc != 0) {
    // glibc has already reaped a child whose exec failed.
    return spawn_failed(f, program, {rc, std::generic_category()}, describe_exec_error(rc, plan.path));
  }
  pid = child;
  return true;
}

}  // namespace posix

namespace os {

bool exact_inheritance() noexcept { return posix::can_close_others(); }

bool resolve_cwd(const std::optional<std::filesystem::path>& given, std::string_view program,
                 std::optional<std::filesystem::path>& cwd, failure& f) {
  cwd = given;
  if (!given) return true;
  struct stat st {};
  if (::stat(given->c_str(), &st) != 0) {
    return spawn_failed(f, program, last_os_error(), detail::text::format("cwd \"{}\"", utf8(*given)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return spawn_failed(f, program, make_error_code(std::errc::not_a_directory),
                        detail::text::format("cwd \"{}\" is not a directory", utf8(*given)));
  }
  return true;
}

bool resolve_program(const launch_plan& plan, bool cwd_given, resolved_program& out, failure& f) {
  const std::optional<std::string> path_var = plan.child_variable("PATH");
  std::string resolved;
  if (!posix::resolve_program(plan.program, path_var ? *path_var : posix::default_path(), cwd_given, resolved, f)) {
    return false;
  }
  out.path = std::move(resolved);
  return true;
}

bool check_launch(const launch_plan& plan, failure& f) {
  const auto unsupported = make_error_code(std::errc::not_supported);
  const auto invalid = make_error_code(std::errc::invalid_argument);
  auto entry = [&](std::size_t i) { return detail::text::format("inherit[{}] \"{}\"", i, plan.inherit[i].name); };
  for (std::size_t i = 0; i < plan.inherit.size(); ++i) {
    const int target = posix::child_fd(plan, i);
    if (target < 3) {
      return spawn_failed(
          f, plan.program, invalid,
          target >= 0 ? detail::text::format("{}: target_fd {} is the child's {}", entry(i), target, stdio_name(target))
                      : detail::text::format("{}: target_fd {} is not a descriptor number", entry(i), target));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (posix::child_fd(plan, j) == target) {
        return spawn_failed(f, plan.program, invalid,
                            detail::text::format("{}: fd {} in the child is already {}'s", entry(i), target, entry(j)));
      }
    }
  }
  if (plan.kill_on_parent_exit && !posix::parent_death_signal_supported()) {
    return spawn_failed(f, plan.program, unsupported,
                        "kill_on_parent_exit: this system has no way to make a child die with its parent");
  }
  if (plan.verbatim_command_line) {
    return spawn_failed(f, plan.program, unsupported,
                        "windows.command_line: a POSIX program receives an argument vector; pass args instead");
  }
#if !defined(POSIX_SPAWN_SETSID)
  if (plan.posix.new_session) {
    return spawn_failed(f, plan.program, unsupported, "posix.new_session: this libc's posix_spawn cannot call setsid");
  }
  if (plan.terminal) {
    return spawn_failed(f, plan.program, unsupported,
                        "terminal: this libc's posix_spawn cannot call setsid, which a controlling terminal needs");
  }
#endif
  return true;
}

bool spawn_process(const launch_plan& plan, launch_resources& r, child_impl& c, failure& f) {
  // Entry i of the inherit set is fd 3 + i, or its target_fd; the start-up data's descriptor,
  // if any, the first number after the inherit set that no target_fd took.
  const bool has_startup = r.startup.handle != invalid_native_handle;
  child_values values(plan.inherit.size());
  std::vector<bool> used(3 + plan.inherit.size() + 1, false);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int target = posix::child_fd(plan, i);
    values[i] = static_cast<std::uint64_t>(target);
    if (static_cast<std::size_t>(target) >= used.size()) used.resize(static_cast<std::size_t>(target) + 1, false);
    used[static_cast<std::size_t>(target)] = true;
  }
  int startup_target = 3 + static_cast<int>(plan.inherit.size());
  while (static_cast<std::size_t>(startup_target) < used.size() && used[static_cast<std::size_t>(startup_target)]) {
    ++startup_target;
  }
  if (has_startup) {
    if (static_cast<std::size_t>(startup_target) >= used.size())
      used.resize(static_cast<std::size_t>(startup_target) + 1);
    used[static_cast<std::size_t>(startup_target)] = true;
  }
  int first_free = 3;
  for (std::size_t fd = 3; fd < used.size(); ++fd) {
    if (used[fd]) first_free = static_cast<int>(fd) + 1;
  }

  posix::child_steps steps;
  std::vector<posix::fd_move> moves;
  moves.reserve(4 + plan.inherit.size());
  for (std::size_t i = 0; i < 3; ++i) {
    if (r.stdio[i] != invalid_native_handle) moves.push_back({r.stdio[i], static_cast<int>(i)});
    steps.null_stream[i] = plan.stdio[i].what == stdio_plan::source::null_device;
  }
  for (std::size_t i = 0; i < plan.inherit.size(); ++i) {
    moves.push_back({plan.inherit[i].handle, static_cast<int>(values[i])});
  }
  for (int fd = 3; fd < first_free; ++fd) {
    if (!used[static_cast<std::size_t>(fd)]) steps.closes.push_back(fd);
  }
  // A stream the parent has closed stays closed in the child, explicitly: another thread may
  // open a descriptor without O_CLOEXEC at that number before the child starts.
  for (int fd = 0; fd < 3; ++fd) {
    if (plan.stdio[static_cast<std::size_t>(fd)].what == stdio_plan::source::none) steps.closes.push_back(fd);
  }
  if (has_startup) moves.push_back({r.startup.handle, startup_target});
  // Copies made to get sources out of the way of the targets: closed when the spawn is over.
  scratch_fds scratch;
  if (!posix::plan_descriptors(moves, first_free, steps.dups, scratch.fds, plan.program, f)) return false;
  steps.stderr_to_stdout = plan.stdio[2].what == stdio_plan::source::same_as_stdout;
  steps.close_from = first_free;
  steps.cwd = plan.cwd ? plan.cwd->c_str() : nullptr;
  std::string terminal_slave;
  if (plan.terminal) {
    if (!posix::open_terminal(*plan.terminal, plan.program, c, terminal_slave, f)) return false;
    steps.terminal = terminal_slave.c_str();
  }
  steps.new_session = plan.posix.new_session || plan.terminal.has_value();
  steps.keep_signal_state = plan.posix.signals == child_signals::like_exec;
  steps.new_process_group = plan.new_process_group || plan.process_tree;

  std::vector<std::string> argv_strings = plan.render_arguments(values);
  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (!plan.parents_environment) {
    env_strings =
        join_environment(plan.render_environment(values, has_startup ? startup_value(startup_target) : std::nullopt));
    envp.reserve(env_strings.size() + 1);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
  steps.path = plan.executable.path.c_str();
  steps.argv = argv.data();
  steps.envp = plan.parents_environment ? environ : envp.data();

  testing::before_launch();
  int pid = -1, pidfd = -1;
  const bool want_pidfd = !plan.posix.identify_by_pid_only;
  const bool started = plan.kill_on_parent_exit
                           ? posix::launch_with_parent_death_signal(steps, plan.program, pid, f)
                           : posix::launch_posix_spawn(steps, plan.program, pid, f, want_pidfd ? &pidfd : nullptr);
  // A child whose exec failed has already been reaped; nothing is left running.
  if (!started) return false;
  return posix::adopt_child(pid, pidfd, want_pidfd, c, plan.program, f);
}

}  // namespace os
}  // namespace detail
}  // namespace bequest
