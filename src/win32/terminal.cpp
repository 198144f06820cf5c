// SPDX-License-Identifier: BSL-1.0
// Win32: a child's terminal (spawn_options::terminal). The ConPTY backend is not written yet:
// a spawn that asks for a terminal fails with not_supported (win32::check_terminal), so no
// child ever owns a pseudoconsole and there is nothing to resize or close.
#include "../child_impl.hpp"
#include "../platform.hpp"
#include "win32.hpp"

namespace bequest::detail {
namespace win32 {

bool check_terminal(const launch_plan& plan, failure& f) {
  if (!plan.terminal) return true;
  return spawn_failed(f, plan.program, make_error_code(std::errc::not_supported),
                      "terminal: this build's Windows backend cannot start a child on a pseudoconsole yet");
}

}  // namespace win32

namespace os {

void resize_terminal(native_handle, terminal_size, std::error_code& ec) noexcept {
  ec = make_error_code(std::errc::not_supported);
}

void close_terminal(native_handle& t, native_handle& drain) noexcept {
  t = invalid_native_handle;
  drain = invalid_native_handle;
}

}  // namespace os
}  // namespace bequest::detail
