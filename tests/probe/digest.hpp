// SPDX-License-Identifier: BSL-1.0
#pragma once

// The digest the probe prints for start-up data and the tests compute over what they sent:
// FNV-1a over 64-bit words (then the tail bytes), with the length mixed in. Fast enough for
// 1 GiB, and any changed, moved or missing byte changes it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace probe {

inline std::uint64_t digest(const void* data, std::size_t size) {
  constexpr std::uint64_t prime = 0x100000001b3ull;
  std::uint64_t h = 0xcbf29ce484222325ull ^ static_cast<std::uint64_t>(size);
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = (h ^ word) * prime;
  }
  for (; i < size; ++i) h = (h ^ p[i]) * prime;
  return h;
}

inline std::string digest_hex(const void* data, std::size_t size) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(digest(data, size)));
  return text;
}

}  // namespace probe
