// SPDX-License-Identifier: BSL-1.0
#pragma once

// A handle as the integer a parent publishes (BEQUEST_INHERIT, {handle:NAME}, messages), and
// back: an fd on POSIX, a HANDLE's bits on Windows.

#include <cstdint>
#include <limits>
#include <type_traits>

namespace bequest::detail {

/// The integer a handle is published as.
template <class H>
std::uint64_t handle_value(H h) noexcept {
  if constexpr (std::is_pointer_v<H>) {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(h));
  } else {
    return static_cast<std::uint64_t>(h);
  }
}

/// The handle a published integer stands for; false when `value` fits no handle of type H.
template <class H>
bool to_handle(std::uint64_t value, H& out) noexcept {
  if constexpr (std::is_pointer_v<H>) {
    if (value > static_cast<std::uint64_t>(UINTPTR_MAX)) return false;
    out = reinterpret_cast<H>(static_cast<std::uintptr_t>(value));
  } else {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<H>::max())) return false;
    out = static_cast<H>(value);
  }
  return true;
}

}  // namespace bequest::detail
