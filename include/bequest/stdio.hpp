// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::stdio`, where a child's standard stream goes.

#include <bequest/config.hpp>
#include <bequest/handle.hpp>

#include <filesystem>

namespace bequest {

/// Where one of the child's standard streams (stdin, stdout, stderr) goes.
class stdio {
 public:
  /// What a `stdio` is.
  enum class kind {
    inherit,     ///< the parent's own stream of the same number
    null,        ///< the null device (`/dev/null`, `NUL`)
    pipe,        ///< a new pipe; the parent's end is `child::in()` / `out()` / `err()`
    file,        ///< a file opened by `spawn()` (errors name the path)
    handle,      ///< a handle the caller owns and keeps; `spawn()` does not close it
    to_stdout,   ///< stderr only: the same as the child's stdout (`2>&1`)
    async_pipe,  ///< a new pipe whose parent end also supports asynchronous I/O (Asio)
  };

  /// The parent's stream of the same number (the default).
  [[nodiscard]] static stdio inherit() noexcept { return stdio(kind::inherit); }
  /// The null device: reads see end of file, writes are discarded.
  [[nodiscard]] static stdio null() noexcept { return stdio(kind::null); }
  /// A new pipe; the parent's end is `child::in()`, `out()` or `err()`.
  [[nodiscard]] static stdio pipe() noexcept { return stdio(kind::pipe); }
  /// A pipe like `pipe()` whose parent end (`child::in()` / `out()` / `err()`) can also be
  /// used with asynchronous I/O, for example through `bequest::make_readable_pipe()` in
  /// `<bequest/asio.hpp>`; the blocking `read_some` / `write_all` keep working on it.
  /// POSIX: an ordinary pipe whose parent end is non-blocking. Windows: anonymous pipes
  /// cannot do overlapped I/O, so the parent end is an overlapped named pipe with a random,
  /// unguessable name that accepts exactly one local client; the child's end is an ordinary
  /// synchronous handle.
  [[nodiscard]] static stdio async_pipe() noexcept { return stdio(kind::async_pipe); }
  /// The file at `path`, opened by `spawn()` with `mode` (`automatic`: read for stdin,
  /// truncate for stdout and stderr). A relative path is relative to the parent's current
  /// directory.
  [[nodiscard]] static stdio file(std::filesystem::path path, file_mode mode = file_mode::automatic) {
    stdio s(kind::file);
    s.path_ = std::move(path);
    s.mode_ = mode;
    return s;
  }
  /// A handle the caller owns: the child gets it as this stream; `spawn()` neither closes
  /// it nor makes it inheritable in the parent.
  [[nodiscard]] static stdio handle(native_handle h) noexcept {
    stdio s(kind::handle);
    s.handle_ = h;
    return s;
  }
  /// For stderr only: wherever the child's stdout goes (`2>&1`).
  [[nodiscard]] static stdio to_stdout() noexcept { return stdio(kind::to_stdout); }

  /// Which kind this is.
  [[nodiscard]] kind type() const noexcept { return kind_; }
  /// The path of a `file`; empty otherwise.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The mode of a `file`.
  [[nodiscard]] file_mode mode() const noexcept { return mode_; }
  /// The handle of a `handle`; `invalid_native_handle` otherwise.
  [[nodiscard]] native_handle native() const noexcept { return handle_; }

 private:
  explicit stdio(kind k) noexcept : kind_(k) {}
  kind kind_;
  std::filesystem::path path_;
  file_mode mode_ = file_mode::automatic;
  native_handle handle_ = invalid_native_handle;
};

}  // namespace bequest
