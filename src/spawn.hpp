// SPDX-License-Identifier: BSL-1.0
#pragma once

// The whole of one spawn, shared by spawn() and run().

#include "failure.hpp"

#include <bequest/child.hpp>
#include <bequest/options.hpp>

namespace bequest::detail {

/// Lowers `options` into a launch plan, opens what the child needs and has the backend start
/// it; the one exception boundary of a spawn. An empty child and `f` filled on failure, with
/// everything this spawn acquired released.
child spawn_child(const spawn_options& options, failure& f) noexcept;

}  // namespace bequest::detail
