// SPDX-License-Identifier: BSL-1.0
// POSIX: deciding which file a spawn executes.
#include "posix.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

#include "../text_format.hpp"

namespace bequest::detail::posix {
namespace {

enum class candidate { missing, runnable, not_runnable, directory };

candidate check(const std::string& path) noexcept {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return candidate::missing;
  if (S_ISDIR(st.st_mode)) return candidate::directory;
  if (::access(path.c_str(), X_OK) != 0) return candidate::not_runnable;
  return candidate::runnable;
}

}  // namespace

std::string default_path() {
  char buffer[256];
  const std::size_t n = ::confstr(_CS_PATH, buffer, sizeof buffer);
  if (n == 0 || n > sizeof buffer) return "/bin:/usr/bin";
  return std::string(buffer, n - 1);
}

bool resolve_program(std::string_view program, std::string_view path_var, bool cwd_changes, std::string& resolved,
                     failure& f) {
  if (program.find('/') != std::string_view::npos) {
    resolved.assign(program);
    if (resolved[0] != '/' && cwd_changes) {
      char buffer[4096];
      if (!::getcwd(buffer, sizeof buffer)) {
        return spawn_failed(f, program, last_os_error(), "make the relative program path absolute (getcwd)");
      }
      resolved = detail::text::format("{}/{}", buffer, program);
    }
    switch (check(resolved)) {
      case candidate::runnable: return true;
      case candidate::missing: return spawn_failed(f, program, {ENOENT, std::generic_category()}, "program not found");
      case candidate::directory:
        return spawn_failed(f, program, make_error_code(std::errc::is_a_directory), "program is a directory");
      case candidate::not_runnable:
        return spawn_failed(f, program, make_error_code(std::errc::permission_denied), "program is not executable");
    }
  }
  bool saw_not_runnable = false;
  std::string first_not_runnable;
  std::size_t pos = 0;
  while (pos <= path_var.size()) {
    std::size_t end = path_var.find(':', pos);
    if (end == std::string_view::npos) end = path_var.size();
    const std::string_view dir = path_var.substr(pos, end - pos);
    pos = end + 1;
    // An empty or relative entry would search the current directory: never do that.
    if (dir.empty() || dir[0] != '/') continue;
    std::string path(dir);
    if (path.back() != '/') path += '/';
    path.append(program);
    const candidate c = check(path);
    if (c == candidate::runnable) {
      resolved = std::move(path);
      return true;
    }
    if (c == candidate::not_runnable && !saw_not_runnable) {
      saw_not_runnable = true;
      first_not_runnable = path;
    }
  }
  if (saw_not_runnable) {
    return spawn_failed(
        f, program, make_error_code(std::errc::permission_denied),
        detail::text::format("program found on PATH at \"{}\" but it is not executable", first_not_runnable));
  }
  return spawn_failed(f, program, {ENOENT, std::generic_category()},
                      detail::text::format("program not found on PATH \"{}\"", path_var));
}

}  // namespace bequest::detail::posix
