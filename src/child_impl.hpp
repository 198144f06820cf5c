// SPDX-License-Identifier: BSL-1.0
#pragma once

#include <bequest/child.hpp>

#include <mutex>
#include <optional>

namespace bequest::detail {

/// The state behind a `child`. Platform code fills it in `os::spawn_process`; the shared
/// code in child.cpp drives it through the os:: primitives.
struct child_impl {
  pid_type pid{};
  /// Owned: the process HANDLE (Windows) or pidfd (Linux), or invalid where there is none.
  native_handle process = invalid_native_handle;
  /// Guards `status` and every call that reaps or signals the process, so that a signal can
  /// never be sent after the id was released for reuse.
  std::mutex mutex;
  std::optional<exit_status> status;
  unique_handle in, out, err;
  destroy_policy policy = destroy_policy::kill;
  /// Started with `spawn_options::process_tree`: `kill_tree()` may end its tree.
  bool tree = false;
  /// Windows: started with `new_process_group`, so console control events can reach its group.
  bool console_group = false;
  /// POSIX: the leader of a process group of its own (`process_tree`, `new_process_group`,
  /// `posix.new_session`), whose id is the group's: its exit is learnt without reaping it, so
  /// that the id stays reserved for the group while this object holds it.
  bool group_leader = false;
  /// POSIX: that leader has exited and is kept as a zombie; `release_process` reaps it.
  bool zombie = false;
  /// POSIX: someone else took the exit status (a foreign `waitpid(-1)`, `SIGCHLD` set to
  /// `SIG_IGN`), or the id named another process by the time it could be pinned. For good:
  /// the process is never waited for or signalled again, every call says no_child_process.
  bool lost = false;
  /// Owned, Windows: the job object of that tree. Unused on POSIX (the tree is the process
  /// group whose id is `pid`).
  native_handle tree_job = invalid_native_handle;

  /// Owned: the terminal of a child started with `spawn_options::terminal`, for
  /// `resize_terminal` (POSIX: the pseudo-terminal's master; Windows: the HPCON), closed by
  /// os::close_terminal when the child object goes. Last, so that it is closed first.
  struct owned_terminal {
    native_handle value = invalid_native_handle;
    /// Windows: our own duplicate of the output's read end, drained while the pseudoconsole
    /// closes (ClosePseudoConsole can wait for its output to be read). Unused on POSIX.
    native_handle drain = invalid_native_handle;
    owned_terminal() = default;
    owned_terminal(const owned_terminal&) = delete;
    owned_terminal& operator=(const owned_terminal&) = delete;
    ~owned_terminal();
  } terminal;

  child_impl() = default;
  child_impl(const child_impl&) = delete;
  child_impl& operator=(const child_impl&) = delete;
  ~child_impl();
};

struct child_access {
  static child make(std::unique_ptr<child_impl> impl) noexcept { return child(std::move(impl)); }
  static child_impl* impl(child& c) noexcept { return c.impl_.get(); }
};

}  // namespace bequest::detail
