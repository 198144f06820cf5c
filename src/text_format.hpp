// SPDX-License-Identifier: BSL-1.0
#pragma once

// The library's own message formatting: `{}` replacement fields, so that building bequest
// needs nothing but a C++17 compiler. What the library's messages use and nothing more:
//
//   {}          an integer in decimal, or a string as it is
//   {:x} {:X}   an integer in hexadecimal (lower / upper case digits)
//   {:#x} {:#X} with a 0x / 0X prefix
//   {:013x}     zero-padded to a width (the width counts the prefix, as in fmt)
//   {{ }}       a literal brace
//
// The output is the same as fmt's for these fields. Anything else (an argument index, a
// fill, an alignment, a precision, a missing or extra argument) throws
// std::invalid_argument: a mistake in a message of the library, found by its tests.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace bequest::detail::text {

/// One argument, as the formatter sees it.
class format_arg {
 public:
  template <class T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>, int> = 0>
  format_arg(T v) noexcept {  // NOLINT: implicit on purpose, as fmt's arguments are
    if constexpr (std::is_signed_v<T>) {
      kind_ = kind::signed_integer;
      signed_ = static_cast<long long>(v);
    } else {
      kind_ = kind::unsigned_integer;
      unsigned_ = static_cast<unsigned long long>(v);
    }
  }
  format_arg(std::string_view s) noexcept : kind_(kind::string), string_(s) {}
  format_arg(const std::string& s) noexcept : kind_(kind::string), string_(s) {}
  format_arg(const char* s) noexcept : kind_(kind::string), string_(s) {}

  enum class kind { signed_integer, unsigned_integer, string };
  kind type() const noexcept { return kind_; }
  long long signed_value() const noexcept { return signed_; }
  unsigned long long unsigned_value() const noexcept { return unsigned_; }
  std::string_view string_value() const noexcept { return string_; }

 private:
  kind kind_;
  long long signed_ = 0;
  unsigned long long unsigned_ = 0;
  std::string_view string_;
};

/// Replaces the fields of `pattern` by `args` in order; see the top of this file.
std::string vformat(std::string_view pattern, const format_arg* args, std::size_t count);

template <class... Args>
std::string format(std::string_view pattern, const Args&... args) {
  const std::array<format_arg, sizeof...(Args)> list{format_arg(args)...};
  return vformat(pattern, list.data(), list.size());
}

}  // namespace bequest::detail::text
