// SPDX-License-Identifier: BSL-1.0
// Win32: UTF-8 (the API's strings) to UTF-16 (the Win32 boundary) and back; WTF-8 for the
// system's strings that need not be valid UTF-16.
#include "win32.hpp"

#include "../wtf8.hpp"

#include <climits>

namespace bequest::detail::win32 {

bool to_wide(std::string_view text, std::wstring& out) {
  out.clear();
  if (text.empty()) return true;
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return false;
  const int in_size = static_cast<int>(text.size());
  // MB_ERR_INVALID_CHARS: invalid UTF-8 is an error, never silently replaced, so that what
  // the child receives is exactly what the caller wrote.
  const int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), in_size, nullptr, 0);
  if (n <= 0) return false;
  out.resize(static_cast<std::size_t>(n));
  return ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), in_size, out.data(), n) == n;
}

std::string to_utf8(std::wstring_view text) {
  std::string out;
  if (text.empty() || text.size() > static_cast<std::size_t>(INT_MAX)) return out;
  const int in_size = static_cast<int>(text.size());
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, text.data(), in_size, nullptr, 0, nullptr, nullptr);
  if (n <= 0) return out;
  out.resize(static_cast<std::size_t>(n));
  ::WideCharToMultiByte(CP_UTF8, 0, text.data(), in_size, out.data(), n, nullptr, nullptr);
  return out;
}

std::string to_wtf8(std::wstring_view text) { return wtf8::encode(text); }

bool from_wtf8(std::string_view text, std::wstring& out) { return wtf8::decode(text, out); }

}  // namespace bequest::detail::win32
