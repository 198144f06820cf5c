// SPDX-License-Identifier: BSL-1.0
// The child's side of the BEQUEST_INHERIT protocol.
#include <bequest/inherited.hpp>

#include "platform.hpp"
#include "spawn_common.hpp"

#include <cstdint>
#include <limits>
#include <mutex>

namespace bequest {
namespace detail {

/// Parses "name=value;name=value". Anything malformed — a bad name, a value that is not a
/// plain decimal number or does not fit a handle, a repeated name — makes the whole
/// variable void: a half-trusted table is worse than none.
std::vector<std::pair<std::string, std::uint64_t>> parse_inherit_variable(std::string_view text) {
  std::vector<std::pair<std::string, std::uint64_t>> entries;
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
    // "bequest." names are reserved for the library itself (start-up data), so accept them here.
    if (inherited_name_problem(name) && name.substr(0, 8) != "bequest.") return {};
    if (name.size() > 64 || name.empty()) return {};
    if (digits.empty() || digits.size() > 20 || (digits.size() > 1 && digits[0] == '0')) return {};
    std::uint64_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return {};
      const std::uint64_t next = value * 10 + static_cast<std::uint64_t>(c - '0');
      if (next / 10 != value) return {};  // overflow
      value = next;
    }
    for (const auto& e : entries) {
      if (e.first == name) return {};
    }
    entries.emplace_back(std::string(name), value);
    if (end == text.size()) break;
    pos = end + 1;
  }
  return entries;
}

namespace {

template <class H>
bool to_handle(std::uint64_t value, H& out) noexcept {
  if constexpr (std::is_pointer_v<H>) {
    if (value > static_cast<std::uint64_t>(UINTPTR_MAX)) return false;
    out = reinterpret_cast<H>(static_cast<std::uintptr_t>(value));
  } else {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<H>::max())) return false;
    out = static_cast<H>(value);
  }
  return true;
}

struct inherit_table {
  std::once_flag once;
  std::vector<inherited> entries;
};

inherit_table& table() {
  static inherit_table t;
  std::call_once(t.once, [] {
    const auto text = os::get_env(inherit_variable);
    if (!text) return;
    for (auto& [name, value] : parse_inherit_variable(*text)) {
      native_handle h{};
      if (to_handle(value, h)) t.entries.push_back({std::move(name), h});
    }
  });
  return t;
}

}  // namespace
}  // namespace detail

std::optional<native_handle> inherited_handle(std::string_view name) {
  for (const inherited& e : detail::table().entries) {
    if (e.name == name) {
      if (!detail::os::handle_is_open(e.handle)) return std::nullopt;
      return e.handle;
    }
  }
  return std::nullopt;
}

std::vector<inherited> inherited_handles() {
  std::vector<inherited> open;
  for (const inherited& e : detail::table().entries) {
    if (e.name.rfind("bequest.", 0) == 0) continue;
    if (detail::os::handle_is_open(e.handle)) open.push_back(e);
  }
  return open;
}

void clear_inherit_variable() {
  (void)detail::table();
  detail::os::unset_env(inherit_variable);
}

}  // namespace bequest
