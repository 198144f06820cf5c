// SPDX-License-Identifier: BSL-1.0
#pragma once

// Where this benchmark's executable is, so that it can start itself, or a child built beside
// it, whatever the current directory: the one OS fact the portable benchmarks need.

#include <string>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <climits>
#  include <unistd.h>
#endif

namespace bench {

/// The absolute path of this executable (UTF-8), or argv0 when the system does not say.
#if defined(_WIN32)
inline std::string own_path(const char* argv0) {
  wchar_t buffer[32768];
  const DWORD n = ::GetModuleFileNameW(nullptr, buffer, 32768);
  if (n == 0 || n >= 32768) return argv0;
  const int m = ::WideCharToMultiByte(CP_UTF8, 0, buffer, static_cast<int>(n), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(m), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, buffer, static_cast<int>(n), out.data(), m, nullptr, nullptr);
  return out;
}
#else
inline std::string own_path(const char* argv0) {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string(argv0);
}
#endif

}  // namespace bench
