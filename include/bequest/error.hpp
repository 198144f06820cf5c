// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::error`, what the throwing forms throw.

#include <bequest/config.hpp>

#include <string>
#include <system_error>

namespace bequest {

/// Thrown by the throwing forms of bequest's functions.
///
/// `code()` carries the operating system's error (errno values in `std::generic_category()`
/// on POSIX, `GetLastError()` values in `std::system_category()` on Windows) or a portable
/// condition such as `std::errc::invalid_argument` for bad options and
/// `std::errc::not_supported` for options this platform cannot honour.
/// `what()` names the program, the step that failed and the offending option, for example
/// `spawn "worker": inherit[1] "log": fd 42 is not open: Bad file descriptor`.
class BEQUEST_API error : public std::system_error {
 public:
  /// An error with `code()` = `code` and `what()` = `message` followed by `": "` and the
  /// code's own message, as std::system_error composes it.
  error(std::error_code code, const std::string& message);
  ~error() override;
};

}  // namespace bequest
