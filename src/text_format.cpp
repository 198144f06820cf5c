// SPDX-License-Identifier: BSL-1.0
#include "text_format.hpp"

#include <stdexcept>

namespace bequest::detail::text {
namespace {

[[noreturn]] void bad(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument(std::string("bequest message format \"").append(pattern).append("\": ").append(why));
}

struct spec {
  bool alternate = false;  // '#'
  bool zero = false;       // '0'
  std::size_t width = 0;
  char type = 0;  // 0, 'd', 'x' or 'X'
};

spec parse_spec(std::string_view pattern, std::string_view s) {
  spec out;
  std::size_t i = 0;
  if (i < s.size() && s[i] == '#') {
    out.alternate = true;
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    out.zero = true;
    ++i;
  }
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    out.width = out.width * 10 + static_cast<std::size_t>(s[i] - '0');
    ++i;
  }
  if (i < s.size() && (s[i] == 'd' || s[i] == 'x' || s[i] == 'X')) {
    out.type = s[i];
    ++i;
  }
  if (i != s.size()) bad(pattern, "unsupported format specification");
  return out;
}

std::string digits(unsigned long long v, char type) {
  const char* const table = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  const unsigned base = type == 'x' || type == 'X' ? 16 : 10;
  std::string out;
  do {
    out.insert(out.begin(), table[v % base]);
    v /= base;
  } while (v != 0);
  return out;
}

void append_integer(std::string& out, bool negative, unsigned long long magnitude, const spec& s) {
  std::string prefix = negative ? "-" : "";
  if (s.alternate && (s.type == 'x' || s.type == 'X')) prefix += s.type == 'X' ? "0X" : "0x";
  const std::string body = digits(magnitude, s.type);
  const std::size_t length = prefix.size() + body.size();
  const std::size_t pad = s.width > length ? s.width - length : 0;
  // fmt: a '0' flag pads between the sign/prefix and the digits; without it, numbers are
  // right-aligned with spaces.
  if (s.zero) {
    out += prefix;
    out.append(pad, '0');
  } else {
    out.append(pad, ' ');
    out += prefix;
  }
  out += body;
}

void append_arg(std::string& out, std::string_view pattern, const format_arg& a, const spec& s) {
  switch (a.type()) {
    case format_arg::kind::string:
      if (s.alternate || s.zero || s.width != 0 || s.type != 0) bad(pattern, "a string takes no format specification");
      out += a.string_value();
      return;
    case format_arg::kind::signed_integer: {
      const long long v = a.signed_value();
      // The magnitude of LLONG_MIN does not fit a long long: negate in unsigned arithmetic.
      const unsigned long long magnitude =
          v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
      append_integer(out, v < 0, magnitude, s);
      return;
    }
    case format_arg::kind::unsigned_integer: append_integer(out, false, a.unsigned_value(), s); return;
  }
}

}  // namespace

std::string vformat(std::string_view pattern, const format_arg* args, std::size_t count) {
  std::string out;
  out.reserve(pattern.size() + 16 * count);
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '}') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      bad(pattern, "unmatched '}'");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) bad(pattern, "unterminated replacement field");
    std::string_view field = pattern.substr(i + 1, close - i - 1);
    if (!field.empty() && field[0] != ':') bad(pattern, "argument indices and names are not supported");
    if (!field.empty()) field.remove_prefix(1);
    if (next == count) bad(pattern, "more replacement fields than arguments");
    append_arg(out, pattern, args[next++], parse_spec(pattern, field));
    i = close;
  }
  if (next != count) bad(pattern, "more arguments than replacement fields");
  return out;
}

}  // namespace bequest::detail::text
