// SPDX-License-Identifier: BSL-1.0
// Win32: the application name and command line handed to CreateProcessW.
#include "../spawn_common.hpp"
#include "../windows_command_line.hpp"
#include "win32.hpp"

#include <fmt/format.h>

namespace bequest::detail::win32 {
namespace {

std::string option_name(const spawn_options& o, std::size_t index) {
  if (index == 0) return o.argv0 ? "argv0" : "program";
  return fmt::format("args[{}]", index - 1);
}

// cmd.exe does not understand \\?\ paths; give it the plain form where one exists.
std::wstring plain_path(const std::wstring& path) {
  if (path.rfind(L"\\\\?\\UNC\\", 0) == 0) return L"\\\\" + path.substr(8);
  if (path.rfind(L"\\\\?\\", 0) == 0 && path.size() >= 7 && path[5] == L':') return path.substr(4);
  return path;
}

// The child's ComSpec when it names an existing file by an absolute path, else the system's
// own cmd.exe: never a cmd.exe found in the current directory.
std::wstring command_interpreter(const std::vector<std::string>& env) {
  if (auto value = find_variable(env, "ComSpec")) {
    std::wstring w;
    if (to_wide(*value, w) && w.size() >= 3 && ((w[1] == L':' && (w[2] == L'\\' || w[2] == L'/')) ||
                                                  (w[0] == L'\\' && w[1] == L'\\'))) {
      const DWORD attributes = ::GetFileAttributesW(w.c_str());
      if (attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY)) return w;
    }
  }
  wchar_t dir[MAX_PATH + 1];
  const UINT n = ::GetSystemDirectoryW(dir, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return L"C:\\Windows\\System32\\cmd.exe";
  return std::wstring(dir, n) + L"\\cmd.exe";
}

bool too_long(failure& f, std::string_view program, std::size_t units, std::size_t limit, const char* whose) {
  return spawn_failed(f, program, make_error_code(std::errc::argument_list_too_long),
                      fmt::format("the command line is {} UTF-16 units, more than {} accepts ({}); pass large data "
                                  "with spawn_options::startup_data instead",
                                  units, whose, limit));
}

}  // namespace

bool make_process_command_line(const spawn_options& o, const std::wstring& resolved,
                               const std::vector<std::string>& argv, const std::vector<std::string>& env,
                               std::wstring& application, std::wstring& command_line, failure& f) {
  const auto invalid = make_error_code(std::errc::invalid_argument);
  std::wstring scratch;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (!to_wide(argv[i], scratch)) {
      return spawn_failed(f, o.program, make_error_code(std::errc::illegal_byte_sequence),
                          fmt::format("{} is not valid UTF-8", option_name(o, i)));
    }
  }
  std::string line;
  wincmd::problem bad;
  if (is_batch_file(resolved)) {
    // CreateProcessW would run a batch file through cmd.exe itself, passing our command line
    // to cmd.exe unescaped (the BatBadBut flaw, CVE-2024-24576); so bequest runs cmd.exe
    // explicitly with a command line escaped for it.
    if (o.argv0 && *o.argv0 != o.program) {
      return spawn_failed(f, o.program, make_error_code(std::errc::not_supported),
                          "argv0: a batch file's %0 is the path cmd.exe runs; it cannot be set");
    }
    application = command_interpreter(env);
    const std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
    const bool cd_overridden = find_variable(env, "CD").has_value();
    if (!wincmd::make_batch_command_line(to_utf8(application), to_utf8(plain_path(resolved)), args, cd_overridden,
                                         line, bad)) {
      if (bad.index == 0) {
        return spawn_failed(f, o.program, invalid, fmt::format("batch file \"{}\": {}", to_utf8(resolved), bad.why));
      }
      return spawn_failed(f, o.program, invalid, fmt::format("args[{}]: {}", bad.index - 1, bad.why));
    }
    if (!to_wide(line, command_line)) return spawn_failed(f, o.program, invalid, "build the command line");
    if (command_line.size() > wincmd::max_batch_command_line) {
      return too_long(f, o.program, command_line.size(), wincmd::max_batch_command_line, "cmd.exe");
    }
    return true;
  }
  if (!wincmd::make_command_line(argv, line, bad)) {
    return spawn_failed(f, o.program, invalid, fmt::format("{}: {}", option_name(o, bad.index), bad.why));
  }
  if (!to_wide(line, command_line)) return spawn_failed(f, o.program, invalid, "build the command line");
  if (command_line.size() > wincmd::max_command_line) {
    return too_long(f, o.program, command_line.size(), wincmd::max_command_line + 1, "CreateProcess");
  }
  application = resolved;
  return true;
}

}  // namespace bequest::detail::win32
