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
/// no orphan. `destroy_policy::detach` (or calling `detach()`) leaves it running. A process
/// that has already been waited for is left alone either way.
///
/// **Threads.** `wait()`, `wait_for()`, `try_wait()`, `kill()` and `terminate()` may be
/// called from several threads at once on the same `child` (a watchdog thread may kill a
/// child that another thread waits for). A signal is never sent to a process id after the
/// process has been reaped, so it cannot hit an unrelated process that reuses the id.
/// Moving, destroying and the pipe accessors are not synchronised.
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
  /// The process handle (Windows) or pidfd (Linux; `-1` where the kernel has none, and on
  /// other POSIX systems). Owned by the `child`: do not close it, and do not reap the process
  /// through it. It is what `<bequest/asio.hpp>` waits on (a duplicate of it, so that several
  /// waits can run at once): a pidfd becomes readable and a process handle signalled when the
  /// process exits. Valid until the `child` is destroyed, detached or moved from.
  [[nodiscard]] native_handle native_process() const noexcept;

  /// @{
  /// Waits until the process exits. Once known, the status is kept and returned again.
  /// The first form throws `bequest::error`; the second sets `ec` and returns a status
  /// whose value is meaningless when `ec` is set.
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
  std::optional<exit_status> wait_for(const std::chrono::duration<Rep, Period>& timeout,
                                      std::error_code& ec) noexcept {
    return wait_for_ms(clamp_ms(timeout), ec);
  }
  /// @}

  /// @{
  /// Ends the process at once: `SIGKILL` on POSIX, `TerminateProcess` (exit code 1) on
  /// Windows. Does nothing if the process has already been waited for.
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
  /// left behind; on POSIX the group's id cannot be reused while any process is in the group.
  /// (The destructor's `destroy_policy::kill` ends the child only, not its tree.)
  void kill_tree();
  /// The same, reporting failure through `ec` (`errc::no_child_process` for an empty `child`).
  void kill_tree(std::error_code& ec) noexcept;

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
