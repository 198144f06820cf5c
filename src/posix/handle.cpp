// SPDX-License-Identifier: BSL-1.0
// POSIX: file descriptors — closing, checking, blocking I/O, pipes and files.
#include "../platform.hpp"
#include "posix.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "../text_format.hpp"

namespace bequest::detail {

std::error_code last_os_error() noexcept { return {errno, std::generic_category()}; }

namespace posix {

long write_without_sigpipe(int fd, const void* data, std::size_t size, int& error) noexcept {
  // A write to a pipe whose reader is gone raises SIGPIPE, which kills the process by
  // default. Block it for this thread, and consume the one this write raised, so the caller
  // sees EPIPE instead; a SIGPIPE that was already pending is left for its owner.
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n;
  do {
    n = ::write(fd, data, size);
  } while (n < 0 && errno == EINTR);
  error = n < 0 ? errno : 0;
  if (error == EPIPE && !was_pending) {
    const timespec zero{};
    while (sigtimedwait(&pipe_only, nullptr, &zero) == -1 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return n < 0 ? -1 : static_cast<long>(n);
}

}  // namespace posix

namespace os {

void close_handle(native_handle h) noexcept {
  // Linux and the BSDs release the descriptor even when close() reports EINTR, so retrying
  // could close a descriptor another thread has just been given.
  (void)::close(h);
}

bool handle_is_open(native_handle h) noexcept { return h >= 0 && ::fcntl(h, F_GETFD) != -1; }

std::optional<std::string> handle_problem(native_handle h) {
  if (handle_is_open(h)) return std::nullopt;
  return detail::text::format("fd {} is not open", h);
}

std::error_code bad_handle_error() noexcept { return {EBADF, std::generic_category()}; }

native_handle standard_handle(int index) noexcept { return index; }

namespace {

// A non-blocking descriptor (an asynchronous pipe end, or one Asio has used) answers EAGAIN
// where a blocking one would wait: wait for it here, so the blocking API works on both.
bool wait_ready(int fd, short events, std::error_code& ec) noexcept {
  pollfd p{fd, events, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) {
      ec = last_os_error();
      return false;
    }
  }
  return true;
}

bool would_block(int error) noexcept { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

std::size_t read_some(native_handle h, void* buffer, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  while (true) {
    const ssize_t n = ::read(h, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (would_block(errno) && wait_ready(h, POLLIN, ec)) continue;
    if (!ec && posix::is_end_of_terminal(h, errno)) return 0;
    if (!ec) ec = last_os_error();
    return 0;
  }
}

std::size_t write_some(native_handle h, const void* data, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  while (true) {
    int error = 0;
    const long n = posix::write_without_sigpipe(h, data, size, error);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (would_block(error) && wait_ready(h, POLLOUT, ec)) continue;
    if (!ec) ec = {error, std::generic_category()};
    return 0;
  }
}

pipe_ends make_pipe(std::error_code& ec) noexcept {
  ec.clear();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ec = last_os_error();
    return {};
  }
  return {unique_handle(fds[0]), unique_handle(fds[1])};
}

pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept {
  pipe_ends p = make_pipe(ec);
  if (ec) return p;
  // O_NONBLOCK belongs to the open file description, and each end of a pipe is its own: the
  // other end, the one a child gets, stays blocking.
  const int fd = async_end == pipe_end::read ? p.read.get() : p.write.get();
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    ec = last_os_error();
    return {};
  }
  return p;
}

unique_handle duplicate_handle(native_handle h, std::error_code& ec) noexcept {
  ec.clear();
  const int fd = ::fcntl(h, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    ec = last_os_error();
    return {};
  }
  return unique_handle(fd);
}

unique_handle open_file(const std::filesystem::path& path, file_mode mode, std::error_code& ec) noexcept {
  ec.clear();
  int flags = O_CLOEXEC;
  switch (mode) {
    case file_mode::automatic:
    case file_mode::read: flags |= O_RDONLY; break;
    case file_mode::truncate: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
    case file_mode::append: flags |= O_WRONLY | O_CREAT | O_APPEND; break;
    case file_mode::read_write: flags |= O_RDWR | O_CREAT; break;
  }
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    ec = last_os_error();
    return {};
  }
  return unique_handle(fd);
}

}  // namespace os
}  // namespace bequest::detail
