// SPDX-License-Identifier: BSL-1.0
#include <bequest/error.hpp>
#include <bequest/spawn.hpp>

#include "child_impl.hpp"
#include "platform.hpp"
#include "spawn_common.hpp"

#include <new>

namespace bequest {
namespace detail {

child spawn_child(const spawn_options& options, failure& f) noexcept {
  try {
    if (!check_options(options, f)) return child();
    auto impl = os::spawn_process(options, f);
    if (!impl) return child();
    impl->policy = options.on_destroy;
    impl->tree = options.process_tree;
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
