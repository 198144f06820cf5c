// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// The child's side: finding the handles a bequest parent passed.

#include <bequest/config.hpp>
#include <bequest/options.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace bequest {

/// The environment variable through which a parent tells its child where the inherited
/// handles are: `name=value` pairs separated by `;`, values in decimal, for example
/// `BEQUEST_INHERIT=log=3;listen=4`. `spawn()` sets it when `inherit` or `startup_data` is
/// not empty and removes an inherited copy of it otherwise, so a child never sees stale
/// values. Start-up data travels as the reserved entry `bequest.startup_data`, last, which
/// `inherited_handle()` and `inherited_handles()` never return (see `startup_data()`). A
/// variable damaged anywhere — a malformed entry, a repeated name, a value too large for a
/// handle of this process (POSIX: above `INT_MAX`; Windows: above 2^32 - 1, a handle's
/// significant bits) — is void as a whole: none of its entries is used.
inline constexpr const char* inherit_variable = "BEQUEST_INHERIT";

/// The handle the parent passed under `name`, or empty when there is none, or when the
/// value published for it is not an open handle in this process (a forged or stale
/// variable yields nothing rather than somebody else's handle).
///
/// The variable is read once, on first use, and the result kept.
[[nodiscard]] BEQUEST_API std::optional<native_handle> inherited_handle(std::string_view name);

/// Every handle the parent passed, in the order it listed them (only those that are open).
[[nodiscard]] BEQUEST_API std::vector<inherited> inherited_handles();

/// Reads the variable (if not yet read) and removes it from this process's environment,
/// so that grandchildren started by any means do not see it. `inherited_handle()` and
/// `startup_data()` keep answering from what was read.
BEQUEST_API void clear_inherit_variable();

}  // namespace bequest
