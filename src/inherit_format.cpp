// SPDX-License-Identifier: BSL-1.0
#include "inherit_format.hpp"

namespace bequest::detail {
namespace {

// The syntax every name in the variable has, the reserved "bequest." ones included.
const char* name_syntax_problem(std::string_view name) noexcept {
  if (name.empty()) return "the name is empty";
  if (name.size() > 64) return "the name is longer than 64 characters";
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return "the name may only contain A-Z a-z 0-9 _ . -";
  }
  return nullptr;
}

}  // namespace

const char* inherited_name_problem(std::string_view name) noexcept {
  if (const char* problem = name_syntax_problem(name)) return problem;
  if (name.substr(0, 8) == "bequest.") return "names beginning with \"bequest.\" are reserved";
  return nullptr;
}

std::string format_inherit_variable(const std::vector<inherit_entry>& entries) {
  std::string text;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) text += ';';
    text += entries[i].first;
    text += '=';
    text += std::to_string(entries[i].second);
  }
  return text;
}

/// Parses "name=value;name=value". Anything malformed — a bad name, a value that is not a
/// plain decimal number or is above `max_value` (does not fit the child's handles), a
/// repeated name — makes the whole variable void: a half-trusted table is worse than none.
/// The range is checked here, not by the caller entry by entry, because a caller that dropped
/// only the entry that did not fit once kept the rest of a damaged variable (issue 16).
std::vector<inherit_entry> parse_inherit_variable(std::string_view text, std::uint64_t max_value) {
  std::vector<inherit_entry> entries;
  if (text.empty()) return entries;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(pos, end - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return {};
    const std::string_view name = item.substr(0, eq);
    const std::string_view digits = item.substr(eq + 1);
    // "bequest." names, reserved to the library itself (start-up data), are accepted here, but
    // they follow the same syntax: the reserved prefix once let "bequest.a!b" through (found
    // by fuzz/inherit_variable.cpp).
    if (name_syntax_problem(name)) return {};
    if (digits.empty() || digits.size() > 20 || (digits.size() > 1 && digits[0] == '0')) return {};
    std::uint64_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return {};
      const std::uint64_t next = value * 10 + static_cast<std::uint64_t>(c - '0');
      if (next / 10 != value) return {};  // overflow
      value = next;
    }
    if (value > max_value) return {};
    for (const auto& e : entries) {
      if (e.first == name) return {};
    }
    entries.emplace_back(std::string(name), value);
    if (end == text.size()) break;
    pos = end + 1;
  }
  return entries;
}

}  // namespace bequest::detail
