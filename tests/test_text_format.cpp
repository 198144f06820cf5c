// SPDX-License-Identifier: BSL-1.0
// The library's own message formatter (src/text_format.hpp): the same text as fmt for every
// field the library's messages use, and an error for everything else.
#include "common.hpp"

#include "text_format.hpp"

#include <climits>
#include <cstdint>
#include <stdexcept>

namespace text = bequest::detail::text;

TEST_CASE("message formatter: the fields the library uses give fmt's text", "[units]") {
  CHECK(text::format("plain") == "plain");
  CHECK(text::format("spawn \"{}\": {}", std::string("worker"), "args[1]") == "spawn \"worker\": args[1]");
  CHECK(text::format("{}", std::string_view("view")) == "view");
  CHECK(text::format("{{handle:{}}} and {{}}", "log") == "{handle:log} and {}");
  CHECK(text::format("{} {} {} {}", 0, -7, 42u, std::uint64_t{18446744073709551615ull}) ==
        "0 -7 42 18446744073709551615");
  CHECK(text::format("{}", LLONG_MIN) == "-9223372036854775808");
  CHECK(text::format("{}", static_cast<short>(-3)) == "-3");
  CHECK(text::format("{}", std::size_t{4096}) == "4096");
  CHECK(text::format("{:#010X}", 0xC0000005u) == "0XC0000005");
  CHECK(text::format("{:#010X}", 0x80000000u) == "0X80000000");
  CHECK(text::format("{:#010X}", 0xABu) == "0X000000AB");
  CHECK(text::format("{:#x}", 255) == "0xff");
  CHECK(text::format("{:x}{:X}", 3054u, 3054u) == "beeBEE");
  CHECK(text::format("/bq-{:013x}{:013x}", 0x1ull, 0xFFFFFFFFFFFFFull) == "/bq-0000000000001fffffffffffff");
  CHECK(text::format("{:5}|{:05}|{:05}", 42, 42, -42) == "   42|00042|-0042");
  CHECK(text::format("{:d}", 17) == "17");
  // Each case above is also what fmt prints.
  CHECK(fmt::format("{:#010X}", 0xC0000005u) == text::format("{:#010X}", 0xC0000005u));
  CHECK(fmt::format("{:05}|{:5}", -42, 42) == text::format("{:05}|{:5}", -42, 42));
  CHECK(fmt::format("/bq-{:013x}", 0x1ull) == text::format("/bq-{:013x}", 0x1ull));
}

TEST_CASE("message formatter: a field it does not support is an error, never a guess", "[units]") {
  CHECK_THROWS_AS(text::format("{0}", 1), std::invalid_argument);
  CHECK_THROWS_AS(text::format("{:>5}", 1), std::invalid_argument);
  CHECK_THROWS_AS(text::format("{:.2}", 1), std::invalid_argument);
  CHECK_THROWS_AS(text::format("{:x}", "text"), std::invalid_argument);
  CHECK_THROWS_AS(text::format("{}"), std::invalid_argument);
  CHECK_THROWS_AS(text::format("no field", 1), std::invalid_argument);
  CHECK_THROWS_AS(text::format("{", 1), std::invalid_argument);
  CHECK_THROWS_AS(text::format("}", 1), std::invalid_argument);
  try {
    (void)text::format("{:>5}", 1);
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "bequest message format \"{:>5}\": unsupported format specification");
  }
}
