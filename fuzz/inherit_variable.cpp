// SPDX-License-Identifier: BSL-1.0
// Fuzz target: the child's parser of BEQUEST_INHERIT (src/inherit_format.cpp).
//
// The documented format (<bequest/inherited.hpp>, docs/guide.md), written here once more as
// an independent reference:
//
//   variable := entry (';' entry)*          entry := name '=' number
//   name     := 1 to 64 of A-Z a-z 0-9 _ . -
//   number   := '0' | [1-9][0-9]*, at most 2^64 - 1
//   no name twice; anything else voids the whole variable (the parser returns nothing).
//
// Properties, for every input:
//  1. parse_inherit_variable(text) is exactly what the reference reads: the same entries in
//     the same order when the text conforms, nothing when it does not.
//  2. Every accepted entry has a name of the documented syntax, and names are unique.
//  3. An accepted text is the canonical one: format_inherit_variable(parse(text)) == text
//     (a parent writes it one way only, so nothing else needs to be accepted).
//  4. Round trip: a list of valid entries decoded from the same input, formatted by the
//     parent's formatter, parses back to exactly that list.
#include "check.hpp"
#include "inherit_format.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <charconv>
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
std::optional<std::vector<inherit_entry>> reference_parse(std::string_view text) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<inherit_entry> parsed = bequest::detail::parse_inherit_variable(text);

  // 1. Exactly the reference's reading.
  const auto expected = reference_parse(text);
  FUZZ_CHECK(parsed == expected.value_or(std::vector<inherit_entry>{}));

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
    entries.emplace_back(std::move(name), in.ConsumeIntegral<std::uint64_t>());
  }
  const std::string published = bequest::detail::format_inherit_variable(entries);
  FUZZ_CHECK(bequest::detail::parse_inherit_variable(published) == entries);
  return 0;
}
