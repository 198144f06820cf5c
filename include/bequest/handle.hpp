// SPDX-License-Identifier: BSL-1.0
#pragma once

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
/// for asynchronous I/O see `<bequest/asio.hpp>`.
class BEQUEST_API unique_handle {
 public:
  unique_handle() noexcept = default;
  /// Takes ownership of `h`.
  explicit unique_handle(native_handle h) noexcept : h_(h) {}
  unique_handle(unique_handle&& other) noexcept : h_(other.release()) {}
  unique_handle& operator=(unique_handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  ~unique_handle() { reset(); }

  [[nodiscard]] native_handle get() const noexcept { return h_; }
  /// Gives up ownership without closing.
  [[nodiscard]] native_handle release() noexcept {
    native_handle h = h_;
    h_ = invalid_native_handle;
    return h;
  }
  /// Closes the owned handle (if any) and takes ownership of `h`.
  void reset(native_handle h = invalid_native_handle) noexcept;
  [[nodiscard]] explicit operator bool() const noexcept { return h_ != invalid_native_handle; }

  /// Reads at most `size` bytes; returns 0 at end of file (including a pipe whose writers
  /// have all closed). Blocks until at least one byte is available.
  std::size_t read_some(void* buffer, std::size_t size);
  std::size_t read_some(void* buffer, std::size_t size, std::error_code& ec) noexcept;
  /// Reads until end of file.
  std::string read_all();
  std::string read_all(std::error_code& ec);
  /// Writes every byte. A pipe whose reader has gone fails with `broken_pipe` (bequest never
  /// lets `SIGPIPE` kill the process for it).
  void write_all(std::string_view data);
  void write_all(std::string_view data, std::error_code& ec) noexcept;

 private:
  native_handle h_ = invalid_native_handle;
};

/// Both ends of an anonymous pipe, each non-inheritable.
struct pipe_ends {
  unique_handle read;
  unique_handle write;
};

/// Creates an anonymous pipe whose ends are both non-inheritable.
[[nodiscard]] BEQUEST_API pipe_ends make_pipe();
[[nodiscard]] BEQUEST_API pipe_ends make_pipe(std::error_code& ec) noexcept;

/// How `open_file()` and `stdio::file()` open a file.
enum class file_mode {
  automatic,   ///< for `stdio::file`: `read` for stdin, `truncate` for stdout and stderr
  read,        ///< read only; the file must exist
  truncate,    ///< write only; created if missing, emptied if present
  append,      ///< write only at the end; created if missing
  read_write,  ///< read and write; created if missing, not emptied
};

/// Opens a file as a non-inheritable handle. `file_mode::automatic` means `read`.
[[nodiscard]] BEQUEST_API unique_handle open_file(const std::filesystem::path& path, file_mode mode);
[[nodiscard]] BEQUEST_API unique_handle open_file(const std::filesystem::path& path, file_mode mode,
                                                  std::error_code& ec) noexcept;

}  // namespace bequest
