// SPDX-License-Identifier: BSL-1.0
#pragma once

// Shared steps of a spawn that both backends call: checking options, handle placeholders,
// building the child's argument vector and environment.

#include "failure.hpp"
#include "inherit_format.hpp"

#include <bequest/child.hpp>
#include <bequest/options.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace bequest::detail {

/// The whole of a spawn (checks, backend, the exception boundary), for spawn() and run():
/// an empty child and `f` filled on failure.
child spawn_child(const spawn_options& options, failure& f) noexcept;

/// Checks everything about `options` that does not depend on the OS: a non-empty program,
/// no NUL in any string, environment names, inherited names (syntax, reserved, unique),
/// empty handles and handles listed twice, stderr redirection. The error names the option.
bool check_options(const spawn_options& options, failure& f);

struct child_impl;
/// For the stdio kinds that make a new object for the child's stream `index` (pipe,
/// async_pipe, file): makes it, gives our end of a pipe to `c`, and returns the child's
/// handle, which the caller owns. Empty, with `f` saying which stream and what failed, on
/// failure.
unique_handle open_stdio_object(const spawn_options& options, int index, const stdio& s, child_impl& c, failure& f);

/// The integer a handle is published as.
template <class H>
std::uint64_t handle_value(H h) noexcept {
  if constexpr (std::is_pointer_v<H>) {
    return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(h));
  } else {
    return static_cast<std::uint64_t>(h);
  }
}

/// The child-side value of each entry of `inherit`, in order.
using child_values = std::vector<std::uint64_t>;

/// `argv[0]` followed by `args`, with `{handle:NAME}` substituted when asked.
bool build_arguments(const spawn_options& options, const child_values& values,
                     std::vector<std::string>& argv, failure& f);

/// The child-side value of the start-up data's handle, when there is start-up data.
using startup_value = std::optional<std::uint64_t>;

/// The child's environment as "NAME=VALUE" strings: the parent's (or none), the caller's
/// changes, then BEQUEST_INHERIT set to the published values, `startup` last (or removed when
/// nothing is inherited). Names compare without case where the OS says so.
bool build_environment(const spawn_options& options, const child_values& values,
                       std::vector<std::string>& block, failure& f, startup_value startup = {});

/// True when the child's environment is exactly the parent's, so a backend may pass its
/// own environment through untouched.
bool environment_is_parents(const spawn_options& options);

/// The value of `name` in a block built by build_environment (empty when absent).
std::optional<std::string_view> find_variable(const std::vector<std::string>& block, std::string_view name);

/// The text of the BEQUEST_INHERIT variable for these values.
std::string inherit_variable_value(const spawn_options& options, const child_values& values,
                                   startup_value startup = {});

}  // namespace bequest::detail
