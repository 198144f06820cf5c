// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::child`, a started process: waiting, killing, its pipes.

#include <bequest/config.hpp>
#include <bequest/exit_status.hpp>
#include <bequest/handle.hpp>
#include <bequest/options.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <system_error>

namespace bequest {

namespace detail {
struct child_impl;
struct child_access;
}  // namespace detail

/// A process started by `spawn()`.
///
/// **Destructor policy.** Destroying (or move-assigning over) a `child` whose process is
/// still running applies `spawn_options::on_destroy`: by default `destroy_policy::kill`
/// kills the process and collects its exit status, so nothing is left behind: no zombie,
/// no orphan. `destroy_policy::detach` (or calling `detach()`) leaves it running.
/// `destroy_policy::wait` blocks the destructor until the process exits on its own, then
/// collects its status. A process that has already been waited for is left alone either way (a group leader's zombie is
/// reaped then), and so is a lost one.
///
/// **Threads.** `wait()`, `wait_for()`, `try_wait()`, `kill()` and `terminate()` may be
/// called from several threads at once on the same `child` (a watchdog thread may kill a
/// child that another thread waits for). A signal is never sent to a process id after the
/// process has been reaped, so it cannot hit an unrelated process that reuses the id.
/// Moving, destroying and the pipe accessors are not synchronised.
///
/// **Identity (POSIX).** On Linux the child is its pidfd: every wait and signal goes through
/// it, never through the bare id. If other code in this process takes the exit status (a
/// `waitpid(-1)`, `SIGCHLD` set to `SIG_IGN`), the child is *lost* for good: `wait()`,
/// `try_wait()`, `wait_for()`, `kill()`, `terminate()` and `kill_tree()` fail with
/// `std::errc::no_child_process` every time, nothing is sent, and the destructor leaves the
/// id alone; no status is made up. Without a pidfd (other POSIX systems,
/// `posix_options::identify_by_pid_only`) the same holds except when the id has meanwhile
/// gone to another child of this process, which cannot be told from ours (docs/posix.md).
///
/// **A waited-for group leader holds one zombie until destroyed (POSIX).** A child that leads
/// a process group of its own (`process_tree`, `new_process_group`, `posix.new_session`) is
/// not reaped by `wait()`: its status is read and kept, and the process stays a zombie until
/// this object is destroyed, detached or assigned over. So its id, which is also its
/// group's, cannot be given to another process meanwhile, and `kill_tree()` after `wait()`
/// can only reach its own tree. Keep such children alive no longer than needed.
class BEQUEST_API child {
 public:
  /// An empty child, not associated with any process.
  child() noexcept;
  /// Takes over `other`'s process; `other` becomes empty.
  child(child&& other) noexcept;
  /// Applies the destructor policy to the process this object holds, then takes over
  /// `other`'s process; `other` becomes empty.
  child& operator=(child&& other) noexcept;
  /// Applies the destructor policy (see the class description) to a process still running.
  ~child();

  /// True when associated with a process (even one that has exited).
  [[nodiscard]] bool valid() const noexcept { return impl_ != nullptr; }
  /// The same as `valid()`.
  [[nodiscard]] explicit operator bool() const noexcept { return valid(); }

  /// The process id; 0 for an empty child. Stays the same after the process has exited.
  [[nodiscard]] pid_type pid() const noexcept;
  /// The process handle (Windows) or pidfd (Linux; `-1` where the kernel has none, with
  /// `posix_options::identify_by_pid_only`, for a child lost before its pidfd was opened, and on
  /// other POSIX systems). Owned by the `child`: do not close it, and do not reap the process
  /// through it. It is what `<bequest/asio.hpp>` waits on (a duplicate of it, so that several
  /// waits can run at once): a pidfd becomes readable and a process handle signalled when the
  /// process exits. Valid until the `child` is destroyed, detached or moved from.
  [[nodiscard]] native_handle native_process() const noexcept;

  /// @{
  /// Waits until the process exits. Once known, the status is kept and returned again.
  /// The first form throws `bequest::error`; the second sets `ec` and returns a status
  /// whose value is meaningless when `ec` is set (`errc::no_child_process`: someone else
  /// took the status; see *Identity*).
  exit_status wait();
  exit_status wait(std::error_code& ec) noexcept;
  /// @}
  /// @{
  /// The exit status if the process has exited, without blocking; empty while it runs
  /// (and, for the `ec` form, on failure).
  std::optional<exit_status> try_wait();
  std::optional<exit_status> try_wait(std::error_code& ec) noexcept;
  /// @}
  /// @{
  /// Waits at most `timeout`; empty if the process is still running then. A positive
  /// timeout is rounded up to whole milliseconds; a negative one does not block.
  template <class Rep, class Period>
  std::optional<exit_status> wait_for(const std::chrono::duration<Rep, Period>& timeout) {
    return wait_for_ms(clamp_ms(timeout));
  }
  template <class Rep, class Period>
  std::optional<exit_status> wait_for(const std::chrono::duration<Rep, Period>& timeout, std::error_code& ec) noexcept {
    return wait_for_ms(clamp_ms(timeout), ec);
  }
  /// @}

