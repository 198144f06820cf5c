// SPDX-License-Identifier: BSL-1.0
#include <bequest/error.hpp>
#include <bequest/spawn.hpp>

#include "spawn.hpp"

#include "child_impl.hpp"
#include "launch_plan.hpp"
#include "lower.hpp"
#include "platform.hpp"

#include <new>

namespace bequest {
namespace detail {

child spawn_child(const spawn_options& options, failure& f) noexcept {
  try {
    launch_plan plan;
    if (!lower_options(options, plan, f)) return child();
    auto impl = std::make_unique<child_impl>();
    launch_resources resources;
    if (!acquire_resources(plan, *impl, resources, f)) return child();
    if (!os::spawn_process(plan, resources, *impl, f)) return child();
    impl->policy = options.on_destroy;
    impl->tree = options.process_tree;
    impl->console_group = options.new_process_group;
    impl->group_leader = options.process_tree || options.new_process_group || options.posix.new_session;
    return child_access::make(std::move(impl));
  } catch (const std::bad_alloc&) {
    // The one exception boundary of a spawn, for the shared checks and the backends alike.
    detail::spawn_failed(f, options.program, make_error_code(std::errc::not_enough_memory), "allocate");
    return child();
  } catch (const std::exception& e) {
    detail::spawn_failed(f, options.program, make_error_code(std::errc::invalid_argument), e.what());
    return child();
  }
}

}  // namespace detail

child spawn(const spawn_options& options) {
  detail::failure f;
  child c = detail::spawn_child(options, f);
  if (f.code) throw error(f.code, f.message);
  return c;
}

child spawn(const spawn_options& options, std::error_code& ec) noexcept {
  detail::failure f;
  child c = detail::spawn_child(options, f);
  ec = f.code;
  return c;
}

child spawn(const spawn_options& options, std::error_code& ec, std::string& message) noexcept {
  detail::failure f;
  child c = detail::spawn_child(options, f);
  ec = f.code;
  try {
    message = f.code ? detail::full_message(f) : std::string();
  } catch (const std::bad_alloc&) {
    message.clear();
  }
  return c;
}

bool exact_inheritance() noexcept { return detail::os::exact_inheritance(); }

}  // namespace bequest
