// SPDX-License-Identifier: BSL-1.0
// Win32: this process's environment, and the block a child receives.
#include "../platform.hpp"
#include "win32.hpp"

#include "../text_format.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace bequest::detail {
namespace os {

bool env_names_equal(std::string_view a, std::string_view b) {
  if (a == b) return true;
  std::wstring wa, wb;
  // Names that are not WTF-8 never come from the system; they can only be the same by bytes.
  if (!win32::from_wtf8(a, wa) || !win32::from_wtf8(b, wb)) return false;
  if (wa.size() > static_cast<std::size_t>(INT_MAX) || wb.size() > static_cast<std::size_t>(INT_MAX)) return false;
  // The rule the system's own environment functions follow (and the one CreateProcessW's
  // block is sorted by): ordinal, through the system's uppercase table, not the locale's.
  return ::CompareStringOrdinal(wa.data(), static_cast<int>(wa.size()), wb.data(), static_cast<int>(wb.size()), TRUE) ==
         CSTR_EQUAL;
}

bool strings_must_be_utf8() noexcept { return true; }

std::vector<std::pair<std::string, std::string>> current_environment() {
  std::vector<std::pair<std::string, std::string>> vars;
  wchar_t* block = ::GetEnvironmentStringsW();
  if (!block) return vars;
  for (const wchar_t* p = block; *p;) {
    const std::wstring_view entry(p);
    p += entry.size() + 1;
    // Per-drive current directories are kept as variables named "=C:"; the name may start
    // with '=', so the separator is the first '=' after the first character.
    const std::size_t eq = entry.find(L'=', 1);
    if (eq == std::wstring_view::npos) continue;
    // WTF-8, not UTF-8: a variable that is not valid UTF-16 still reaches a child exactly.
    vars.emplace_back(win32::to_wtf8(entry.substr(0, eq)), win32::to_wtf8(entry.substr(eq + 1)));
  }
  ::FreeEnvironmentStringsW(block);
  return vars;
}

std::optional<std::string> get_env(const std::string& name) {
  std::wstring wname;
  if (!win32::to_wide(name, wname)) return std::nullopt;
  std::wstring value(256, L'\0');
  while (true) {
    ::SetLastError(ERROR_SUCCESS);
    const DWORD n = ::GetEnvironmentVariableW(wname.c_str(), value.data(), static_cast<DWORD>(value.size()));
    if (n == 0) {
      // 0 is both "not set" and "set to the empty string".
      if (::GetLastError() == ERROR_ENVVAR_NOT_FOUND) return std::nullopt;
      return std::string();
    }
    if (n < value.size()) {
      value.resize(n);
      return win32::to_wtf8(value);
    }
    value.resize(n);
  }
}

void unset_env(const std::string& name) noexcept {
  try {
    std::wstring wname;
    if (!win32::to_wide(name, wname)) return;
    // The C runtime keeps its own copy of the environment, which _wspawn* and _wpopen pass
    // on; _wputenv("NAME=") removes the name from both that copy and the Win32 environment.
    const std::wstring assignment = wname + L"=";
    (void)::_wputenv(assignment.c_str());
    // And from the Win32 environment in any case, which CreateProcess passes on.
    ::SetEnvironmentVariableW(wname.c_str(), nullptr);
  } catch (...) {
  }
}

}  // namespace os

namespace win32 {

bool make_environment_block(const std::vector<std::pair<std::string, std::string>>& env, std::wstring& block,
                            std::string_view program, failure& f) {
  struct entry {
    std::wstring text;
    std::size_t name_length;
  };
  std::vector<entry> entries;
  entries.reserve(env.size());
  std::wstring value;
  for (const auto& [name, text] : env) {
    entry w;
    // WTF-8 rather than UTF-8: what came from the parent's environment is turned back into
    // its own units. The caller's names and values were refused already if not UTF-8
    // (lower.cpp), so nothing the caller wrote can bring a surrogate in.
    if (!from_wtf8(name, w.text) || !from_wtf8(text, value)) {
      return spawn_failed(f, program, make_error_code(std::errc::illegal_byte_sequence),
                          detail::text::format("environment variable \"{}\" is not valid UTF-8", name));
    }
    w.name_length = w.text.size();
    w.text += L'=';
    w.text += value;
    entries.push_back(std::move(w));
  }
  // CreateProcessW requires the block sorted by name, case-insensitively, in Unicode order
  // without regard to locale: that is CompareStringOrdinal with bIgnoreCase.
  std::stable_sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) {
    const int r = ::CompareStringOrdinal(a.text.data(), static_cast<int>(a.name_length), b.text.data(),
                                         static_cast<int>(b.name_length), TRUE);
    return r == CSTR_LESS_THAN;
  });
  std::size_t total = 1;
  for (const entry& e : entries) total += e.text.size() + 1;
  block.clear();
  block.reserve(total + 1);
  for (const entry& e : entries) {
    block += e.text;
    block += L'\0';
  }
  // An empty block still needs two NULs: one ending the (absent) last string, one ending the block.
  if (entries.empty()) block += L'\0';
  block += L'\0';
  return true;
}

}  // namespace win32
}  // namespace bequest::detail
