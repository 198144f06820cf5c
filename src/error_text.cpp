// SPDX-License-Identifier: BSL-1.0
#include "error_text.hpp"

#include "text_format.hpp"

#include <cerrno>

namespace bequest::detail {

std::string describe_exec_error(int error, std::string_view path) {
  switch (error) {
    case E2BIG:
      return detail::text::format(
          "execute \"{}\": the arguments and environment exceed the system limit (ARG_MAX); "
          "pass large data with spawn_options::startup_data instead",
          path);
    case ENOEXEC:
      return detail::text::format("execute \"{}\": not an executable format (a script needs a #! line)", path);
    case ENOENT:
      return detail::text::format("execute \"{}\": the file or its interpreter was not found, or cwd is missing", path);
    default: return detail::text::format("execute \"{}\"", path);
  }
}

std::string describe_create_process_error(std::uint32_t error, std::string_view path) {
  switch (error) {
    case win32_code::bad_exe_format:
    case win32_code::exe_machine_type_mismatch:
      return detail::text::format(
          "execute \"{}\": not a Windows program this system can run (only .bat and .cmd files run "
          "through cmd.exe)",
          path);
    case win32_code::elevation_required:
      return detail::text::format(
          "execute \"{}\": the program requires elevation (run it from an elevated process, or "
          "through ShellExecuteEx with the \"runas\" verb)",
          path);
    case win32_code::directory: return detail::text::format("execute \"{}\": cwd is not a valid directory", path);
    default: return detail::text::format("execute \"{}\" (CreateProcess)", path);
  }
}

}  // namespace bequest::detail
