// SPDX-License-Identifier: BSL-1.0
// A child's terminal (spawn_options::terminal): resizing it, closing it with the child.
#include <bequest/child.hpp>

#include "child_impl.hpp"
#include "platform.hpp"

#include <bequest/error.hpp>

#include "text_format.hpp"

namespace bequest {
namespace detail {

child_impl::owned_terminal::~owned_terminal() { os::close_terminal(value, drain); }

}  // namespace detail

void child::resize_terminal(terminal_size size) {
  std::error_code ec;
  resize_terminal(size, ec);
  if (ec) {
    throw error(ec, impl_ ? detail::text::format("resize the terminal of process {}", impl_->pid)
                          : std::string("resize the terminal of an empty child"));
  }
}

void child::resize_terminal(terminal_size size, std::error_code& ec) noexcept {
  ec.clear();
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  // Not a terminal child, or no size a terminal can have: checked here once for both backends.
  if (impl_->terminal.value == invalid_native_handle || size.rows == 0 || size.cols == 0) {
    ec = make_error_code(std::errc::invalid_argument);
    return;
  }
  detail::os::resize_terminal(impl_->terminal.value, size, ec);
}

}  // namespace bequest
