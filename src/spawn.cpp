// SPDX-License-Identifier: BSL-1.0
#include <bequest/error.hpp>
#include <bequest/spawn.hpp>

#include "child_impl.hpp"
#include "platform.hpp"
#include "spawn_common.hpp"

#include <new>

namespace bequest {
namespace {

child spawn_impl(const spawn_options& options, detail::failure& f) noexcept {
  try {
    if (!detail::check_options(options, f)) return child();
    auto impl = detail::os::spawn_process(options, f);
    if (!impl) return child();
    impl->policy = options.on_destroy;
    return detail::child_access::make(std::move(impl));
  } catch (const std::bad_alloc&) {
    // The one exception boundary of a spawn, for the shared checks and the backends alike.
    detail::spawn_failed(f, options.program, make_error_code(std::errc::not_enough_memory), "allocate");
    return child();
  } catch (const std::exception& e) {
    detail::spawn_failed(f, options.program, make_error_code(std::errc::invalid_argument), e.what());
    return child();
  }
}

}  // namespace

child spawn(const spawn_options& options) {
  detail::failure f;
  child c = spawn_impl(options, f);
  if (f.code) throw error(f.code, f.message);
  return c;
}

child spawn(const spawn_options& options, std::error_code& ec) noexcept {
  detail::failure f;
  child c = spawn_impl(options, f);
  ec = f.code;
  return c;
}

child spawn(const spawn_options& options, std::error_code& ec, std::string& message) noexcept {
  detail::failure f;
  child c = spawn_impl(options, f);
  ec = f.code;
  try {
    message = f.code ? detail::full_message(f) : std::string();
  } catch (const std::bad_alloc&) {
    message.clear();
  }
  return c;
}

}  // namespace bequest
