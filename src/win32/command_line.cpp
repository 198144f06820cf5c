// SPDX-License-Identifier: BSL-1.0
// Win32: the application name and command line handed to CreateProcessW.
#include "../launch_plan.hpp"
#include "../windows_command_line.hpp"
#include "win32.hpp"

#include <fmt/format.h>

namespace bequest::detail::win32 {
namespace {

std::string option_name(const launch_plan& plan, std::size_t index) {
  if (index == 0) return plan.argv0_given ? "argv0" : "program";
  return fmt::format("args[{}]", index - 1);
}

bool too_long(failure& f, std::string_view program, std::size_t units, std::size_t limit, const char* whose) {
  return spawn_failed(f, program, make_error_code(std::errc::argument_list_too_long),
                      fmt::format("the command line is {} UTF-16 units, more than {} accepts ({}); pass large data "
                                  "with spawn_options::startup_data instead",
                                  units, whose, limit));
}

}  // namespace

bool make_process_command_line(const launch_plan& plan, const std::vector<std::string>& argv,
                               std::wstring& application, std::wstring& command_line, failure& f) {
  const auto invalid = make_error_code(std::errc::invalid_argument);
  std::string line;
  wincmd::problem bad;
  const std::wstring& resolved = plan.executable.path.native();
  if (plan.executable.batch) {
    if (plan.argv0_given && plan.arguments[0].text() != plan.program) {
      return spawn_failed(f, plan.program, make_error_code(std::errc::not_supported),
                          "argv0: a batch file's %0 is the path cmd.exe runs; it cannot be set");
    }
    application = plan.executable.interpreter.native();
    const std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
    if (!wincmd::make_batch_command_line(to_utf8(application), to_utf8(resolved), args,
                                         plan.executable.cd_overridden, line, bad)) {
      if (bad.index == 0) {
        return spawn_failed(f, plan.program, invalid, fmt::format("batch file \"{}\": {}", to_utf8(resolved), bad.why));
      }
      return spawn_failed(f, plan.program, invalid, fmt::format("args[{}]: {}", bad.index - 1, bad.why));
    }
    if (!to_wide(line, command_line)) return spawn_failed(f, plan.program, invalid, "build the command line");
    if (command_line.size() > wincmd::max_batch_command_line) {
      return too_long(f, plan.program, command_line.size(), wincmd::max_batch_command_line, "cmd.exe");
    }
    return true;
  }
  if (!wincmd::make_command_line(argv, line, bad)) {
    return spawn_failed(f, plan.program, invalid,
                        fmt::format("{}: {}", option_name(plan, bad.index), bad.why));
  }
  if (!to_wide(line, command_line)) return spawn_failed(f, plan.program, invalid, "build the command line");
  if (command_line.size() > wincmd::max_command_line) {
    return too_long(f, plan.program, command_line.size(), wincmd::max_command_line + 1, "CreateProcess");
  }
  application = resolved;
  return true;
}

}  // namespace bequest::detail::win32
