// SPDX-License-Identifier: BSL-1.0
// The parent's side of start-up data: startup_buffer, and the object a spawn passes.
#include "startup_format.hpp"
#include "startup_internal.hpp"

#include <bequest/error.hpp>

#include "text_format.hpp"

#include <new>

namespace bequest {
namespace detail {
namespace {

bool too_large(std::size_t size) noexcept { return size > startup_max_payload; }

}  // namespace

bool startup_buffer_access::seal(startup_buffer::impl& b, std::error_code& ec) noexcept {
  ec.clear();
  std::lock_guard<std::mutex> lock(b.mutex);
  return b.memory.sealed || os::seal_memory(b.memory, ec);
}

bool prepare_startup_data(std::string_view program, const startup_payload& p, startup_object& out, failure& f) {
  if (p.holds_buffer()) {
    std::error_code ec;
    startup_buffer::impl& b = *startup_buffer_access::get(p.buffer());
    if (!startup_buffer_access::seal(b, ec)) {
      return spawn_failed(f, program, ec, "startup_data: seal the startup_buffer");
    }
    out.handle = b.memory.handle;
    return true;
  }
  if (p.empty()) return true;
  if (too_large(p.bytes().size())) {
    return spawn_failed(f, program, make_error_code(std::errc::value_too_large), "startup_data: too large to map");
  }
  std::byte header[startup_header_size];
  write_startup_header(header, p.bytes().size());
  std::error_code ec;
  if (!os::create_sealed_copy(header, sizeof header, p.bytes().data(), p.bytes().size(), os::keep_mapped::no, out.owned,
                              ec)) {
    return spawn_failed(f, program, ec,
                        detail::text::format("startup_data: put {} bytes into shared memory", p.bytes().size()));
  }
  out.handle = out.owned.handle;
  return true;
}

}  // namespace detail

startup_buffer::startup_buffer() noexcept = default;
startup_buffer::startup_buffer(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}
startup_buffer::startup_buffer(const startup_buffer&) noexcept = default;
startup_buffer::startup_buffer(startup_buffer&&) noexcept = default;
startup_buffer& startup_buffer::operator=(const startup_buffer&) noexcept = default;
startup_buffer& startup_buffer::operator=(startup_buffer&&) noexcept = default;
startup_buffer::~startup_buffer() = default;

startup_buffer startup_buffer::create(std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  if (detail::too_large(size)) {
    ec = make_error_code(std::errc::value_too_large);
    return {};
  }
  std::shared_ptr<impl> b(new (std::nothrow) impl);
  if (!b) {
    ec = make_error_code(std::errc::not_enough_memory);
    return {};
  }
  const std::size_t total = detail::startup_header_size + size;
  if (!detail::os::create_memory(total, b->memory, ec)) return {};
  detail::write_startup_header(b->memory.view, size);
  b->payload_size = size;
  return startup_buffer(std::move(b));
}

startup_buffer startup_buffer::create(std::size_t size) {
  std::error_code ec;
  startup_buffer b = create(size, ec);
  if (ec) throw error(ec, detail::text::format("startup_buffer::create({} bytes)", size));
  return b;
}

startup_buffer startup_buffer::copy_of(std::string_view bytes, std::error_code& ec) noexcept {
  ec.clear();
  if (detail::too_large(bytes.size())) {
    ec = make_error_code(std::errc::value_too_large);
    return {};
  }
  std::shared_ptr<impl> b(new (std::nothrow) impl);
  if (!b) {
    ec = make_error_code(std::errc::not_enough_memory);
    return {};
  }
  std::byte header[detail::startup_header_size];
  detail::write_startup_header(header, bytes.size());
  if (!detail::os::create_sealed_copy(header, sizeof header, bytes.data(), bytes.size(),
                                      detail::os::keep_mapped::read_only, b->memory, ec)) {
    return {};
  }
  b->payload_size = bytes.size();
  return startup_buffer(std::move(b));
}

startup_buffer startup_buffer::copy_of(std::string_view bytes) {
  std::error_code ec;
  startup_buffer b = copy_of(bytes, ec);
  if (ec) throw error(ec, detail::text::format("startup_buffer::copy_of({} bytes)", bytes.size()));
  return b;
}

std::size_t startup_buffer::size() const noexcept { return impl_ ? impl_->payload_size : 0; }

std::byte* startup_buffer::data() noexcept {
  if (!impl_) return nullptr;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->memory.sealed) return nullptr;
  return impl_->memory.view + detail::startup_header_size;
}

byte_view startup_buffer::view() const noexcept {
  if (!impl_) return {};
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->memory.view) return {};
  return {impl_->memory.view + detail::startup_header_size, impl_->payload_size};
}

void startup_buffer::seal(std::error_code& ec) noexcept {
  ec.clear();
  if (!impl_) {
    ec = make_error_code(std::errc::invalid_argument);
    return;
  }
  detail::startup_buffer_access::seal(*impl_, ec);
}

void startup_buffer::seal() {
  std::error_code ec;
  seal(ec);
  if (ec) throw error(ec, "startup_buffer::seal");
}

bool startup_buffer::sealed() const noexcept {
  if (!impl_) return false;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->memory.sealed;
}

}  // namespace bequest