  /// @{
  /// Ends the process at once: `SIGKILL` on POSIX, `TerminateProcess` (exit code 1) on
  /// Windows. Does nothing if the process has already been waited for; fails with
  /// `errc::no_child_process`, sending nothing, for a lost child (see *Identity*).
  void kill();
  void kill(std::error_code& ec) noexcept;
  /// @}
  /// @{
  /// Asks the process to end: `SIGTERM` on POSIX. Windows has no such request for an
  /// arbitrary process, so there it is the same as `kill()`.
  void terminate();
  void terminate(std::error_code& ec) noexcept;
  /// @}

  /// Ends the process and every process it started, for a child spawned with
  /// `spawn_options::process_tree` (otherwise fails with `std::errc::invalid_argument`,
  /// without killing anything). POSIX: `SIGKILL` to its process group; Windows:
  /// `TerminateJobObject` (exit code 1) on its job. The child itself is not waited for: call
  /// `wait()` as after `kill()`. May be called after the child was waited for, to end what it
  /// left behind: on POSIX the leader is kept as a zombie until this object goes (see the class
  /// description), so the group's id cannot have been reused. A lost child's tree is not
  /// signalled (`errc::no_child_process`).
  /// (The destructor's `destroy_policy::kill` ends the child only, not its tree.)
  void kill_tree();
  /// The same, reporting failure through `ec` (`errc::no_child_process` for an empty `child`).
  void kill_tree(std::error_code& ec) noexcept;

  /// @{
  /// Sends signal `sig` (`SIGINT`, `SIGHUP`, `SIGUSR1`, ...) to the process, with the same
  /// guarantees as `kill()`: nothing once it has been waited for, nothing to a lost child
  /// (`errc::no_child_process`). Windows has no signals: `SIGKILL` (9) and `SIGTERM` (15) end
  /// the process as `kill()` does, anything else is `std::errc::not_supported`.
  void signal(int sig);
  void signal(int sig, std::error_code& ec) noexcept;
  /// @}
  /// @{
  /// Sends signal `sig` to the process group the child leads, as a build tool forwards
  /// `SIGINT` to each job's group. The child must have been spawned with `new_process_group`,
  /// `process_tree` or `posix.new_session` (otherwise `std::errc::invalid_argument`, and
  /// nothing is sent); the group's id stays reserved as `kill_tree()` describes. Windows:
  /// `SIGINT` or `SIGBREAK` (21) send `CTRL_BREAK_EVENT` to a child spawned with
  /// `new_process_group` (the one console event that reaches another group; both need a
  /// console shared with the child), anything else is `std::errc::not_supported`.
  void signal_group(int sig);
  void signal_group(int sig, std::error_code& ec) noexcept;
  /// @}
  /// Changes the size of the child's terminal (`spawn_options::terminal`); POSIX: the
  /// terminal's foreground process group gets `SIGWINCH`. Fails with
  /// `std::errc::invalid_argument` for a child started without a terminal, with
  /// `std::errc::no_child_process` for an empty `child`.
  void resize_terminal(terminal_size size);
  /// The same, reporting failure through `ec`.
  void resize_terminal(terminal_size size, std::error_code& ec) noexcept;

  /// Gives up the process: it keeps running, this object becomes empty.
  void detach() noexcept;

  /// @{
  /// The parent's end of the child's stdin / stdout / stderr pipe (`stdio::pipe()`); an
  /// empty handle otherwise. Close `in()` (`in().reset()`) to send end of file.
  [[nodiscard]] unique_handle& in() noexcept;
  [[nodiscard]] unique_handle& out() noexcept;
  [[nodiscard]] unique_handle& err() noexcept;
  /// @}

 private:
  friend struct detail::child_access;
  explicit child(std::unique_ptr<detail::child_impl> impl) noexcept;

  template <class Rep, class Period>
  static long long clamp_ms(const std::chrono::duration<Rep, Period>& d) {
    // Round up so that a short positive timeout never becomes a non-blocking poll.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
    return ms < 0 ? 0 : static_cast<long long>(ms);
  }
  std::optional<exit_status> wait_for_ms(long long ms);
  std::optional<exit_status> wait_for_ms(long long ms, std::error_code& ec) noexcept;

  std::unique_ptr<detail::child_impl> impl_;
};

}  // namespace bequest
