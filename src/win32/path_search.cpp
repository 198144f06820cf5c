// SPDX-License-Identifier: BSL-1.0
// Win32: deciding which file a spawn executes.
//
// CreateProcessW, given only a command line, searches the application's directory, the
// current directory, the system directories and then the parent's PATH, and appends ".exe".
// bequest never lets it: it resolves the program itself, with the child's PATH and PATHEXT
// and without the current or application directory, and always passes lpApplicationName.
#include "../launch_plan.hpp"
#include "../platform.hpp"
#include "win32.hpp"

#include "../text_format.hpp"

namespace bequest::detail::win32 {
namespace {

enum class candidate { missing, file, directory };

candidate check(const std::wstring& path) noexcept {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return candidate::missing;
  return (attributes & FILE_ATTRIBUTE_DIRECTORY) ? candidate::directory : candidate::file;
}

bool full_path(const std::wstring& path, std::wstring& out) {
  // Relative to this process's current directory, as the POSIX backend does. The Win32
  // normalisation also drops trailing dots and spaces, which the file system ignores: so
  // "x.bat." is seen for the batch file it is.
  DWORD n = ::GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (n == 0) return false;
  out.assign(n, L'\0');
  n = ::GetFullPathNameW(path.c_str(), n, out.data(), nullptr);
  if (n == 0 || n >= out.size()) return false;
  out.resize(n);
  return true;
}

std::size_t name_start(std::wstring_view path) noexcept {
  const std::size_t slash = path.find_last_of(L"\\/");
  return slash == std::wstring_view::npos ? 0 : slash + 1;
}

bool has_extension(std::wstring_view path) noexcept {
  return path.find(L'.', name_start(path)) != std::wstring_view::npos;
}

// A PATH entry that would make the search depend on the current directory or drive: empty,
// ".", "bin", "\tools", "C:tools". Only "X:\..." and UNC paths are searched.
bool is_absolute(std::wstring_view dir) noexcept {
  if (dir.size() >= 3 && dir[1] == L':' && (dir[2] == L'\\' || dir[2] == L'/')) return true;
  return dir.size() >= 2 && (dir[0] == L'\\' || dir[0] == L'/') && (dir[1] == L'\\' || dir[1] == L'/');
}

std::vector<std::wstring> split_list(std::wstring_view list) {
  std::vector<std::wstring> items;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t end = list.find(L';', pos);
    if (end == std::wstring_view::npos) end = list.size();
    std::wstring_view item = list.substr(pos, end - pos);
    pos = end + 1;
    // PATH entries may be quoted ("C:\Program Files\x"); the quotes are not part of the name.
    if (item.size() >= 2 && item.front() == L'"' && item.back() == L'"') item = item.substr(1, item.size() - 2);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

std::vector<std::wstring> extensions(const launch_plan& plan) {
  std::wstring text = L".COM;.EXE;.BAT;.CMD";
  if (auto value = plan.child_variable("PATHEXT")) {
    std::wstring w;
    if (from_wtf8(*value, w) && !w.empty()) text = w;
  }
  std::vector<std::wstring> exts;
  for (std::wstring& e : split_list(text)) {
    // Only ".ext" entries; anything with a separator would turn a name into a path.
    if (e.size() >= 2 && e[0] == L'.' && e.find_first_of(L"\\/:") == std::wstring::npos) exts.push_back(std::move(e));
  }
  return exts;
}

bool not_found(failure& f, std::string_view program, std::string detail) {
  return spawn_failed(f, program, {ERROR_FILE_NOT_FOUND, std::system_category()}, std::move(detail));
}

}  // namespace

bool is_batch_file(std::wstring_view path) noexcept {
  std::wstring_view name = path.substr(name_start(path));
  while (!name.empty() && (name.back() == L'.' || name.back() == L' ')) name.remove_suffix(1);
  if (name.size() < 4) return false;
  const std::wstring_view ext = name.substr(name.size() - 4);
  auto lower = [](wchar_t c) { return c >= L'A' && c <= L'Z' ? static_cast<wchar_t>(c - L'A' + L'a') : c; };
  auto equals = [&](std::wstring_view want) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (lower(ext[i]) != want[i]) return false;
    }
    return true;
  };
  return equals(L".bat") || equals(L".cmd");
}

