// SPDX-License-Identifier: BSL-1.0
#include <bequest/error.hpp>

namespace bequest {

// Out of line so that the vtable and type_info have one home, exported from a shared build:
// an exception thrown inside the library is then caught by its type in the caller.
error::error(std::error_code code, const std::string& message) : std::system_error(code, message) {}
error::~error() = default;

}  // namespace bequest
