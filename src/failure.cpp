// SPDX-License-Identifier: BSL-1.0
#include "failure.hpp"

#include <fmt/format.h>

namespace bequest::detail {

bool spawn_failed(failure& f, std::string_view program, std::error_code code, std::string detail) {
  f.code = code;
  f.message = fmt::format("spawn \"{}\": {}", program, detail);
  return false;
}

std::string full_message(const failure& f) { return fmt::format("{}: {}", f.message, f.code.message()); }

}  // namespace bequest::detail
