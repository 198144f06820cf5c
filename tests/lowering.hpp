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
/// child-side handle values.
inline std::vector<std::string> lowered_environment(const bequest::spawn_options& o,
                                                    const bequest::detail::child_values& values,
                                                    bequest::detail::startup_value startup = {}) {
  bequest::detail::launch_plan plan;
  bequest::detail::failure f;
  REQUIRE(bequest::detail::lower_environment(o, plan, f));
  for (const auto& e : o.inherit) plan.inherit.push_back({e.name, e.handle});
  return bequest::detail::join_environment(plan.render_environment(values, startup));
}

}  // namespace t
