// SPDX-License-Identifier: BSL-1.0
#pragma once

// Not fmt: the library's sources write their messages with `fmt::format(...)`, and this
// header, first on the library's private include path, gives that call the library's own
// formatter (src/text_format.hpp), so that bequest builds without fmt and has no
// dependency on it, neither for its users nor for its packagers. Only `fmt::format` with
// the fields that text_format.hpp lists exists here. Users who want fmt formatters for
// bequest's types include <bequest/format.hpp> with their own fmt.

#include "../../text_format.hpp"

namespace fmt {
using ::bequest::detail::text::format;
}  // namespace fmt
