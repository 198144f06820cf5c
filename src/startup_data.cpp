// SPDX-License-Identifier: BSL-1.0
// The child's side of start-up data: finding the object, checking it, mapping it.
#include "startup_format.hpp"
#include "startup_internal.hpp"

#include <mutex>

namespace bequest {
namespace detail {
namespace {

class startup_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "bequest.startup_data"; }
  std::string message(int value) const override {
    switch (static_cast<startup_data_errc>(value)) {
      case startup_data_errc::bad_variable:
        return "start-up data: BEQUEST_INHERIT is malformed or its bequest.startup_data entry is not a handle value";
      case startup_data_errc::bad_handle: return "start-up data: the published handle is not open in this process";
      case startup_data_errc::not_shared_memory:
        return "start-up data: the published handle is not a sealed shared-memory object";
      case startup_data_errc::map_failed: return "start-up data: the shared-memory object could not be mapped";
      case startup_data_errc::too_small:
        return "start-up data: the shared-memory object is smaller than its header says";
      case startup_data_errc::bad_magic: return "start-up data: the shared-memory object does not begin with the magic";
      case startup_data_errc::bad_version: return "start-up data: the header is of an unknown format version";
      case startup_data_errc::bad_header: return "start-up data: the header's size or reserved fields are wrong";
    }
    return "start-up data: unknown error";
  }
};

struct startup_state {
  std::once_flag once;
  byte_view data;
  std::error_code error;
};

void load(startup_state& s) {
  const startup_announcement a = announced_startup_data();
  if (a.malformed) {
    s.error = startup_data_errc::bad_variable;
    return;
  }
  if (!a.present) return;  // none was passed: empty, and no error
  const std::byte* base = nullptr;
  std::size_t size = 0;
  if (const startup_data_errc e = os::map_startup_memory(a.handle, base, size); e != startup_data_errc{}) {
    s.error = e;
    return;
  }
  const startup_verdict v = check_startup_bytes(base, size);
  if (!v.ok()) {
    // A mapping of something that is not start-up data is not kept; the handle is left alone:
    // it may be something else the process owns.
    os::unmap_startup_memory(base, size);
    s.error = v.error;
    return;
  }
  s.data = byte_view(base + v.payload_offset, v.payload_size);
  // The mapping keeps the object alive; the handle is no longer needed, and closing it keeps
  // it from reaching grandchildren started by code that passes every inheritable handle on.
  os::close_handle(a.handle);
}

startup_state& state() noexcept {
  static startup_state s;
  // The table read may allocate; std::bad_alloc here leaves the view empty.
  try {
    std::call_once(s.once, [] { load(s); });
  } catch (...) {
  }
  return s;
}

}  // namespace
}  // namespace detail

const std::error_category& startup_data_category() noexcept {
  static const detail::startup_category_impl category;
  return category;
}

byte_view startup_data() noexcept { return detail::state().data; }

byte_view startup_data(std::error_code& ec) noexcept {
  const detail::startup_state& s = detail::state();
  ec = s.error;
  return s.data;
}

bool startup_data_sealed() noexcept { return detail::os::startup_memory_sealed(); }

}  // namespace bequest
