// SPDX-License-Identifier: BSL-1.0
// POSIX: this process's environment.
#include "../platform.hpp"

#include <cstdlib>
#include <cstring>

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header on every system

namespace bequest::detail::os {

bool env_names_equal(std::string_view a, std::string_view b) { return a == b; }

bool strings_must_be_utf8() noexcept { return false; }

std::vector<std::pair<std::string, std::string>> current_environment() {
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** p = environ; p && *p; ++p) {
    const char* entry = *p;
    const char* eq = std::strchr(entry, '=');
    if (!eq || eq == entry) continue;  // not NAME=VALUE: nothing a child could use
    vars.emplace_back(std::string(entry, eq), std::string(eq + 1));
  }
  return vars;
}

std::optional<std::string> get_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

void unset_env(const std::string& name) noexcept { ::unsetenv(name.c_str()); }

}  // namespace bequest::detail::os
