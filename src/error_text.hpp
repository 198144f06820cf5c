// SPDX-License-Identifier: BSL-1.0
#pragma once

// What an OS error from the last step of a spawn means, in words: pure functions of the code,
// compiled on every platform so that each case has a unit test everywhere (tests/test_units.cpp).

#include <cstdint>
#include <string>
#include <string_view>

namespace bequest::detail {

/// POSIX: the step text for an errno from posix_spawn / execve of `path`.
std::string describe_exec_error(int error, std::string_view path);

/// The Win32 error codes describe_create_process_error knows, by value, so that the pure
/// function needs no <windows.h>.
namespace win32_code {
inline constexpr std::uint32_t bad_exe_format = 193;             // ERROR_BAD_EXE_FORMAT
inline constexpr std::uint32_t exe_machine_type_mismatch = 216;  // ERROR_EXE_MACHINE_TYPE_MISMATCH
inline constexpr std::uint32_t directory = 267;                  // ERROR_DIRECTORY
inline constexpr std::uint32_t elevation_required = 740;         // ERROR_ELEVATION_REQUIRED
}  // namespace win32_code

/// Windows: the step text for a GetLastError() value from CreateProcessW of `path`.
std::string describe_create_process_error(std::uint32_t error, std::string_view path);

}  // namespace bequest::detail
