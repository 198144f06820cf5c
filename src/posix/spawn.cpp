// SPDX-License-Identifier: BSL-1.0
// POSIX: starting a process with posix_spawn, giving it exactly its stdio and inherit set.
// (With kill_on_parent_exit, parent_death.cpp starts the same plan another way.)
#include "../platform.hpp"
#include "../spawn_common.hpp"
#include "../startup_internal.hpp"
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

#include <fmt/format.h>

extern char** environ;  // NOLINT

namespace bequest {

namespace detail {
namespace {

constexpr const char* stream_names[] = {"stdin", "stdout", "stderr"};

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

/// Descriptors this spawn opened in the parent only for the child's sake: closed on every
/// path out of spawn_process, success or failure.
struct scratch_fds {
  std::vector<int> fds;
  ~scratch_fds() {
    for (int fd : fds) ::close(fd);
  }
};

struct stdio_plan {
  int source = -1;        ///< the parent's fd for this stream, or -1 for none / opened in the child
  bool open_null = false;  ///< opened as /dev/null by a file action in the child
};

bool plan_stdio(const spawn_options& o, int index, const stdio& s, stdio_plan& plan, child_impl& c,
                scratch_fds& scratch, failure& f) {
  const char* name = stream_names[index];
  switch (s.type()) {
    case stdio::kind::inherit:
      // A stream the parent has closed stays closed in the child.
      if (os::handle_is_open(index)) plan.source = index;
      return true;
    case stdio::kind::null: plan.open_null = true; return true;
    case stdio::kind::pipe:
    case stdio::kind::async_pipe:
    case stdio::kind::file: {
      unique_handle theirs = open_stdio_object(o, index, s, c, f);
      if (!theirs) return false;
      plan.source = theirs.release();
      scratch.fds.push_back(plan.source);
      return true;
    }
    case stdio::kind::handle:
      if (!os::handle_is_open(s.native())) {
        return spawn_failed(f, o.program, {EBADF, std::generic_category()},
                            fmt::format("{}: stdio::handle({}) is not an open fd", name, s.native()));
      }
      plan.source = s.native();
      return true;
    case stdio::kind::to_stdout: return true;  // dup2(1, 2) after stdout is in place
  }
  return true;
}

}  // namespace

namespace posix {

std::string describe_spawn_error(int error, const std::string& path) {
  switch (error) {
    case E2BIG:
      return fmt::format("execute \"{}\": the arguments and environment exceed the system limit (ARG_MAX); "
                         "pass large data with spawn_options::startup_data instead",
                         path);
    case ENOEXEC: return fmt::format("execute \"{}\": not an executable format (a script needs a #! line)", path);
    case ENOENT:
      return fmt::format("execute \"{}\": the file or its interpreter was not found, or cwd is missing", path);
    default: return fmt::format("execute \"{}\"", path);
  }
}

bool launch_posix_spawn(const launch_plan& plan, std::string_view program, int& pid, failure& f, int* pidfd) {
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
                          fmt::format("add the file action dup2({}, {})", d.source, d.target));
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (!plan.null_stream[i]) continue;
    const int rc = posix_spawn_file_actions_addopen(&actions.value, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
    if (rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()},
                          fmt::format("{}: add the file action open /dev/null", stream_names[i]));
    }
  }
  if (plan.stderr_to_stdout) {
    if (const int rc = posix_spawn_file_actions_adddup2(&actions.value, 1, 2); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()}, "stderr: add the file action dup2(1, 2)");
    }
  }
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  // Everything at or above close_from goes, whoever opened it.
  (void)close_others_in_child(actions.value, plan.close_from, flags);
  if (plan.cwd) {
    if (const int rc = posix_spawn_file_actions_addchdir_np(&actions.value, plan.cwd); rc != 0) {
      return spawn_failed(f, program, {rc, std::generic_category()}, "add the file action chdir");
    }
  }

  // The child starts with no signal blocked and every signal at its default action, so a
  // parent that ignores SIGPIPE or blocks SIGCHLD does not pass that on.
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
    return spawn_failed(f, program, {rc, std::generic_category()}, describe_spawn_error(rc, plan.path));
  }
  pid = child;
  return true;
}

}  // namespace posix

