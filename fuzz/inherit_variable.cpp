// SPDX-License-Identifier: BSL-1.0
// Fuzz target: the child's parser of BEQUEST_INHERIT (src/inherit_format.cpp).
//
// The documented format (<bequest/inherited.hpp>, docs/guide.md), written here once more as
// an independent reference:
//
//   variable := entry (';' entry)*          entry := name '=' number
//   name     := 1 to 64 of A-Z a-z 0-9 _ . -
//   number   := '0' | [1-9][0-9]*, at most 2^64 - 1, and at most the child's largest handle
//               value (POSIX: INT_MAX; Windows: 2^32 - 1)
//   no name twice; anything else voids the whole variable (the parser returns nothing).
//
// Properties, for every input and each largest value (INT_MAX, 2^32 - 1, 2^64 - 1):
//  1. parse_inherit_variable(text, max) is exactly what the reference reads: the same entries
//     in the same order when the text conforms, nothing when it does not.
//  5. All or nothing (issue 16): the bounded parse is either every entry of the unbounded one
//     or none, and none as soon as one value is above the largest; a value out of range never
//     costs just its own entry.
//  2. Every accepted entry has a name of the documented syntax, and names are unique.
//  3. An accepted text is the canonical one: format_inherit_variable(parse(text)) == text
//     (a parent writes it one way only, so nothing else needs to be accepted).
//  4. Round trip: a list of valid entries decoded from the same input, formatted by the
//     parent's formatter, parses back to exactly that list (bounded: to that list when every
//     value is in range, else to nothing).
#include "check.hpp"
#include "inherit_format.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <charconv>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using bequest::detail::inherit_entry;

constexpr std::string_view name_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

bool is_name_char(char c) { return name_alphabet.find(c) != std::string_view::npos; }

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// The grammar above as a one-pass state machine over the bytes; nullopt when the text does
// not conform.
std::optional<std::vector<inherit_entry>> reference_parse(std::string_view text, std::uint64_t max_value) {
  std::vector<inherit_entry> out;
  if (text.empty()) return out;
  std::string name;
  std::string digits;
  bool in_number = false;
  auto finish_entry = [&]() -> bool {
    if (!valid_name(name) || digits.empty()) return false;
    if (digits.size() > 1 && digits.front() == '0') return false;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) return false;  // out of range
    if (value > max_value) return false;
    for (const auto& e : out) {
      if (e.first == name) return false;
    }
    out.emplace_back(name, value);
    name.clear();
    digits.clear();
    in_number = false;
    return true;
  };
  for (char c : text) {
    if (!in_number) {
      if (c == '=') {
        in_number = true;
      } else if (is_name_char(c)) {
        name += c;
      } else {
        return std::nullopt;
      }
    } else if (c == ';') {
      if (!finish_entry()) return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      digits += c;
    } else {
      return std::nullopt;
    }
  }
  if (!in_number || !finish_entry()) return std::nullopt;
  return out;
}

// The largest handle values the parser is called with: a POSIX descriptor, a Windows handle's
// significant bits, and no bound.
constexpr std::array<std::uint64_t, 3> largest_values = {INT_MAX, UINT32_MAX, UINT64_MAX};

bool all_within(const std::vector<inherit_entry>& entries, std::uint64_t max_value) {
  for (const auto& e : entries) {
    if (e.second > max_value) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bequest::detail::parse_inherit_variable;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<inherit_entry> parsed = parse_inherit_variable(text);

  for (const std::uint64_t max_value : largest_values) {
    const std::vector<inherit_entry> bounded = parse_inherit_variable(text, max_value);
    // 1. Exactly the reference's reading.
    const auto expected = reference_parse(text, max_value);
    FUZZ_CHECK(bounded == expected.value_or(std::vector<inherit_entry>{}));
    // 5. All or nothing.
    FUZZ_CHECK(bounded.empty() || bounded == parsed);
    FUZZ_CHECK(bounded == (all_within(parsed, max_value) ? parsed : std::vector<inherit_entry>{}));
  }

  // 2. Valid, unique names.
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    FUZZ_CHECK(valid_name(parsed[i].first));
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(parsed[j].first != parsed[i].first);
  }

  // 3. Only the canonical text is accepted.
  if (!parsed.empty()) FUZZ_CHECK(bequest::detail::format_inherit_variable(parsed) == text);

  // 4. Round trip of entries the parent could publish (valid, unique names; any value).
  FuzzedDataProvider in(data, size);
  std::vector<inherit_entry> entries;
  const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  for (std::size_t i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    std::string name = in.ConsumeRandomLengthString(64);
    for (char& c : name) c = name_alphabet[static_cast<unsigned char>(c) % name_alphabet.size()];
    if (name.empty()) name = "n" + std::to_string(i);
    bool taken = false;
    for (const auto& e : entries) taken = taken || e.first == name;
    if (taken) continue;
    // Small values too, so that lists within each bound are common.
    const std::uint64_t value =
        in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 65535) : in.ConsumeIntegral<std::uint64_t>();
    entries.emplace_back(std::move(name), value);
  }
  const std::string published = bequest::detail::format_inherit_variable(entries);
  FUZZ_CHECK(parse_inherit_variable(published) == entries);
  for (const std::uint64_t max_value : largest_values) {
    FUZZ_CHECK(parse_inherit_variable(published, max_value) ==
               (all_within(entries, max_value) ? entries : std::vector<inherit_entry>{}));
  }
  return 0;
}
