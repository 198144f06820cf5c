// SPDX-License-Identifier: BSL-1.0
// Win32: the application name and command line handed to CreateProcessW.
#include "../launch_plan.hpp"
#include "../windows_command_line.hpp"
#include "win32.hpp"

#include "../text_format.hpp"

namespace bequest::detail::win32 {
namespace {

std::string option_name(const launch_plan& plan, std::size_t index) {
  if (index == 0) return plan.argv0_given ? "argv0" : "program";
  return detail::text::format("args[{}]", index - 1);
}

bool too_long(failure& f, std::string_view program, std::size_t units, std::size_t limit, const char* whose) {
  return spawn_failed(
      f, program, make_error_code(std::errc::argument_list_too_long),
      detail::text::format("the command line is {} UTF-16 units, more than {} accepts ({}); pass large data "
                           "with spawn_options::startup_data instead",
                           units, whose, limit));
}

// The byte WideCharToMultiByte gives `cp` in code page `*context` only by best fit: the
// conversion with WC_NO_BEST_FIT_CHARS does not give it (it gives the default character).
char best_fit_image(char32_t cp, void* context) {
  const UINT code_page = *static_cast<const UINT*>(context);
  wchar_t wide[2];
  int units = 1;
  if (cp >= 0x10000) {
    wide[0] = static_cast<wchar_t>(0xD800 + ((cp - 0x10000) >> 10));
    wide[1] = static_cast<wchar_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    units = 2;
  } else {
    wide[0] = static_cast<wchar_t>(cp);
  }
  char fitted[8];
  BOOL fitted_default = FALSE;
  const int n = ::WideCharToMultiByte(code_page, 0, wide, units, fitted, sizeof fitted, nullptr, &fitted_default);
  if (n != 1 || fitted_default || static_cast<unsigned char>(fitted[0]) >= 0x80) return 0;
  char strict[8];
  BOOL strict_default = FALSE;
  const int m = ::WideCharToMultiByte(code_page, WC_NO_BEST_FIT_CHARS, wide, units, strict, sizeof strict, nullptr,
                                      &strict_default);
  if (m == 1 && !strict_default && strict[0] == fitted[0]) return 0;  // the character itself, not a best fit
  return fitted[0];
}

}  // namespace

bool check_best_fit(const launch_plan& plan, const child_values& values, failure& f) {
  if (plan.windows.child_reads_wide_command_line) return true;
  UINT code_page = ::GetACP();
  // UTF-8 as the ANSI code page has no best-fit mapping, and refuses lpUsedDefaultChar.
  if (code_page == CP_UTF8) return true;
  const bool batch = plan.executable.batch;
  auto check = [&](const std::string& text, const std::string& field) {
    const auto hazard = wincmd::find_best_fit_hazard(text, batch, best_fit_image, &code_page);
    if (!hazard) return true;
    return spawn_failed(
        f, plan.program, make_error_code(std::errc::invalid_argument),
        detail::text::format(
            "{}: U+{:04X} becomes '{}' in the child's ANSI code page {} by best-fit mapping, which would split "
            "the command line there for a program that reads it as ANSI (main, GetCommandLineA); set "
            "windows.child_reads_wide_command_line if the child reads it as UTF-16 (wmain)",
            field, static_cast<std::uint32_t>(hazard->code_point), std::string(1, hazard->becomes), code_page));
  };
  if (!check(to_utf8(plan.executable.path.native()), "program")) return false;
  if (plan.verbatim_command_line) return check(plan.verbatim_command_line->render(values), "windows.command_line");
  const std::vector<std::string> argv = plan.render_arguments(values);
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (!check(argv[i], option_name(plan, i))) return false;
  }
  return true;
}

bool make_process_command_line(const launch_plan& plan, const child_values& values, std::wstring& application,
                               std::wstring& command_line, failure& f) {
  const auto invalid = make_error_code(std::errc::invalid_argument);
  std::string line;
  wincmd::problem bad;
  const std::wstring& resolved = plan.executable.path.native();
  if (plan.verbatim_command_line) {
    if (plan.executable.batch) {
      return spawn_failed(f, plan.program, invalid,
                          "windows.command_line: a batch file's command line is built by bequest, so that cmd.exe "
                          "cannot read an argument as a command (BatBadBut); pass args instead");
    }
    if (!to_wide(plan.verbatim_command_line->render(values), command_line)) {
      return spawn_failed(f, plan.program, invalid, "windows.command_line is not valid UTF-8");
    }
    if (command_line.size() > wincmd::max_command_line) {
      return too_long(f, plan.program, command_line.size(), wincmd::max_command_line + 1, "CreateProcess");
    }
    application = resolved;
    return true;
  }
  const std::vector<std::string> argv = plan.render_arguments(values);
  if (plan.executable.batch) {
    if (plan.argv0_given && plan.arguments[0].text() != plan.program) {
      return spawn_failed(f, plan.program, make_error_code(std::errc::not_supported),
                          "argv0: a batch file's %0 is the path cmd.exe runs; it cannot be set");
    }
    application = plan.executable.interpreter.native();
    const std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
    if (!wincmd::make_batch_command_line(to_utf8(application), to_utf8(resolved), args, plan.executable.cd_overridden,
                                         line, bad)) {
      if (bad.index == 0) {
        return spawn_failed(f, plan.program, invalid,
                            detail::text::format("batch file \"{}\": {}", to_utf8(resolved), bad.why));
      }
      return spawn_failed(f, plan.program, invalid, detail::text::format("args[{}]: {}", bad.index - 1, bad.why));
    }
    if (!to_wide(line, command_line)) return spawn_failed(f, plan.program, invalid, "build the command line");
    if (command_line.size() > wincmd::max_batch_command_line) {
      return too_long(f, plan.program, command_line.size(), wincmd::max_batch_command_line, "cmd.exe");
    }
    return true;
  }
  if (!wincmd::make_command_line(argv, line, bad)) {
    return spawn_failed(f, plan.program, invalid,
                        detail::text::format("{}: {}", option_name(plan, bad.index), bad.why));
  }
  if (!to_wide(line, command_line)) return spawn_failed(f, plan.program, invalid, "build the command line");
  if (command_line.size() > wincmd::max_command_line) {
    return too_long(f, plan.program, command_line.size(), wincmd::max_command_line + 1, "CreateProcess");
  }
  application = resolved;
  return true;
}

}  // namespace bequest::detail::win32
