// SPDX-License-Identifier: BSL-1.0
#include "error_text.hpp"

#include <fmt/format.h>

#include <cerrno>

namespace bequest::detail {

std::string describe_exec_error(int error, std::string_view path) {
  switch (error) {
    case E2BIG:
      return fmt::format("execute \"{}\": the arguments and environment exceed the system limit (ARG_MAX); "
                         "pass large data with spawn_options::startup_data instead",
                         path);
    case ENOEXEC: return fmt::format("execute \"{}\": not an executable format (a script needs a #! line)", path);
    case ENOENT:
      return fmt::format("execute \"{}\": the file or its interpreter was not found, or cwd is missing", path);
    default: return fmt::format("execute \"{}\"", path);
  }
}

std::string describe_create_process_error(std::uint32_t error, std::string_view path) {
  switch (error) {
    case win32_code::bad_exe_format:
    case win32_code::exe_machine_type_mismatch:
      return fmt::format("execute \"{}\": not a Windows program this system can run (only .bat and .cmd files run "
                         "through cmd.exe)",
                         path);
    case win32_code::elevation_required:
      return fmt::format("execute \"{}\": the program requires elevation (run it from an elevated process, or "
                         "through ShellExecuteEx with the \"runas\" verb)",
                         path);
    case win32_code::directory: return fmt::format("execute \"{}\": cwd is not a valid directory", path);
    default: return fmt::format("execute \"{}\" (CreateProcess)", path);
  }
}

}  // namespace bequest::detail
