// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::exit_status`, how a process ended.

#include <bequest/config.hpp>

#include <optional>
#include <string>

namespace bequest {

/// How a process ended. A non-zero exit is not an error: it is an `exit_status` whose
/// `success()` is false.
class BEQUEST_API exit_status {
 public:
  /// The process returned from `main` or called `exit(code)`. On Windows the 32-bit exit
  /// code is stored bit for bit (so `0xC0000005` reads as a negative `int`).
  [[nodiscard]] static exit_status exited(int code) noexcept { return exit_status(code, 0, false); }
  /// The process was ended by signal `signal` (POSIX only).
  [[nodiscard]] static exit_status signaled(int signal, bool core_dumped = false) noexcept {
    return exit_status(0, signal, core_dumped);
  }

  /// Exited with code 0.
  [[nodiscard]] bool success() const noexcept { return signal_ == 0 && code_ == 0; }
  /// The exit code; empty when the process was ended by a signal.
  [[nodiscard]] std::optional<int> code() const noexcept {
    return signal_ == 0 ? std::optional<int>(code_) : std::nullopt;
  }
  /// The signal that ended the process (POSIX); empty when it exited.
  [[nodiscard]] std::optional<int> signal() const noexcept {
    return signal_ != 0 ? std::optional<int>(signal_) : std::nullopt;
  }
  /// True when the process was ended by a signal and left a core dump (POSIX).
  [[nodiscard]] bool core_dumped() const noexcept { return core_; }
  /// The system's own form, for tools that report it as they always did: on POSIX the wait
  /// status `waitpid` would have returned (`WIFEXITED`, `WEXITSTATUS`, `WTERMSIG` and
  /// `WCOREDUMP` read it); on Windows the 32-bit exit code, bit for bit.
  [[nodiscard]] int native_status() const noexcept;

  /// "exited with code 3", "killed by signal 9 (SIGKILL)", "exited with code 0xC0000005".
  [[nodiscard]] std::string to_string() const;

  /// @{
  /// Statuses are equal when they say the same: the same code, or the same signal and core
  /// dump.
  friend bool operator==(const exit_status& a, const exit_status& b) noexcept {
    return a.code_ == b.code_ && a.signal_ == b.signal_ && a.core_ == b.core_;
  }
  friend bool operator!=(const exit_status& a, const exit_status& b) noexcept { return !(a == b); }
  /// @}

 private:
  exit_status(int code, int signal, bool core) noexcept : code_(code), signal_(signal), core_(core) {}
  int code_;
  int signal_;
  bool core_;
};

}  // namespace bequest