namespace {

// Finds the file: see os::resolve_program.
bool find_program(const launch_plan& plan, std::wstring& resolved, failure& f) {
  const std::string_view program = plan.program;
  std::wstring name;
  if (!to_wide(program, name)) {
    return spawn_failed(f, program, make_error_code(std::errc::illegal_byte_sequence), "program is not valid UTF-8");
  }
  const bool is_path = name.find_first_of(L"\\/:") != std::wstring::npos;
  if (is_path) {
    // "C:\x\tool.exe:stream" names an alternate data stream; refuse rather than guess what
    // CreateProcess would make of it (or whether it would treat it as a batch file).
    std::size_t start = name_start(name);
    if (start == 0 && name.size() >= 2 && name[1] == L':') start = 2;  // "C:tool.exe"
    if (name.find(L':', start) != std::wstring::npos) {
      return spawn_failed(f, program, make_error_code(std::errc::invalid_argument),
                          "program names an alternate data stream (':' in the file name)");
    }
    std::wstring full;
    if (!full_path(name, full)) {
      return spawn_failed(f, program, last_os_error(), "make the program path absolute (GetFullPathName)");
    }
    switch (check(full)) {
      case candidate::file: resolved = std::move(full); return true;
      case candidate::directory:
        return spawn_failed(f, program, make_error_code(std::errc::is_a_directory), "program is a directory");
      case candidate::missing: break;
    }
    // "..\tools\tool" finds "..\tools\tool.exe", as it would at a command prompt.
    if (!has_extension(full)) {
      for (const std::wstring& ext : extensions(plan)) {
        std::wstring with = full + ext;
        if (check(with) == candidate::file) {
          resolved = std::move(with);
          return true;
        }
      }
    }
    return not_found(f, program, detail::text::format("program not found at \"{}\"", to_utf8(full)));
  }

  const auto path_value = plan.child_variable("PATH");
  std::wstring path_list;
  // WTF-8: the child's PATH as it will have it, an inherited one exactly (an entry that is
  // not valid UTF-16 included).
  if (path_value && !from_wtf8(*path_value, path_list)) path_list.clear();
  const auto exts = extensions(plan);
  const bool try_as_is = has_extension(name);
  for (const std::wstring& dir : split_list(path_list)) {
    if (!is_absolute(dir)) continue;  // never the current directory, in any disguise
    std::wstring base = dir;
    if (base.back() != L'\\' && base.back() != L'/') base += L'\\';
    base += name;
    if (try_as_is && check(base) == candidate::file) {
      return full_path(base, resolved) || (resolved = base, true);
    }
    for (const std::wstring& ext : exts) {
      std::wstring with = base + ext;
      if (check(with) == candidate::file) return full_path(with, resolved) || (resolved = with, true);
    }
  }
  return not_found(f, program,
                   path_value ? detail::text::format("program not found on PATH \"{}\"", *path_value)
                              : std::string("program not found: the child's environment has no PATH"));
}

// cmd.exe does not understand \\?\ paths; give it the plain form where one exists.
std::wstring plain_path(const std::wstring& path) {
  if (path.rfind(L"\\\\?\\UNC\\", 0) == 0) return L"\\\\" + path.substr(8);
  if (path.rfind(L"\\\\?\\", 0) == 0 && path.size() >= 7 && path[5] == L':') return path.substr(4);
  return path;
}

// The child's ComSpec when it names an existing file by an absolute path, else the system's
// own cmd.exe: never a cmd.exe found in the current directory.
std::wstring command_interpreter(const launch_plan& plan) {
  if (auto value = plan.child_variable("ComSpec")) {
    std::wstring w;
    if (from_wtf8(*value, w) && w.size() >= 3 &&
        ((w[1] == L':' && (w[2] == L'\\' || w[2] == L'/')) || (w[0] == L'\\' && w[1] == L'\\'))) {
      const DWORD attributes = ::GetFileAttributesW(w.c_str());
      if (attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY)) return w;
    }
  }
  wchar_t dir[MAX_PATH + 1];
  const UINT n = ::GetSystemDirectoryW(dir, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return L"C:\\Windows\\System32\\cmd.exe";
  return std::wstring(dir, n) + L"\\cmd.exe";
}

}  // namespace
}  // namespace bequest::detail::win32

namespace bequest::detail::os {

bool resolve_program(const launch_plan& plan, bool /*cwd_given: the path is always made absolute*/,
                     resolved_program& out, failure& f) {
  std::wstring resolved;
  if (!win32::find_program(plan, resolved, f)) return false;
  out.batch = win32::is_batch_file(resolved);
  if (out.batch) {
    // CreateProcessW would run a batch file through cmd.exe itself, passing our command line
    // to cmd.exe unescaped (the BatBadBut flaw, CVE-2024-24576); so bequest runs cmd.exe
    // explicitly with a command line escaped for it.
    out.interpreter = win32::command_interpreter(plan);
    out.cd_overridden = plan.child_variable("CD").has_value();
    resolved = win32::plain_path(resolved);
  }
  out.path = std::move(resolved);
  return true;
}

}  // namespace bequest::detail::os
