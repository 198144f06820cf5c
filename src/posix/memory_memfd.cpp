// SPDX-License-Identifier: BSL-1.0
// Linux: start-up data in a sealed memfd.
//
// memfd_create gives an anonymous tmpfs file that no other process can open by name. Once
// filled, it is sealed against writing, shrinking and growing, and against further changes to
// its seals: from then on nobody can change its bytes or its size, whatever descriptors or
// privileges they have (a reopen through /proc/self/fd yields a new descriptor to the same
// sealed file). A child that sees all four seals knows the mapping can neither change under it
// nor shrink and fault (SIGBUS) while it reads.
#include "posix.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace bequest::detail::posix {
namespace {
constexpr int all_seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
}  // namespace

bool create_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept {
  // The name only shows in /proc/PID/fd and /proc/PID/maps ("memfd:bequest-startup-data").
  const int memfd = ::memfd_create("bequest-startup-data", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0) {
    ec = last_os_error();
    return false;
  }
  // A read-only descriptor to the same file, for children and for our own read-only view. The
  // seals already stop every write; with a read-only descriptor besides, a child's mapping can
  // never even be asked to become writable (mprotect fails with EACCES) on any kernel, and our
  // view can turn read-only in place (a read-only mapping of a writable descriptor still counts
  // as writable to F_SEAL_WRITE). Without /proc the memfd itself is used for both.
  char path[40];
  std::snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
  const int read_only = ::open(path, O_RDONLY | O_CLOEXEC);
  if (read_only >= 0) {
    fd = read_only;
    writer = memfd;
  } else {
    fd = memfd;
    writer = -1;
  }
  return true;
}

bool memory_fill_by_write() noexcept { return true; }

bool preallocate_memory(int fd, std::size_t size, std::error_code& ec) noexcept {
  if (size == 0) return true;
  int rc;
  do {
    rc = ::fallocate(fd, 0, 0, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno != EOPNOTSUPP) {
    ec = last_os_error();  // ENOSPC: tmpfs has not that much memory left
    return false;
  }
  return true;
}

bool seal_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept {
  // Adding seals needs a descriptor open for writing. Fails with EBUSY while a writable shared
  // mapping exists: the caller has replaced or removed its view first.
  if (::fcntl(writer >= 0 ? writer : fd, F_ADD_SEALS, all_seals) != 0) {
    ec = last_os_error();
    return false;
  }
  if (writer >= 0) ::close(writer);
  writer = -1;
  return true;
}

bool is_startup_memory(int fd) noexcept {
  // Only memfds (and other shmem files) have seals; a file on disk fails with EINVAL. A shmem
  // file that was not made with MFD_ALLOW_SEALING reports F_SEAL_SEAL alone.
  const int seals = ::fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & all_seals) == all_seals;
}

bool memory_is_sealed() noexcept { return true; }

}  // namespace bequest::detail::posix
