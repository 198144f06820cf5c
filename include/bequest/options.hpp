// SPDX-License-Identifier: BSL-1.0
#pragma once

#include <bequest/config.hpp>
#include <bequest/environment.hpp>
#include <bequest/stdio.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bequest {

/// One handle for the child to inherit, under a name the child looks it up by.
///
/// `name` is 1 to 64 characters from `A-Z a-z 0-9 _ . -`; names beginning with `bequest.`
/// are reserved. The handle stays owned by the caller: `spawn()` neither closes it nor
/// makes it inheritable in the parent.
struct inherited {
  std::string name;
  native_handle handle = invalid_native_handle;
};

/// What the destructor of a `child` does to a process that is still running.
enum class destroy_policy {
  kill,    ///< kill it and collect its exit status (no zombie, no orphan). The default.
  detach,  ///< leave it running. On POSIX it stays a zombie once it exits until this process ends.
};

/// Options that exist only on POSIX. On Windows a field that changes what the child does
/// (`new_session`) makes `spawn()` fail with `std::errc::not_supported`.
struct posix_options {
  /// Start the child in a new session (`setsid`), detached from the controlling terminal.
  bool new_session = false;
};

/// Options that exist only on Windows. They are cosmetic, so POSIX ignores them.
struct windows_options {
  /// Start the child's window hidden (`SW_HIDE`).
  bool hide_window = false;
  /// Give a console program no console window (`CREATE_NO_WINDOW`).
  bool no_window = false;
};

/// Everything `spawn()` needs to start one process. An aggregate: set the fields you need,
/// every other one has the default written beside it.
///
/// ```
/// bequest::spawn_options opts;
/// opts.program = "worker";                 // searched on the child's PATH
/// opts.args = {"--log-fd={handle:log}"};   // with substitute_handles = true
/// opts.inherit = {{"log", log_fd}};
/// opts.substitute_handles = true;
/// ```
struct spawn_options {
  /// The program, UTF-8. A name without a directory separator is searched on the PATH the
  /// child will have (never in the current directory); a relative path is taken relative
  /// to the parent's current directory, not to `cwd`.
  std::string program;
  /// The arguments after `argv[0]`.
  std::vector<std::string> args;
  /// `argv[0]` as the child sees it. Default: `program` as given.
  std::optional<std::string> argv0;
  /// The child's environment. Default: the parent's.
  environment env = environment::inherit();
  /// The child's working directory. Default: the parent's.
  std::optional<std::filesystem::path> cwd;
  /// The standard streams. Default: the parent's.
  stdio in = stdio::inherit();
  stdio out = stdio::inherit();
  stdio err = stdio::inherit();
  /// The exact set of extra handles the child receives. The child gets these and its three
  /// standard streams, and nothing else, whatever other threads or libraries spawn at the
  /// same time. On POSIX entry `i` becomes fd `3 + i`; on Windows its value is chosen by
  /// the system. Either way `inherited_handle(name)` finds it in the child.
  std::vector<inherited> inherit;
  /// When true, `{handle:NAME}` in `args`, `argv0` and the values given to `env.set()` is
  /// replaced by the child-side value of inherited handle NAME (decimal), for programs that
  /// know nothing of bequest (`--log-fd={handle:log}`). An unknown NAME is an error.
  bool substitute_handles = false;
  /// Bytes for the child to read with `bequest::startup_data()`, of any size.
  std::string startup_data;
  /// Start the child in a new process group (POSIX) / as the root of its own job (Windows).
  bool new_process_group = false;
  /// Kill the child when this process dies, however it dies.
  bool kill_on_parent_exit = false;
  /// What `~child` does to a child still running.
  destroy_policy on_destroy = destroy_policy::kill;
  posix_options posix;
  windows_options windows;
};

}  // namespace bequest
