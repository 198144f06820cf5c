// SPDX-License-Identifier: BSL-1.0
#include <bequest/exit_status.hpp>

#include "platform.hpp"

#include "text_format.hpp"

namespace bequest {

std::string exit_status::to_string() const {
  if (signal_ != 0) {
    const char* name = detail::os::signal_name(signal_);
    std::string text = name ? detail::text::format("killed by signal {} ({})", signal_, name)
                            : detail::text::format("killed by signal {}", signal_);
    if (core_) text += ", core dumped";
    return text;
  }
  // Windows NTSTATUS-style codes (0xC0000005) read better in hex.
  const auto bits = static_cast<unsigned>(code_);
  if (bits >= 0x80000000u) return detail::text::format("exited with code 0x{:08X}", bits);
  return detail::text::format("exited with code {}", code_);
}

int exit_status::native_status() const noexcept { return detail::os::native_status(code_, signal_, core_); }

}  // namespace bequest
