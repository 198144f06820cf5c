// SPDX-License-Identifier: BSL-1.0
#pragma once

// Start-up data: bytes a parent hands to a child at spawn time through anonymous shared
// memory, of any size, without pipes and without the command line. The protocol, the header
// format and the child's checks are described in docs/startup-data.md.
//
// Parent:
//
//     bequest::spawn_options o;
//     o.program = "worker";
//     o.startup_data = config_text;                 // copied once into a sealed object
//
//     auto buffer = bequest::startup_buffer::create(size);   // or built in place, written once,
//     fill(buffer.data(), buffer.size());                     // and shared by many children
//     o.startup_data = buffer;
//
// Child:
//
//     bequest::byte_view data = bequest::startup_data();      // empty when none was passed

#include <bequest/config.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace bequest {

namespace detail {
struct startup_buffer_access;
}  // namespace detail

/// A read-only view of bytes that someone else owns: `data()`, `size()`, iteration. The C++17
/// stand-in for `std::span<const std::byte>`.
class byte_view {
 public:
  constexpr byte_view() noexcept = default;
  /// The `size` bytes at `data` (nullptr with 0 is an empty view).
  constexpr byte_view(const std::byte* data, std::size_t size) noexcept : data_(data), size_(size) {}

  /// The first byte (nullptr when empty and default-constructed).
  [[nodiscard]] constexpr const std::byte* data() const noexcept { return data_; }
  /// The number of bytes.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  /// True when `size()` is 0.
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  /// Iteration from `data()`...
  [[nodiscard]] constexpr const std::byte* begin() const noexcept { return data_; }
  /// ...to `data() + size()`.
  [[nodiscard]] constexpr const std::byte* end() const noexcept { return data_ + size_; }
  /// Unchecked, like `std::span`: `i` must be below `size()`.
  [[nodiscard]] constexpr std::byte operator[](std::size_t i) const noexcept { return data_[i]; }
  /// The same bytes as characters (text configurations, serialised messages).
  [[nodiscard]] std::string_view as_string_view() const noexcept {
    return size_ ? std::string_view(reinterpret_cast<const char*>(data_), size_) : std::string_view();
  }

 private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Why `startup_data()` gave nothing although the environment announced start-up data. Each
/// value means the child refused what it was pointed at, before reading a byte of payload;
/// none of them is reached by a genuine bequest parent. Compare with `std::error_code`s from
/// `startup_data(ec)`: `ec == bequest::startup_data_errc::too_small`.
enum class startup_data_errc {
  /// The `BEQUEST_INHERIT` variable is malformed, or its `bequest.startup_data` entry is not a
  /// handle value.
  bad_variable = 1,
  /// The published handle is not open in this process.
  bad_handle,
  /// The handle is open but is not the kind of object spawn makes: not a sealed memfd (Linux),
  /// a shared-memory object (other POSIX) or a file-mapping section (Windows) — a pipe, a
  /// socket, a file on disk.
  not_shared_memory,
  /// The object could not be mapped into memory (address space exhausted, or access denied).
  map_failed,
  /// The object (Windows: its committed region) is smaller than its header says, or smaller
  /// than a header.
  too_small,
  /// The first bytes are not bequest's start-up data magic.
  bad_magic,
  /// The header is of a format version this build does not read.
  bad_version,
  /// The header's own size or its reserved fields are not what this version writes.
  bad_header,
};

/// The category of `startup_data_errc` ("bequest.startup_data"); its messages say what was wrong.
[[nodiscard]] BEQUEST_API const std::error_category& startup_data_category() noexcept;
[[nodiscard]] inline std::error_code make_error_code(startup_data_errc e) noexcept {
  return {static_cast<int>(e), startup_data_category()};
}

/// Start-up data prepared in place: shared memory that the caller sizes, fills through
/// `data()` and passes to any number of children (`spawn_options::startup_data = buffer`).
/// The bytes are written once, straight into the memory the children map — nothing is
/// copied at spawn time, which is what makes hundreds of MiB cheap.
///
/// **Sealing.** The first `spawn()` that passes the buffer seals it (or call `seal()`): from
/// then on no child and no other process can change the bytes, and this process's view of
/// them is read-only. On Linux the memfd is sealed against writing and resizing (by anyone,
/// this process included); on Windows every handle with write access is given up and the
/// section's security descriptor refuses write access to anyone who asks for it later; on the
/// generic POSIX path only read-only descriptors remain (see `startup_data_sealed()`). After
/// sealing, `data()` returns nullptr; the memory
/// stays at the same address, read-only, so `view()` (and any pointer taken before) still
/// reads the bytes, and a write through an old pointer faults instead of changing them.
///
/// **Sharing.** A `startup_buffer` is a reference-counted handle: copies refer to the same
/// memory, which is released when the last copy goes (children that mapped it keep their
/// mapping). Sealing and spawning from several threads at once is safe; writing through
/// `data()` while another thread spawns with the buffer is not.
class BEQUEST_API startup_buffer {
 public:
  /// An empty buffer, with no memory behind it. Passing one to `spawn()` is an error.
  startup_buffer() noexcept;
  /// Shared memory for `size` bytes (0 is allowed), zero-filled and writable. Fails when the
  /// system cannot provide it (`errc::not_enough_memory`, `errc::too_many_files_open`, ...).
  [[nodiscard]] static startup_buffer create(std::size_t size);
  /// The same, reporting failure through `ec` (then the buffer is empty).
  [[nodiscard]] static startup_buffer create(std::size_t size, std::error_code& ec) noexcept;
  /// A sealed buffer holding a copy of `bytes`.
  [[nodiscard]] static startup_buffer copy_of(std::string_view bytes);
  /// The same, reporting failure through `ec` (then the buffer is empty).
  [[nodiscard]] static startup_buffer copy_of(std::string_view bytes, std::error_code& ec) noexcept;

