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
#include <type_traits>

namespace bequest {
namespace detail {

namespace {

/// The largest value a handle of this process can have, so the largest a parent can publish.
/// POSIX: a descriptor is a non-negative int. Windows: a handle is pointer-sized, but only its
/// low 32 bits are significant ("Interprocess Communication Between 32-bit and 64-bit
/// Applications", Microsoft Learn), so 32-bit and 64-bit children read the same range.
/// (A template, so that `if constexpr` leaves out the branch of the other platform.)
template <class H = native_handle>
constexpr std::uint64_t max_handle_value() noexcept {
  if constexpr (std::is_pointer_v<H>) {
    return UINT32_MAX;
  } else {
    return static_cast<std::uint64_t>(std::numeric_limits<H>::max());
  }
}

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
    // One value out of range voids the whole variable, as any other damage does: every entry
    // is in range or none is used (docs/security.md).
    auto parsed = parse_inherit_variable(*text, max_handle_value());
    if (parsed.empty()) {
      t.startup.malformed = true;  // a damaged variable may have meant to announce start-up data
      return;
    }
    for (auto& [name, value] : parsed) {
      native_handle h{};
      (void)to_handle(value, h);  // fits: the parser held every value to max_handle_value()
      if (name == startup_entry) {
        t.startup.present = true;
        t.startup.handle = h;
      } else if (name.rfind("bequest.", 0) != 0) {
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
