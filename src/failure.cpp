// SPDX-License-Identifier: BSL-1.0
#include "failure.hpp"

#include "text_format.hpp"

namespace bequest::detail {

bool spawn_failed(failure& f, std::string_view program, std::error_code code, std::string detail) {
  f.code = code;
  f.message = detail::text::format("spawn \"{}\": {}", program, detail);
  return false;
}

std::string full_message(const failure& f) { return detail::text::format("{}: {}", f.message, f.code.message()); }

}  // namespace bequest::detail
