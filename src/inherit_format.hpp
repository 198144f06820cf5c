// SPDX-License-Identifier: BSL-1.0
#pragma once

// The text of the BEQUEST_INHERIT variable, "name=value;name=value" (documented in
// <bequest/inherited.hpp>). Pure functions over strings, no OS calls, so that they can be
// unit-tested and fuzzed on their own (fuzz/inherit_variable.cpp).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bequest::detail {

/// One entry of the variable: a name and the child-side value of its handle, in decimal.
using inherit_entry = std::pair<std::string, std::uint64_t>;

/// Why a name is not a valid inherited name, or nullptr when it is.
const char* inherited_name_problem(std::string_view name) noexcept;

/// The variable's text for `entries`, in order: `name=value` joined by `;`.
std::string format_inherit_variable(const std::vector<inherit_entry>& entries);

/// Parses the BEQUEST_INHERIT text into (name, value) pairs; empty when it is malformed in
/// any way, a value above `max_value` included (the child treats a forged or damaged variable
/// as absent). So the result is every entry of the text or none: never a part of it.
std::vector<inherit_entry> parse_inherit_variable(std::string_view text, std::uint64_t max_value = UINT64_MAX);

}  // namespace bequest::detail