  /// Another reference to the same memory (copies share it; nothing is copied).
  startup_buffer(const startup_buffer&) noexcept;
  /// Takes the reference; `other` becomes empty.
  startup_buffer(startup_buffer&&) noexcept;
  /// Drops this reference and shares `other`'s memory.
  startup_buffer& operator=(const startup_buffer&) noexcept;
  /// Drops this reference and takes `other`'s; `other` becomes empty.
  startup_buffer& operator=(startup_buffer&&) noexcept;
  ~startup_buffer();

  /// True when there is memory behind the buffer (not default-constructed or moved from).
  [[nodiscard]] bool valid() const noexcept { return impl_ != nullptr; }
  /// `valid()`.
  [[nodiscard]] explicit operator bool() const noexcept { return valid(); }
  /// The payload size given to `create()`.
  [[nodiscard]] std::size_t size() const noexcept;
  /// Where to write the payload: `size()` writable bytes until the buffer is sealed; nullptr
  /// after (and for an empty buffer).
  [[nodiscard]] std::byte* data() noexcept;
  /// The payload, readable before and after sealing.
  [[nodiscard]] byte_view view() const noexcept;
  /// Makes the bytes unchangeable for good (see above). Does nothing if already sealed.
  void seal();
  /// The same, reporting failure through `ec`.
  void seal(std::error_code& ec) noexcept;
  /// True once `seal()` (or a spawn with this buffer) has sealed it.
  [[nodiscard]] bool sealed() const noexcept;

  struct impl;  ///< opaque: the shared memory behind the buffer

 private:
  friend struct detail::startup_buffer_access;
  explicit startup_buffer(std::shared_ptr<impl> p) noexcept;
  std::shared_ptr<impl> impl_;
};

/// What `spawn_options::startup_data` holds: nothing (the default), bytes that `spawn()`
/// copies into a new sealed shared-memory object for that one child, or a `startup_buffer`
/// shared by as many children as use it. Assign a string, a `std::string_view`, a C string
/// or a `startup_buffer`.
class startup_payload {
 public:
  startup_payload() = default;
  /// These bytes, copied for the child by `spawn()`.
  startup_payload(std::string bytes) : bytes_(std::move(bytes)) {}  // NOLINT: implicit on purpose
  /// These bytes, copied now and again for the child by `spawn()`.
  startup_payload(std::string_view bytes) : bytes_(bytes) {}  // NOLINT
  /// This C string without its terminating NUL (nullptr: nothing).
  startup_payload(const char* text) : bytes_(text ? text : "") {}  // NOLINT
  /// This buffer, shared with the child (sealed by the first spawn if it is not yet).
  startup_payload(startup_buffer buffer) noexcept : buffer_(std::move(buffer)), is_buffer_(true) {}  // NOLINT

  /// True when nothing will be passed: the default, or an empty string. A `startup_buffer`,
  /// even of size 0, is passed (the child then finds zero bytes and no error); an empty
  /// (default-constructed) `startup_buffer` makes `spawn()` fail.
  [[nodiscard]] bool empty() const noexcept { return !is_buffer_ && bytes_.empty(); }
  /// Back to passing nothing.
  void clear() noexcept {
    bytes_.clear();
    buffer_ = startup_buffer();
    is_buffer_ = false;
  }
  /// The payload size.
  [[nodiscard]] std::size_t size() const noexcept { return is_buffer_ ? buffer_.size() : bytes_.size(); }
  /// True when this holds a `startup_buffer` (then `buffer()` is it), false for bytes.
  [[nodiscard]] bool holds_buffer() const noexcept { return is_buffer_; }
  /// The buffer, when `holds_buffer()`; an empty one otherwise.
  [[nodiscard]] const startup_buffer& buffer() const noexcept { return buffer_; }
  /// The bytes, when not `holds_buffer()`; empty otherwise.
  [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }

 private:
  std::string bytes_;
  startup_buffer buffer_;
  bool is_buffer_ = false;
};

/// In the child: the start-up data its bequest parent passed, read-only, or empty when none
/// was passed or what the environment points at fails the checks (see `startup_data_errc`).
/// The first call maps and checks it and closes the handle it came in (the mapping stays);
/// later calls return the same view. Thread-safe. The bytes stay mapped until the process
/// ends and, when `startup_data_sealed()` is true, cannot change while you read them.
///
/// `clear_inherit_variable()` does not affect it: the variable is read once, before removal.
[[nodiscard]] BEQUEST_API byte_view startup_data() noexcept;
/// The same; `ec` says why the view is empty although start-up data was announced (a
/// `startup_data_errc`). `ec` is clear when the data is there and when none was passed.
[[nodiscard]] BEQUEST_API byte_view startup_data(std::error_code& ec) noexcept;

/// True when start-up data travels in an object that nobody can change once sealed and that
/// the child can tell apart from any other file: a sealed memfd (Linux) or a section whose
/// remaining handles are read-only (Windows). False on the generic POSIX path (`shm_open`,
/// and Linux built with BEQUEST_POSIX_GENERIC): there the child holds a read-only descriptor
/// to an unlinked object of mode 0400, but a process that bypasses file permissions could
/// reopen it for writing through `/proc`, and the child accepts any regular file whose
/// header checks out.
[[nodiscard]] BEQUEST_API bool startup_data_sealed() noexcept;

}  // namespace bequest

namespace std {
template <>
struct is_error_code_enum<bequest::startup_data_errc> : true_type {};
}  // namespace std
