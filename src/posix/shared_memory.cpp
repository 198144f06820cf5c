// SPDX-License-Identifier: BSL-1.0
// POSIX: shared-memory objects for start-up data — creating, filling, sealing, and the child's
// checks before it maps one. The kind of object (sealed memfd, or unlinked shm object) is in
// memory_memfd.cpp / memory_shm.cpp.
#include "../platform.hpp"
#include "posix.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace bequest::detail::os {
namespace {

int writable_fd(const memory_object& m) noexcept { return m.writer >= 0 ? m.writer : m.handle; }

// Where the system has it, a mapping that is about to be read or written whole is populated
// at once: the kernel sets up every page table entry in one pass instead of taking one fault
// per page (or per 16 pages). The child maps start-up data to read it, the parent maps a new
// startup_buffer to fill it.
#if defined(MAP_POPULATE)
constexpr int populate = MAP_POPULATE;
#else
constexpr int populate = 0;
#endif

std::byte* map(int fd, std::size_t size, int protection, int extra_flags = 0) noexcept {
  void* p = ::mmap(nullptr, size, protection, MAP_SHARED | extra_flags, fd, 0);
  return p == MAP_FAILED ? nullptr : static_cast<std::byte*>(p);
}

bool set_size(int fd, std::size_t size, std::error_code& ec) noexcept {
  if (size > static_cast<std::size_t>(std::numeric_limits<off_t>::max())) {
    ec = make_error_code(std::errc::file_too_large);
    return false;
  }
  int rc;
  do {
    rc = ::ftruncate(fd, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    ec = last_os_error();
    return false;
  }
  return true;
}

/// Writes the two parts with as few system calls as the kernel allows (writev moves at most
/// about 2 GiB per call).
bool write_parts(int fd, const std::byte* header, std::size_t header_size, const void* payload,
                 std::size_t payload_size, std::error_code& ec) noexcept {
  iovec parts[2] = {{const_cast<std::byte*>(header), header_size}, {const_cast<void*>(payload), payload_size}};
  iovec* next = parts;
  int count = payload_size ? 2 : 1;
  while (count > 0) {
    const ssize_t n = ::writev(fd, next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      ec = last_os_error();
      return false;
    }
    auto done = static_cast<std::size_t>(n);
    while (count > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
  return true;
}

}  // namespace

bool create_memory(std::size_t size, memory_object& m, std::error_code& ec) noexcept {
  ec.clear();
  m = memory_object{};
  int fd = -1, writer = -1;
  if (!posix::create_memory_fds(fd, writer, ec)) return false;
  m.handle = fd;
  m.writer = writer;
  m.size = size;
  if (!set_size(writable_fd(m), size, ec)) {
    release_memory(m);
    return false;
  }
  // Allocating every page now, in one call, costs less than a fault per page while the caller
  // fills the buffer, and fails here rather than with SIGBUS there when memory is short.
  if (!posix::preallocate_memory(writable_fd(m), size, ec)) {
    release_memory(m);
    return false;
  }
  m.view = map(writable_fd(m), size, PROT_READ | PROT_WRITE, populate);
  if (!m.view) {
    ec = last_os_error();
    release_memory(m);
    return false;
  }
  return true;
}

bool create_sealed_copy(const std::byte* header, std::size_t header_size, const void* payload, std::size_t payload_size,
                        keep_mapped mapping, memory_object& m, std::error_code& ec) noexcept {
  ec.clear();
  m = memory_object{};
  int fd = -1, writer = -1;
  if (!posix::create_memory_fds(fd, writer, ec)) return false;
  m.handle = fd;
  m.writer = writer;
  m.size = header_size + payload_size;
  if (posix::memory_fill_by_write()) {
    if (!write_parts(writable_fd(m), header, header_size, payload, payload_size, ec)) {
      release_memory(m);
      return false;
    }
  } else {
    if (!set_size(writable_fd(m), m.size, ec)) {
      release_memory(m);
      return false;
    }
    std::byte* view = map(writable_fd(m), m.size, PROT_READ | PROT_WRITE);
    if (!view) {
      ec = last_os_error();
      release_memory(m);
      return false;
    }
    std::memcpy(view, header, header_size);
    if (payload_size) std::memcpy(view + header_size, payload, payload_size);
    ::munmap(view, m.size);
  }
  if (!posix::seal_memory_fds(m.handle, m.writer, ec)) {
    release_memory(m);
    return false;
  }
  m.sealed = true;
  if (mapping == keep_mapped::read_only) {
    m.view = map(m.handle, m.size, PROT_READ);
    if (!m.view) {
      ec = last_os_error();
      release_memory(m);
      return false;
    }
  }
  return true;
}

bool seal_memory(memory_object& m, std::error_code& ec) noexcept {
  ec.clear();
  if (m.sealed) return true;
  if (m.writer >= 0) {
    // Sealing against writes requires that no writable shared mapping remains. A mapping of
    // the read-only descriptor put over the writable one (MAP_FIXED replaces it in one step)
    // keeps the address, so views handed out before stay valid, and writes through them fault.
    if (::mmap(m.view, m.size, PROT_READ, MAP_SHARED | MAP_FIXED, m.handle, 0) == MAP_FAILED) {
      ec = last_os_error();
      return false;
    }
    if (!posix::seal_memory_fds(m.handle, m.writer, ec)) {
      ::mmap(m.view, m.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m.writer, 0);
      return false;
    }
  } else {
    // Only a writable descriptor (a memfd where /proc is missing): every mapping of it counts
    // as writable, so the view goes and comes back, at the same address when it is still free.
    std::byte* old = m.view;
    ::munmap(old, m.size);
    m.view = nullptr;
    if (!posix::seal_memory_fds(m.handle, m.writer, ec)) {
      m.view = static_cast<std::byte*>(::mmap(old, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, m.handle, 0));
      if (m.view == MAP_FAILED) m.view = nullptr;
      return false;
    }
    m.view = static_cast<std::byte*>(::mmap(old, m.size, PROT_READ, MAP_SHARED, m.handle, 0));
    if (m.view == MAP_FAILED) m.view = nullptr;  // sealed all the same; view() is then empty
  }
  m.sealed = true;
  return true;
}

void release_memory(memory_object& m) noexcept {
  if (m.view) ::munmap(m.view, m.size);
  if (m.writer >= 0) close_handle(m.writer);
  if (m.handle >= 0) close_handle(m.handle);
  m = memory_object{};
}

startup_data_errc map_startup_memory(native_handle h, const std::byte*& base, std::size_t& size) noexcept {
  base = nullptr;
  size = 0;
  if (!handle_is_open(h)) return startup_data_errc::bad_handle;
  struct stat st {};
  if (::fstat(h, &st) != 0) return startup_data_errc::bad_handle;
  // Pipes, sockets, directories and devices are never start-up data (and some devices can be
  // mapped: /dev/zero would pass for an object of any size).
  const mode_t type = st.st_mode & S_IFMT;
  if (type == S_IFIFO || type == S_IFSOCK || type == S_IFDIR || type == S_IFCHR || type == S_IFBLK || type == S_IFLNK) {
    return startup_data_errc::not_shared_memory;
  }
  if (!posix::is_startup_memory(h)) return startup_data_errc::not_shared_memory;
  if (st.st_size <= 0) return {};  // nothing to map; the header check reports it as too small
  if (static_cast<unsigned long long>(st.st_size) > SIZE_MAX) return startup_data_errc::map_failed;
  size = static_cast<std::size_t>(st.st_size);
  const std::byte* p = map(h, size, PROT_READ, populate);
  if (!p) {
    size = 0;
    return startup_data_errc::map_failed;
  }
  base = p;
  return {};
}

void unmap_startup_memory(const std::byte* base, std::size_t size) noexcept {
  if (base) ::munmap(const_cast<std::byte*>(base), size);
}

bool startup_memory_sealed() noexcept { return posix::memory_is_sealed(); }

}  // namespace bequest::detail::os