namespace os {

bool exact_inheritance() noexcept { return posix::can_close_others(); }

std::unique_ptr<child_impl> spawn_process(const spawn_options& o, failure& f) {

  // The start-up data's descriptor, if any, comes right after the inherit set, so entry i is
  // still fd 3 + i.
  const bool has_startup = !o.startup_data.empty();
  const int startup_target = 3 + static_cast<int>(o.inherit.size());
  const int first_free = startup_target + (has_startup ? 1 : 0);
  const startup_value startup_fd = has_startup ? startup_value(startup_target) : std::nullopt;
  child_values values(o.inherit.size());
  for (std::size_t i = 0; i < o.inherit.size(); ++i) {
    const inherited& e = o.inherit[i];
    if (!handle_is_open(e.handle)) {
      spawn_failed(f, o.program, {EBADF, std::generic_category()},
                   fmt::format("inherit[{}] \"{}\": fd {} is not open", i, e.name, e.handle));
      return nullptr;
    }
    values[i] = static_cast<std::uint64_t>(3 + i);
  }

  std::vector<std::string> argv_strings;
  if (!build_arguments(o, values, argv_strings, f)) return nullptr;
  std::vector<std::string> env_strings;
  const bool parents_env = environment_is_parents(o);
  if (!parents_env && !build_environment(o, values, env_strings, f, startup_fd)) return nullptr;

  if (o.cwd) {
    struct stat st {};
    if (::stat(o.cwd->c_str(), &st) != 0) {
      spawn_failed(f, o.program, last_os_error(), fmt::format("cwd \"{}\"", utf8(*o.cwd)));
      return nullptr;
    }
    if (!S_ISDIR(st.st_mode)) {
      spawn_failed(f, o.program, make_error_code(std::errc::not_a_directory),
                   fmt::format("cwd \"{}\" is not a directory", utf8(*o.cwd)));
      return nullptr;
    }
  }

  std::string path_var;
  if (parents_env) {
    const char* p = ::getenv("PATH");
    path_var = p ? std::string(p) : posix::default_path();
  } else {
    auto p = find_variable(env_strings, "PATH");
    path_var = p ? std::string(*p) : posix::default_path();
  }
  std::string resolved;
  if (!posix::resolve_program(o.program, path_var, o.cwd.has_value(), resolved, f)) return nullptr;

  auto c = std::make_unique<child_impl>();
  scratch_fds scratch;
  const stdio* streams[] = {&o.in, &o.out, &o.err};
  stdio_plan plans[3];
  for (int i = 0; i < 3; ++i) {
    if (!plan_stdio(o, i, *streams[i], plans[i], *c, scratch, f)) return nullptr;
  }

  // Last of the preparations, so that a spawn that fails its cheaper checks copies nothing.
  // A copy made for this spawn alone is closed when `startup` goes, after the launch.
  startup_object startup;
  if (!prepare_startup_data(o, startup, f)) return nullptr;

  posix::launch_plan plan;
  std::vector<posix::fd_move> moves;
  moves.reserve(4 + o.inherit.size());
  for (int i = 0; i < 3; ++i) {
    if (plans[i].source >= 0) moves.push_back({plans[i].source, i});
    plan.null_stream[i] = plans[i].open_null;
  }
  for (std::size_t i = 0; i < o.inherit.size(); ++i) moves.push_back({o.inherit[i].handle, 3 + static_cast<int>(i)});
  if (has_startup) moves.push_back({startup.handle, startup_target});
  if (!posix::plan_descriptors(moves, first_free, plan.dups, scratch.fds, o.program, f)) return nullptr;
  plan.stderr_to_stdout = o.err.type() == stdio::kind::to_stdout;
  plan.close_from = first_free;
  plan.cwd = o.cwd ? o.cwd->c_str() : nullptr;
  plan.new_session = o.posix.new_session;
  plan.new_process_group = o.new_process_group || o.process_tree;

  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (!parents_env) {
    envp.reserve(env_strings.size() + 1);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
  plan.path = resolved.c_str();
  plan.argv = argv.data();
  plan.envp = parents_env ? environ : envp.data();

  int pid = -1, pidfd = -1;
  const bool want_pidfd = !o.posix.identify_by_pid_only;
  const bool started = o.kill_on_parent_exit ? posix::launch_with_parent_death_signal(plan, o.program, pid, f)
                                             : posix::launch_posix_spawn(plan, o.program, pid, f,
                                                                         want_pidfd ? &pidfd : nullptr);
  if (!started) {
    // A child whose exec failed has already been reaped; nothing is left running.
    c->in.reset();
    c->out.reset();
    c->err.reset();
    return nullptr;
  }
  if (!posix::adopt_child(pid, pidfd, want_pidfd, *c, o.program, f)) return nullptr;
  return c;
}

}  // namespace os
}  // namespace detail
}  // namespace bequest
