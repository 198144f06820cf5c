// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// Platform types (`native_handle`, `pid_type`) and the export macro.

#include <cstdint>

/// @def BEQUEST_API
/// Marks what a shared bequest exports: every public class and non-inline function. A
/// shared library exports nothing else (ELF visibility is hidden by default). Users of a
/// shared bequest have `BEQUEST_SHARED` defined, by the CMake package, by `bequest.pc`, or
/// by hand: on Windows it selects `__declspec(dllimport)`. `BEQUEST_BUILDING` is defined
/// only while bequest itself is compiled.
#if defined(_WIN32) && defined(BEQUEST_SHARED)
#  if defined(BEQUEST_BUILDING)
#    define BEQUEST_API __declspec(dllexport)
#  else
#    define BEQUEST_API __declspec(dllimport)
#  endif
#elif defined(BEQUEST_SHARED) && (defined(__GNUC__) || defined(__clang__))
#  define BEQUEST_API __attribute__((visibility("default")))
#else
#  define BEQUEST_API
#endif

namespace bequest {

#if defined(_WIN32)
/// A kernel object handle (`HANDLE`).
using native_handle = void*;
/// A process id (`DWORD`).
using pid_type = unsigned long;
/// The value of an empty handle. Windows also treats `INVALID_HANDLE_VALUE` as invalid.
inline constexpr native_handle invalid_native_handle = nullptr;
#else
/// A handle as the OS knows it: a file descriptor (`int`) on POSIX, a `HANDLE` (`void*`)
/// on Windows.
using native_handle = int;
/// A process id: `pid_t` (`int`) on POSIX, `DWORD` (`unsigned long`) on Windows.
using pid_type = int;
/// The value of an empty handle: -1 on POSIX, `nullptr` on Windows (which also treats
/// `INVALID_HANDLE_VALUE` as invalid).
inline constexpr native_handle invalid_native_handle = -1;
#endif

}  // namespace bequest
