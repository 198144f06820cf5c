// bequest — portable child processes whose inherited handles are exactly the ones you list.
// SPDX-License-Identifier: BSL-1.0
#pragma once

#include <cstdint>

// Symbol visibility. BEQUEST_SHARED is defined for consumers of the shared library by the
// CMake package; BEQUEST_BUILDING is defined while the library itself is compiled.
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
/// A file descriptor.
using native_handle = int;
/// A process id (`pid_t`).
using pid_type = int;
/// The value of an empty handle.
inline constexpr native_handle invalid_native_handle = -1;
#endif

}  // namespace bequest
