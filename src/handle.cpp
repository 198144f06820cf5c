// SPDX-License-Identifier: BSL-1.0
// The portable half of unique_handle and friends; the OS calls are in <backend>/handle.cpp.
#include <bequest/error.hpp>
#include <bequest/handle.hpp>

#include "platform.hpp"
#include "handle_value.hpp"

#include "text_format.hpp"

namespace bequest {

void unique_handle::reset(native_handle h) noexcept {
  if (h_ != invalid_native_handle) detail::os::close_handle(h_);
  h_ = h;
}

std::size_t unique_handle::read_some(void* buffer, std::size_t size, std::error_code& ec) noexcept {
  return detail::os::read_some(h_, buffer, size, ec);
}

std::size_t unique_handle::read_some(void* buffer, std::size_t size) {
  std::error_code ec;
  const std::size_t n = read_some(buffer, size, ec);
  if (ec) throw error(ec, detail::text::format("read from handle {}", detail::handle_value(h_)));
  return n;
}

std::string unique_handle::read_all(std::error_code& ec) {
  std::string data;
  char buffer[65536];
  while (true) {
    const std::size_t n = read_some(buffer, sizeof buffer, ec);
    if (ec || n == 0) break;
    data.append(buffer, n);
  }
  return data;
}

std::string unique_handle::read_all() {
  std::error_code ec;
  std::string data = read_all(ec);
  if (ec) throw error(ec, detail::text::format("read from handle {}", detail::handle_value(h_)));
  return data;
}

void unique_handle::write_all(std::string_view data, std::error_code& ec) noexcept {
  ec.clear();
  while (!data.empty()) {
    const std::size_t n = detail::os::write_some(h_, data.data(), data.size(), ec);
    if (ec) return;
    data.remove_prefix(n);
  }
}

void unique_handle::write_all(std::string_view data) {
  std::error_code ec;
  write_all(data, ec);
  if (ec) throw error(ec, detail::text::format("write to handle {}", detail::handle_value(h_)));
}

pipe_ends make_pipe(std::error_code& ec) noexcept { return detail::os::make_pipe(ec); }

pipe_ends make_pipe() {
  std::error_code ec;
  pipe_ends p = make_pipe(ec);
  if (ec) throw error(ec, "create a pipe");
  return p;
}

pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept {
  return detail::os::make_async_pipe(async_end, ec);
}

pipe_ends make_async_pipe(pipe_end async_end) {
  std::error_code ec;
  pipe_ends p = make_async_pipe(async_end, ec);
  if (ec) throw error(ec, "create an asynchronous pipe");
  return p;
}

unique_handle duplicate_handle(native_handle h, std::error_code& ec) noexcept {
  return detail::os::duplicate_handle(h, ec);
}

unique_handle duplicate_handle(native_handle h) {
  std::error_code ec;
  unique_handle copy = duplicate_handle(h, ec);
  if (ec) throw error(ec, detail::text::format("duplicate handle {}", detail::handle_value(h)));
  return copy;
}

unique_handle open_file(const std::filesystem::path& path, file_mode mode, std::error_code& ec) noexcept {
  return detail::os::open_file(path, mode, ec);
}

unique_handle open_file(const std::filesystem::path& path, file_mode mode) {
  std::error_code ec;
  unique_handle h = open_file(path, mode, ec);
  if (ec) throw error(ec, detail::text::format("open \"{}\"", detail::utf8(path)));
  return h;
}

}  // namespace bequest
