// SPDX-License-Identifier: BSL-1.0
// Generic POSIX: start-up data in an unlinked shm_open object.
//
// POSIX has no anonymous shared-memory file, so the object gets a random name, is opened a
// second time read-only and is unlinked at once: from then on nobody can open it by name, and
// the only descriptors are ours. The writable one is closed when the object is sealed, so the
// children (and this process) hold only the read-only one. There are no seals: the child cannot
// tell this object from a regular file, and a process that bypasses file permissions could
// reopen it for writing where the system offers a path to an open descriptor (/proc on Linux).
// That is why Linux builds use memory_memfd.cpp; this file is built there only under
// BEQUEST_POSIX_GENERIC, so that it is tested.
#include "posix.hpp"

#include <cerrno>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../text_format.hpp"

namespace bequest::detail::posix {
namespace {

void set_cloexec(int fd) noexcept {
  // POSIX has shm_open set FD_CLOEXEC (and glibc does so atomically); older systems did not.
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0 && !(flags & FD_CLOEXEC)) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

bool create_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept {
  fd = writer = -1;
  try {
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
      const unsigned long long a = (static_cast<unsigned long long>(random()) << 32) ^ random();
      const unsigned long long b = (static_cast<unsigned long long>(random()) << 32) ^ random();
      // 31 characters: within the 31-byte limit of some systems (macOS PSHMNAMLEN).
      const std::string name =
          detail::text::format("/bq-{:013x}{:013x}", a & 0xFFFFFFFFFFFFFull, b & 0xFFFFFFFFFFFFFull);
      // Mode 0400: nobody, including us, may open it for writing again (except through
      // privileges that bypass file permissions). The descriptor made by O_CREAT is writable
      // all the same, as open(2) allows for the creator.
      writer = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, S_IRUSR);
      if (writer < 0 && errno == EEXIST) continue;
      if (writer < 0) break;
      fd = ::shm_open(name.c_str(), O_RDONLY, 0);
      const int open_error = errno;
      ::shm_unlink(name.c_str());
      if (fd < 0) {
        ::close(writer);
        writer = -1;
        errno = open_error;
        break;
      }
      set_cloexec(writer);
      set_cloexec(fd);
      return true;
    }
  } catch (...) {
    // std::random_device may throw when the system has no entropy source.
    if (writer >= 0) ::close(writer);
    writer = -1;
    errno = ENOSYS;
  }
  ec = last_os_error();
  return false;
}

bool memory_fill_by_write() noexcept {
  // POSIX leaves write() on a shared-memory object unspecified (macOS refuses it): mapping only.
  return false;
}

bool preallocate_memory(int fd, std::size_t size, std::error_code& ec) noexcept {
  // posix_fallocate on a shared-memory object is not portable (macOS has none, FreeBSD
  // refuses it): the pages are allocated as they are first written.
  (void)fd;
  (void)size;
  (void)ec;
  return true;
}

bool seal_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept {
  (void)fd;
  (void)ec;
  if (writer >= 0) ::close(writer);
  writer = -1;
  return true;
}

bool is_startup_memory(int fd) noexcept {
  // Nothing more to tell it by; the caller has ruled out pipes, sockets, directories, devices.
  (void)fd;
  return true;
}

bool memory_is_sealed() noexcept { return false; }

}  // namespace bequest::detail::posix
