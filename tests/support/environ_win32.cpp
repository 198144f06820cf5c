// SPDX-License-Identifier: BSL-1.0
// The test's own environment variables, Windows: UTF-16, set with SetEnvironmentVariableW.
#include "support/support.hpp"

#include <windows.h>

#include <cstdio>
#include <system_error>

namespace support {
namespace {

std::wstring wide(const std::string& s) {
  if (s.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()), nullptr, 0);
  if (n <= 0) throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "not UTF-8: " + s);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()), out.data(), n);
  return out;
}

std::string hex_of_units(const std::wstring& units) {
  std::string out;
  char digits[5];
  for (wchar_t c : units) {
    std::snprintf(digits, sizeof digits, "%04X", static_cast<unsigned>(c));
    out += digits;
  }
  return out;
}

void set_variable(const std::wstring& name, const wchar_t* value) {
  if (!::SetEnvironmentVariableW(name.c_str(), value)) {
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "SetEnvironmentVariableW");
  }
}

}  // namespace

scoped_variable::scoped_variable(std::string name, const std::string& value) : name_(std::move(name)) {
  const std::wstring wname = wide(name_);
  std::wstring old(32768, L'\0');
  ::SetLastError(ERROR_SUCCESS);
  const DWORD n = ::GetEnvironmentVariableW(wname.c_str(), old.data(), static_cast<DWORD>(old.size()));
  if (n > 0 || ::GetLastError() != ERROR_ENVVAR_NOT_FOUND) {
    old.resize(n < old.size() ? n : 0);
    const int length =
        ::WideCharToMultiByte(CP_UTF8, 0, old.data(), static_cast<int>(old.size()), nullptr, 0, nullptr, nullptr);
    std::string text(static_cast<std::size_t>(length > 0 ? length : 0), '\0');
    if (length > 0) {
      ::WideCharToMultiByte(CP_UTF8, 0, old.data(), static_cast<int>(old.size()), text.data(), length, nullptr,
                            nullptr);
    }
    saved_ = std::move(text);
  }
  set_variable(wname, wide(value).c_str());
}

scoped_variable::~scoped_variable() {
  try {
    set_variable(wide(name_), saved_ ? wide(*saved_).c_str() : nullptr);
  } catch (...) {
  }
}

variable_not_text::variable_not_text(const std::string& prefix) {
  // An unpaired trail surrogate in the name and an unpaired lead surrogate in the value: no
  // UTF-8 can say either, and each becomes U+FFFD in a conversion to UTF-8.
  std::wstring name = wide(prefix);
  name += static_cast<wchar_t>(0xDC00);
  std::wstring value = L"a";
  value += static_cast<wchar_t>(0xD800);
  value += L"b";
  set_variable(name, value.c_str());
  for (wchar_t c : name) name_.push_back(static_cast<unsigned>(c));
  hex_ = hex_of_units(name + L"=" + value);
}

variable_not_text::~variable_not_text() {
  std::wstring name;
  for (unsigned c : name_) name += static_cast<wchar_t>(c);
  ::SetEnvironmentVariableW(name.c_str(), nullptr);
}

}  // namespace support
