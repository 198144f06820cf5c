// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// Owned, non-inheritable handles: `unique_handle`, pipes, files.

#include <bequest/config.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace bequest {

/// An owned handle (a file descriptor on POSIX, a `HANDLE` on Windows), closed on destruction.
///
/// Every handle bequest creates is non-inheritable (`O_CLOEXEC`, or without
/// `HANDLE_FLAG_INHERIT`): a process started by any other code never receives it. Only a
/// `spawn()` that lists it passes it on.
///
/// The blocking I/O members exist so that pipes can be used the same way on every platform;
/// for asynchronous I/O see `<bequest/asio.hpp>`. They also work on the asynchronous pipe
/// ends that `make_async_pipe()` and `stdio::async_pipe()` create (POSIX: a non-blocking
/// descriptor, for which they wait with `poll`; Windows: an overlapped handle, for which they
/// wait for the overlapped operation), so one handle can be used either way.
class BEQUEST_API unique_handle {
 public:
  unique_handle() noexcept = default;
  /// Takes ownership of `h`.
  explicit unique_handle(native_handle h) noexcept : h_(h) {}
  /// Takes over `other`'s handle; `other` becomes empty.
  unique_handle(unique_handle&& other) noexcept : h_(other.release()) {}
  /// Closes the handle held (if any) and takes over `other`'s.
  unique_handle& operator=(unique_handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  ~unique_handle() { reset(); }

  /// The handle, still owned by this object (`invalid_native_handle` when empty).
  [[nodiscard]] native_handle get() const noexcept { return h_; }
  /// Gives up ownership without closing.
  [[nodiscard]] native_handle release() noexcept {
    native_handle h = h_;
    h_ = invalid_native_handle;
    return h;
  }
  /// Closes the owned handle (if any) and takes ownership of `h`.
  void reset(native_handle h = invalid_native_handle) noexcept;
  /// True when a handle is held.
  [[nodiscard]] explicit operator bool() const noexcept { return h_ != invalid_native_handle; }

  /// @{
  /// Reads at most `size` bytes; returns 0 at end of file (including a pipe whose writers
  /// have all closed). Blocks until at least one byte is available.
  std::size_t read_some(void* buffer, std::size_t size);
  std::size_t read_some(void* buffer, std::size_t size, std::error_code& ec) noexcept;
  /// @}
  /// @{
  /// Reads until end of file. The `ec` form returns what it read before a failure.
  std::string read_all();
  std::string read_all(std::error_code& ec);
  /// @}
  /// @{
  /// Writes every byte. A pipe whose reader has gone fails with `broken_pipe` (bequest never
  /// lets `SIGPIPE` kill the process for it).
  void write_all(std::string_view data);
  void write_all(std::string_view data, std::error_code& ec) noexcept;
  /// @}

 private:
  native_handle h_ = invalid_native_handle;
};

/// Both ends of an anonymous pipe, each non-inheritable.
struct pipe_ends {
  unique_handle read;   ///< the end to read from
  unique_handle write;  ///< the end to write to
};

/// @{
/// Creates an anonymous pipe whose ends are both non-inheritable. The `ec` form returns
/// empty ends on failure.
[[nodiscard]] BEQUEST_API pipe_ends make_pipe();
[[nodiscard]] BEQUEST_API pipe_ends make_pipe(std::error_code& ec) noexcept;
/// @}

/// One end of a pipe.
enum class pipe_end { read, write };

/// Creates a pipe whose `async_end` end supports asynchronous I/O (with Asio through
/// `bequest::make_readable_pipe()` / `make_writable_pipe()` from `<bequest/asio.hpp>`) as well
/// as the blocking members of `unique_handle`. The other end is an ordinary handle, typically
/// given to a child. Both ends are non-inheritable.
///
/// POSIX: a pipe whose `async_end` is `O_NONBLOCK`. Windows: anonymous pipes cannot do
/// overlapped I/O, so `async_end` is the server end of a named pipe opened with
/// `FILE_FLAG_OVERLAPPED`, named `\\.\pipe\bequest-<pid>-<128 random bits from the system
/// CSPRNG>`, created with `FILE_FLAG_FIRST_PIPE_INSTANCE`, one instance,
/// `PIPE_REJECT_REMOTE_CLIENTS` and a DACL and label that admit only this logon session at
/// this integrity level; the other end is opened by this function as that one client,
/// synchronous, and both ends are checked to be in this process before they are returned.
[[nodiscard]] BEQUEST_API pipe_ends make_async_pipe(pipe_end async_end);
/// The same, reporting failure through `ec` (then both ends are empty).
[[nodiscard]] BEQUEST_API pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept;

/// A second, non-inheritable handle for the same kernel object (`fcntl(F_DUPFD_CLOEXEC)` /
/// `DuplicateHandle` with the same access). Closing either leaves the other open.
[[nodiscard]] BEQUEST_API unique_handle duplicate_handle(native_handle h);
/// The same, reporting failure through `ec` (then the result is empty).
[[nodiscard]] BEQUEST_API unique_handle duplicate_handle(native_handle h, std::error_code& ec) noexcept;

/// How `open_file()` and `stdio::file()` open a file.
enum class file_mode {
  automatic,   ///< for `stdio::file`: `read` for stdin, `truncate` for stdout and stderr
  read,        ///< read only; the file must exist
  truncate,    ///< write only; created if missing, emptied if present
  append,      ///< write only at the end; created if missing
  read_write,  ///< read and write; created if missing, not emptied
};

/// @{
/// Opens a file as a non-inheritable handle. `file_mode::automatic` means `read`. The
/// throwing form's message names the path.
[[nodiscard]] BEQUEST_API unique_handle open_file(const std::filesystem::path& path, file_mode mode);
[[nodiscard]] BEQUEST_API unique_handle open_file(const std::filesystem::path& path, file_mode mode,
                                                  std::error_code& ec) noexcept;
/// @}

}  // namespace bequest
