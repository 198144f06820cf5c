// SPDX-License-Identifier: BSL-1.0
#pragma once

// WTF-8 (https://simonsapin.github.io/wtf-8/): UTF-8 generalised to strings of UTF-16 code
// units that need not be valid UTF-16. A surrogate pair is one 4-byte sequence, as in UTF-8;
// an unpaired surrogate is its own 3-byte sequence (ED A0..BF xx), which UTF-8 forbids. So
// every string of 16-bit units has exactly one WTF-8 form and comes back from it unit for
// unit, and valid UTF-8 is WTF-8 of the same text. The Windows backend carries the parent's
// environment in this form (os::current_environment), so that a variable nobody changed
// reaches the child exactly as the parent had it. Pure code, for both builds' unit tests.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bequest::detail::wtf8 {

/// The WTF-8 form of the 16-bit code units `units` (char16_t, or wchar_t on Windows).
template <class Unit>
std::string encode(std::basic_string_view<Unit> units) {
  static_assert(sizeof(Unit) >= 2, "UTF-16 code units");
  std::string out;
  out.reserve(units.size());
  const std::size_t n = units.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t cp = static_cast<std::uint16_t>(units[i]);
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n) {
      const std::uint32_t next = static_cast<std::uint16_t>(units[i + 1]);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (next - 0xDC00);
        ++i;
      }
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {  // an unpaired surrogate lands here too, in its 3-byte form
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

/// Decodes the sequence at `text[i]`: its code point (a surrogate's value too, as WTF-8 and
/// the generalised UTF-8 allow) into `cp` and its length into `length`. False for a byte that
/// starts no sequence, a truncated or overlong one, or a value past U+10FFFF. Plain UTF-8 is
/// this with every surrogate refused (is_valid_utf8, src/lower.cpp).
inline bool decode_one(std::string_view text, std::size_t i, std::uint32_t& cp, std::size_t& length) noexcept {
  const auto c = static_cast<unsigned char>(text[i]);
  length = 1;
  cp = c;
  if (c < 0x80) return true;
  if (c >= 0xC2 && c <= 0xDF)
    length = 2, cp = c & 0x1Fu;
  else if (c >= 0xE0 && c <= 0xEF)
    length = 3, cp = c & 0x0Fu;
  else if (c >= 0xF0 && c <= 0xF4)
    length = 4, cp = c & 0x07u;
  else
    return false;
  if (text.size() - i < length) return false;
  for (std::size_t k = 1; k < length; ++k) {
    const auto d = static_cast<unsigned char>(text[i + k]);
    if ((d & 0xC0u) != 0x80u) return false;
    cp = (cp << 6) | (d & 0x3Fu);
  }
  return !((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000) || cp > 0x10FFFF);
}

/// The 16-bit code units whose WTF-8 form is `text`, into `out`. False when `text` is not
/// WTF-8: a malformed or overlong sequence, a value past U+10FFFF, or a lead surrogate's
/// 3-byte sequence followed by a trail surrogate's (that pair has only the 4-byte form), so
/// that no two strings decode to the same units.
template <class Unit>
bool decode(std::string_view text, std::basic_string<Unit>& out) {
  static_assert(sizeof(Unit) >= 2, "UTF-16 code units");
  out.clear();
  out.reserve(text.size());
  const std::size_t n = text.size();
  bool after_lead_surrogate = false;  // the last thing decoded was an unpaired lead surrogate
  for (std::size_t i = 0; i < n;) {
    std::uint32_t cp = 0;
    std::size_t length = 0;
    if (!decode_one(text, i, cp, length)) return false;
    const bool trail = cp >= 0xDC00 && cp <= 0xDFFF;
    if (trail && after_lead_surrogate) return false;
    after_lead_surrogate = cp >= 0xD800 && cp <= 0xDBFF;
    if (cp >= 0x10000) {
      out += static_cast<Unit>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<Unit>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<Unit>(cp);
    }
    i += length;
  }
  return true;
}

}  // namespace bequest::detail::wtf8
