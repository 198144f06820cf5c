// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::spawn_options`, everything `spawn()` needs, and the types of its fields.

#include <bequest/config.hpp>
#include <bequest/environment.hpp>
#include <bequest/startup_data.hpp>
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
  std::string name;                              ///< what the child looks the handle up by
  native_handle handle = invalid_native_handle;  ///< the parent's handle (fd on POSIX)
  /// POSIX: the descriptor number the child gets this entry at, for programs that were told
  /// a number (`MAKEFLAGS=--jobserver-auth=3,4`, a socket-activation convention). At least 3
  /// (0–2 are stdio), and no other entry may land there. Default: none, entry `i` lands at
  /// `3 + i`. Windows chooses handle values itself, so a target there is
  /// `std::errc::not_supported`.
  std::optional<int> target_fd = std::nullopt;
};

/// What the destructor of a `child` does to a process that is still running.
enum class destroy_policy {
  kill,    ///< kill it and collect its exit status (no zombie, no orphan). The default.
  detach,  ///< leave it running. On POSIX it stays a zombie once it exits until this process ends.
  wait,    ///< wait for it to exit and collect its status (a build tool's running jobs finish).
};

/// The signal state a POSIX child starts with.
enum class child_signals {
  /// No signal blocked, every signal at its default action: a parent that ignores `SIGPIPE`
  /// or blocks `SIGCHLD` does not pass that on. The default.
  reset,
  /// What `exec` itself keeps, as a shell or make passes it on: signals this process ignores
  /// stay ignored (after `trap '' QUIT`), the spawning thread's signal mask is kept, and
  /// handled signals go back to their default (a handler cannot survive exec).
  like_exec,
};

/// The size of a terminal, in character cells (see `spawn_options::terminal`).
struct terminal_size {
  unsigned short rows = 24;  ///< lines
  unsigned short cols = 80;  ///< columns
};

/// Options that exist only on POSIX. On Windows a field that changes what the child does
/// (`new_session`) makes `spawn()` fail with `std::errc::not_supported`; `signals` means
/// nothing there and `identify_by_pid_only` is ignored (the process handle is always held).
struct posix_options {
  /// Start the child in a new session (`setsid`), detached from the controlling terminal.
  bool new_session = false;
  /// The child's signal dispositions and mask. Default: `child_signals::reset`.
  child_signals signals = child_signals::reset;
  /// Linux: hold no pidfd for this child, which saves one descriptor per child alive (for a
  /// program near its descriptor limit that runs many children at once and reaps nothing
  /// itself). The child is then known by its process id only, as on other POSIX systems, and
  /// gives up what the pidfd guarantees (docs/posix.md, "Process identity"): if other code
  /// in this process reaps it (a `waitpid(-1)`, `SIGCHLD` set to `SIG_IGN`) and the system
  /// gives its id to another child of this process, `wait()` may report that process's
  /// status and `kill()` may signal it. `child::native_process()` is -1. Default: false.
  bool identify_by_pid_only = false;
};

