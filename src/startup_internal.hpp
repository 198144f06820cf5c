// SPDX-License-Identifier: BSL-1.0
#pragma once

// The parent's side of start-up data, shared by both backends: the state behind a
// startup_buffer, and the object one spawn passes.

#include "failure.hpp"
#include "platform.hpp"

#include <bequest/options.hpp>
#include <bequest/startup_data.hpp>

#include <mutex>
#include <string_view>

namespace bequest {

struct startup_buffer::impl {
  std::mutex mutex;  ///< guards sealing
  detail::os::memory_object memory;
  std::size_t payload_size = 0;
  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() { detail::os::release_memory(memory); }
};

namespace detail {

/// The entry of BEQUEST_INHERIT that carries the start-up data's handle. Names beginning with
/// "bequest." cannot be used in `inherit`, so it never collides with a caller's entry.
inline constexpr std::string_view startup_entry = "bequest.startup_data";

/// The start-up data of one spawn: the handle the child receives, and the object made for this
/// spawn alone when the caller gave bytes (released with this, right after the spawn).
struct startup_object {
  native_handle handle = invalid_native_handle;
  os::memory_object owned;
  startup_object() = default;
  startup_object(const startup_object&) = delete;
  startup_object& operator=(const startup_object&) = delete;
  ~startup_object() { os::release_memory(owned); }
};

/// Sets `out` up for `payload`: seals a buffer that is not sealed yet, or copies the bytes into
/// a new sealed object. Nothing to do (out.handle stays invalid) when it is empty.
bool prepare_startup_data(std::string_view program, const startup_payload& payload, startup_object& out, failure& f);

/// What the child's BEQUEST_INHERIT says about start-up data (src/inherited.cpp reads it once,
/// with the rest of the variable).
struct startup_announcement {
  bool present = false;    ///< a bequest.startup_data entry was there
  bool malformed = false;  ///< the variable was void (one value that fits no handle voids it all)
  native_handle handle = invalid_native_handle;
};
startup_announcement announced_startup_data();

struct startup_buffer_access {
  static startup_buffer::impl* get(const startup_buffer& b) noexcept { return b.impl_.get(); }
  static bool seal(startup_buffer::impl& b, std::error_code& ec) noexcept;
};

}  // namespace detail
}  // namespace bequest
