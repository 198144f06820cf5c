// SPDX-License-Identifier: BSL-1.0
#pragma once

// The start-up data header: what the parent writes in front of the payload and what the child
// checks before it trusts a byte. Pure functions over bytes, no OS calls, so that they can be
// unit-tested and fuzzed on their own. The format is in docs/startup-data.md.

#include <bequest/startup_data.hpp>

#include <cstddef>
#include <cstdint>

namespace bequest::detail {

/// Every field of the header, in the machine's byte order (parent and child run on one machine).
///
///   offset  size  field
///        0     8  magic "\x89" "BEQSTD" "\x1a"
///        8     4  format version (1)
///       12     4  header size, which is also the payload's offset (64)
///       16     8  payload size in bytes
///       24    40  reserved, zero
inline constexpr std::size_t startup_header_size = 64;
inline constexpr std::uint32_t startup_format_version = 1;
inline constexpr unsigned char startup_magic[8] = {0x89, 'B', 'E', 'Q', 'S', 'T', 'D', 0x1a};

/// The largest payload a header can announce on this machine (the whole object must be
/// addressable).
inline constexpr std::uint64_t startup_max_payload = static_cast<std::uint64_t>(SIZE_MAX) - startup_header_size;

/// Writes the header for a payload of `payload_size` bytes into `out` (startup_header_size bytes).
void write_startup_header(std::byte* out, std::uint64_t payload_size) noexcept;

/// What check_startup_bytes found.
struct startup_verdict {
  startup_data_errc error{};  ///< zero (value-initialised) when the bytes are good
  std::size_t payload_offset = 0;
  std::size_t payload_size = 0;
  [[nodiscard]] bool ok() const noexcept { return error == startup_data_errc{}; }
};

/// Checks the `available` bytes at `bytes` — everything the child could map — as start-up
/// data: a header of this version and a payload that fits inside `available`. Reads only
/// inside [bytes, bytes + available), whatever those bytes are.
startup_verdict check_startup_bytes(const std::byte* bytes, std::size_t available) noexcept;

}  // namespace bequest::detail
