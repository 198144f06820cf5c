// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::spawn()`.

#include <bequest/child.hpp>
#include <bequest/config.hpp>
#include <bequest/options.hpp>

#include <string>
#include <system_error>

namespace bequest {

/// Starts a process. Throws `bequest::error` if it cannot be started; the message names the
/// program, the step that failed and the offending option. A failed spawn leaves nothing
/// behind: no handle, descriptor, helper-side duplicate, mapping or process.
[[nodiscard]] BEQUEST_API child spawn(const spawn_options& options);
/// The same, reporting failure through `ec` (and an empty `child`).
[[nodiscard]] BEQUEST_API child spawn(const spawn_options& options, std::error_code& ec) noexcept;
/// The same, also giving the message the throwing form would have thrown.
[[nodiscard]] BEQUEST_API child spawn(const spawn_options& options, std::error_code& ec, std::string& message) noexcept;

/// True when this build guarantees that a child receives exactly its stdio and `inherit`
/// set even if other code in this process creates inheritable handles (descriptors without
/// O_CLOEXEC). True on Windows, on Linux with glibc >= 2.34 and on macOS. Where false (other
/// POSIX systems, or a build with BEQUEST_POSIX_GENERIC), handles bequest creates still never
/// leak, but a descriptor that other code opened without O_CLOEXEC reaches every child.
[[nodiscard]] BEQUEST_API bool exact_inheritance() noexcept;

}  // namespace bequest
