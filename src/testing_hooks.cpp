// SPDX-License-Identifier: BSL-1.0
// The state behind testing_hooks.hpp: one counter for the whole process.

#include "testing_hooks.hpp"

#ifdef BEQUEST_TESTING_HOOKS

#  include <atomic>

namespace bequest::detail::testing {

namespace {
// Acquisitions still allowed; below zero, nothing is failing.
std::atomic<long> allowed{-1};
std::atomic<pipe_created_hook> pipe_hook{nullptr};
std::atomic<before_launch_hook> launch_hook{nullptr};
}  // namespace

void fail_acquisitions_after(int spare) noexcept { allowed.store(spare < 0 ? 0 : spare); }

void stop_failing_acquisitions() noexcept { allowed.store(-1); }

bool acquisition_fails() noexcept {
  long left = allowed.load();
  while (left > 0) {
    if (allowed.compare_exchange_weak(left, left - 1)) return false;
  }
  return left == 0;
}

void set_pipe_created_hook(pipe_created_hook hook) noexcept { pipe_hook.store(hook); }

void pipe_created(const wchar_t* name) noexcept {
  if (const pipe_created_hook hook = pipe_hook.load()) hook(name);
}

void set_before_launch_hook(before_launch_hook hook) noexcept { launch_hook.store(hook); }

void before_launch() noexcept {
  if (const before_launch_hook hook = launch_hook.load()) hook();
}

}  // namespace bequest::detail::testing

#endif
