// SPDX-License-Identifier: BSL-1.0
#include "startup_format.hpp"

#include <cstring>

namespace bequest::detail {
namespace {

constexpr std::size_t version_offset = 8;
constexpr std::size_t header_size_offset = 12;
constexpr std::size_t payload_size_offset = 16;
constexpr std::size_t reserved_offset = 24;

template <class T>
T load(const std::byte* at) noexcept {
  T value;
  std::memcpy(&value, at, sizeof value);  // the header may sit anywhere: no aligned loads
  return value;
}

template <class T>
void store(std::byte* at, T value) noexcept {
  std::memcpy(at, &value, sizeof value);
}

}  // namespace

void write_startup_header(std::byte* out, std::uint64_t payload_size) noexcept {
  std::memset(out, 0, startup_header_size);
  std::memcpy(out, startup_magic, sizeof startup_magic);
  store<std::uint32_t>(out + version_offset, startup_format_version);
  store<std::uint32_t>(out + header_size_offset, static_cast<std::uint32_t>(startup_header_size));
  store<std::uint64_t>(out + payload_size_offset, payload_size);
}

startup_verdict check_startup_bytes(const std::byte* bytes, std::size_t available) noexcept {
  startup_verdict v;
  // Each check reads only what the previous ones proved is there.
  if (bytes == nullptr || available < sizeof startup_magic) {
    v.error = startup_data_errc::too_small;
    return v;
  }
  if (std::memcmp(bytes, startup_magic, sizeof startup_magic) != 0) {
    v.error = startup_data_errc::bad_magic;
    return v;
  }
  if (available < startup_header_size) {
    v.error = startup_data_errc::too_small;
    return v;
  }
  if (load<std::uint32_t>(bytes + version_offset) != startup_format_version) {
    v.error = startup_data_errc::bad_version;
    return v;
  }
  if (load<std::uint32_t>(bytes + header_size_offset) != startup_header_size) {
    v.error = startup_data_errc::bad_header;
    return v;
  }
  for (std::size_t i = reserved_offset; i < startup_header_size; ++i) {
    if (bytes[i] != std::byte{0}) {
      v.error = startup_data_errc::bad_header;
      return v;
    }
  }
  const std::uint64_t payload = load<std::uint64_t>(bytes + payload_size_offset);
  // Compared without adding, so no announced size can overflow into a small one.
  if (payload > static_cast<std::uint64_t>(available - startup_header_size)) {
    v.error = startup_data_errc::too_small;
    return v;
  }
  v.payload_offset = startup_header_size;
  v.payload_size = static_cast<std::size_t>(payload);
  return v;
}

}  // namespace bequest::detail
