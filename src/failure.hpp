// SPDX-License-Identifier: BSL-1.0
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace bequest::detail {

/// What went wrong, collected on the noexcept paths and turned into `bequest::error` (or an
/// error_code plus message) at the API boundary. `message` never repeats the OS text: the
/// boundary appends `code.message()`, as std::system_error does.
struct failure {
  std::error_code code;
  std::string message;
};

/// Fills `f` with "spawn \"PROGRAM\": DETAIL" and returns false, so callers can write
/// `return spawn_failed(f, program, ec, "...");`.
bool spawn_failed(failure& f, std::string_view program, std::error_code code, std::string detail);

/// The last OS error as an error_code: errno in generic_category on POSIX, GetLastError() in
/// system_category on Windows.
std::error_code last_os_error() noexcept;

/// A path as UTF-8 text, the same in C++17 and C++20.
inline std::string utf8(const std::filesystem::path& p) {
  const auto s = p.u8string();
  return std::string(s.begin(), s.end());
}

/// Builds the text system_error would use: "MESSAGE: OS TEXT".
std::string full_message(const failure& f);

}  // namespace bequest::detail
