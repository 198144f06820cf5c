// SPDX-License-Identifier: BSL-1.0
#pragma once

// Unit-test access to the shared lowering steps (src/lower.hpp, src/launch_plan.hpp).

#include "launch_plan.hpp"
#include "lower.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace t {

/// The child's environment as "NAME=VALUE" strings that `o` lowers to, rendered with these
/// child-side handle values, names compared by `same_name` (the system's rule unless a test
/// gives another platform's).
inline std::vector<std::string> lowered_environment(
    const bequest::spawn_options& o, const bequest::detail::child_values& values,
    bequest::detail::startup_value startup = {},
    bequest::detail::env_name_rule same_name = bequest::detail::os::env_names_equal) {
  bequest::detail::launch_plan plan;
  bequest::detail::failure f;
  REQUIRE(bequest::detail::lower_environment(o, plan, f, same_name));
  for (const auto& e : o.inherit) plan.inherit.push_back({e.name, e.handle});
  return bequest::detail::join_environment(plan.render_environment(values, startup));
}

}  // namespace t
