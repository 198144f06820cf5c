// SPDX-License-Identifier: BSL-1.0
// The child's side of the BEQUEST_INHERIT protocol.
#include <bequest/inherited.hpp>

#include "platform.hpp"
#include "handle_value.hpp"
#include "inherit_format.hpp"
#include "startup_internal.hpp"

#include <cstdint>
#include <limits>
#include <mutex>

namespace bequest {
namespace detail {

namespace {

struct inherit_table {
  std::once_flag once;
  std::vector<inherited> entries;  ///< the caller's entries; reserved "bequest." ones are not here
  startup_announcement startup;
};

inherit_table& table() {
  static inherit_table t;
  std::call_once(t.once, [] {
    const auto text = os::get_env(inherit_variable);
    if (!text || text->empty()) return;
    auto parsed = parse_inherit_variable(*text);
    if (parsed.empty()) {
      t.startup.malformed = true;  // a damaged variable may have meant to announce start-up data
      return;
    }
    for (auto& [name, value] : parsed) {
      native_handle h{};
      const bool fits = to_handle(value, h);
      if (name == startup_entry) {
        t.startup.present = true;
        t.startup.malformed = !fits;
        t.startup.handle = fits ? h : invalid_native_handle;
      } else if (fits && name.rfind("bequest.", 0) != 0) {
        t.entries.push_back({std::move(name), h});
      }
    }
  });
  return t;
}

}  // namespace

startup_announcement announced_startup_data() { return table().startup; }

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
    if (detail::os::handle_is_open(e.handle)) open.push_back(e);
  }
  return open;
}

void clear_inherit_variable() {
  (void)detail::table();
  detail::os::unset_env(inherit_variable);
}

}  // namespace bequest
