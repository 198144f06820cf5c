// SPDX-License-Identifier: BSL-1.0
#pragma once

// The shared steps of a spawn before the backend runs: checking and lowering spawn_options
// into a launch_plan, then opening what the child needs.

#include "child_impl.hpp"
#include "failure.hpp"
#include "launch_plan.hpp"

#include <bequest/options.hpp>

#include <string_view>

namespace bequest::detail {

/// Checks `options` and lowers them into `plan`, in this order: every string and path (no
/// NUL; valid UTF-8 where the platform needs it), environment names, inherit names and
/// handles, stdio, start-up data; then the child's environment, its cwd and the program it
/// runs (through the backend's os::resolve_cwd / os::resolve_program), and last the
/// backend's own checks (os::check_launch). Opens nothing. False, with `f` naming the
/// offending option, on failure.
bool lower_options(const spawn_options& options, launch_plan& plan, failure& f);

/// The environment step of lower_options alone: `plan.parents_environment`, or the child's
/// variables in `plan.environment` (the parent's unless `options.env` starts empty, then the
/// changes, then no BEQUEST_INHERIT), names compared by `same_name`. For the unit tests,
/// which may give another platform's rule.
bool lower_environment(const spawn_options& options, launch_plan& plan, failure& f,
                       env_name_rule same_name = os::env_names_equal);

/// Opens what `plan` asks to be made for the child: the pipes (our ends go to `c`), the files
/// and the start-up data object. On failure `f` says which stream failed and what closed.
bool acquire_resources(const launch_plan& plan, child_impl& c, launch_resources& r, failure& f);

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past
/// U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace bequest::detail