/// Options that exist only on Windows. The cosmetic ones (`hide_window`, `no_window`) are
/// ignored on POSIX; `command_line` changes what the child receives, so there it makes
/// `spawn()` fail with `std::errc::not_supported`.
struct windows_options {
  /// Start the child's window hidden (`SW_HIDE`).
  bool hide_window = false;
  /// Give a console program no console window (`CREATE_NO_WINDOW`).
  bool no_window = false;
  /// The child's whole command line, passed to `CreateProcessW` exactly as given (UTF-8),
  /// for a tool that already holds one (`cmd /c "..."`, a line from a build file) instead of
  /// an argument vector. `program` is still resolved and checked by bequest, and is what
  /// runs (`lpApplicationName`); the line's first word is only what the child sees as its
  /// argv[0]. `args` and `argv0` must then be empty; `{handle:NAME}` is substituted when
  /// `substitute_handles` is set. Refused for a batch file, whose command line bequest must
  /// build itself to keep cmd.exe from reading arguments as commands (BatBadBut).
  /// Default: empty, the line is built from `argv0` and `args` with the C runtime's rules.
  std::optional<std::string> command_line;
  /// The child reads its command line as UTF-16 (`wmain`, `GetCommandLineW`, a .NET or Java
  /// program), so a character that the ANSI code page would best-fit onto `"` or `\` (U+FF02
  /// FULLWIDTH QUOTATION MARK, U+FF3C FULLWIDTH REVERSE SOLIDUS, ...) cannot change how it
  /// splits the line. Default: false, and such a character in the program path or an argument
  /// is refused, naming the argument and the character, because a C runtime that builds
  /// `argv` from the ANSI line (`main`) would split the argument there ("WorstFit").
  bool child_reads_wide_command_line = false;
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
  /// The child's environment. Default: the parent's, passed exactly (a variable that is not
  /// valid text included). Names are compared as the system does (Windows: without regard to
  /// case, beyond ASCII too; POSIX: exactly), and two names that are one variable keep the
  /// FIRST spelling with the last value: `set("Path", "a").set("PATH", "b")` gives `Path=b` on
  /// Windows. See `environment`.
  environment env = environment::inherit();
  /// The child's working directory. Default: the parent's.
  std::optional<std::filesystem::path> cwd;
  /// The child's stdin. Default: the parent's.
  stdio in = stdio::inherit();
  /// The child's stdout. Default: the parent's.
  stdio out = stdio::inherit();
  /// The child's stderr. Default: the parent's. `stdio::to_stdout()` sends it where stdout goes.
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
  /// Publish where the inherited handles are in the child's `BEQUEST_INHERIT` variable (see
  /// `<bequest/inherited.hpp>`). Set it to false for a child that knows nothing of bequest and
  /// has been told its handles another way (`target_fd`, `{handle:NAME}`): the variable is then
  /// left out (a stale copy is still removed). Start-up data is announced through the
  /// variable, so it needs this set. Default: true.
  bool set_inherit_variable = true;
  /// Bytes for the child to read with `bequest::startup_data()`, of any size, through
  /// anonymous shared memory that the child maps read-only (docs/startup-data.md). Assign a
  /// string (copied into a new sealed object for this child) or a `startup_buffer` (filled in
  /// place once, sealed by the first spawn, shared by every child it is given to).
  /// Default: empty, nothing is passed. The child's handle to it is not part of `inherit`.
  startup_payload startup_data;
  /// Start the child in a new process group: POSIX `setpgid(0, 0)` (its group id is its
  /// pid, so `kill(-pid, sig)` reaches it and the processes it starts); Windows
  /// `CREATE_NEW_PROCESS_GROUP` (the group of console control events; Ctrl+C is disabled in
  /// the new group, Ctrl+Break reaches it through `GenerateConsoleCtrlEvent(pid)`).
  bool new_process_group = false;
  /// Start the child as the root of its own process tree, so that `child::kill_tree()` ends
  /// it together with every process it started. POSIX: a new process group (as
  /// `new_process_group`; a descendant that moves to another group or session leaves the
  /// tree). Windows: a job object of its own, assigned at creation
  /// (`PROC_THREAD_ATTRIBUTE_JOB_LIST`), which descendants are in too unless they are created
  /// with `CREATE_BREAKAWAY_FROM_JOB`. Unlike on POSIX it does not imply `new_process_group`.
  bool process_tree = false;
  /// Kill the child when this process dies, however it dies (including `SIGKILL` and
  /// `TerminateProcess`). Linux: `PR_SET_PDEATHSIG` (`SIGKILL`) set in the child before
  /// `exec`; it fires when the *thread* that called `spawn()` ends, so spawn from a thread
  /// that lives as long as the child should. Windows: a kill-on-close job that only this
  /// process holds a handle to; processes the child starts are in it too. Other POSIX
  /// systems: `spawn()` fails with `std::errc::not_supported`. See docs/asio.md.
  bool kill_on_parent_exit = false;
  /// Set: the child's stdin, stdout and stderr are a new terminal of this size (POSIX: a
  /// pseudo-terminal, which becomes the controlling terminal of a new session the child
  /// leads; Windows: a pseudoconsole, ConPTY, Windows 10 1809 and later, else
  /// `std::errc::not_supported`). `in`, `out` and `err` must then stay `stdio::inherit()`.
  /// The parent writes the terminal's input through `child::in()` and reads its output
  /// through `child::out()`, which ends (`read_some()` returns 0) once the child's side is
  /// gone; `child::err()` is empty. The terminal's own handle never reaches any child.
  /// Default: no terminal. See docs/guide.md.
  std::optional<terminal_size> terminal;
  /// What `~child` does to a child still running.
  destroy_policy on_destroy = destroy_policy::kill;
  /// Options that only POSIX has (see `posix_options` for what Windows does with them).
  posix_options posix;
  /// Options that only Windows has (ignored on POSIX: they are cosmetic).
  windows_options windows;
};

}  // namespace bequest
