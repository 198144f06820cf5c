// SPDX-License-Identifier: BSL-1.0
// POSIX: moving run()'s bytes in three directions at once — one thread, poll() on the three
// non-blocking pipe ends. Whatever order the child reads and writes in, the one end it is
// blocked on is always served, so neither side can wait for the other for ever.
#include "../platform.hpp"
#include "posix.hpp"

#include <cerrno>
#include <climits>
#include <poll.h>
#include <unistd.h>

namespace bequest::detail::os {
namespace {

using clock = std::chrono::steady_clock;

bool would_block(int error) noexcept { return error == EAGAIN || error == EWOULDBLOCK; }

struct stream {
  unique_handle* handle;
  output_sink* sink;
  const char* read_step;
  bool open() const noexcept { return handle && *handle; }
};

}  // namespace

bool communicate(transfer& t, std::optional<clock::time_point> deadline, std::error_code& ec, const char*& step) {
  ec.clear();
  std::size_t written = 0;
  if (t.in && *t.in && t.input.empty()) t.in->reset();  // nothing to write: end of file at once
  stream readers[2] = {{t.out, t.out_sink, "read stdout"}, {t.err, t.err_sink, "read stderr"}};
  char buffer[65536];

  while ((t.in && *t.in) || readers[0].open() || readers[1].open()) {
    pollfd fds[3];
    int count = 0;
    int in_index = -1, reader_index[2] = {-1, -1};
    if (t.in && *t.in) {
      in_index = count;
      fds[count++] = {t.in->get(), POLLOUT, 0};
    }
    for (int i = 0; i < 2; ++i) {
      if (!readers[i].open()) continue;
      reader_index[i] = count;
      fds[count++] = {readers[i].handle->get(), POLLIN, 0};
    }
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now()).count();
      if (left <= 0) return false;
      wait_ms = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    }
    const int ready = ::poll(fds, static_cast<nfds_t>(count), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      ec = last_os_error();
      step = "poll the pipes";
      return true;
    }
    if (ready == 0) continue;  // the deadline is checked at the top

    if (in_index >= 0 && fds[in_index].revents != 0) {
      if (fds[in_index].revents & POLLNVAL) {
        ec = make_error_code(std::errc::bad_file_descriptor);
        step = "write stdin";
        return true;
      }
      int error = 0;
      const long n =
          posix::write_without_sigpipe(t.in->get(), t.input.data() + written, t.input.size() - written, error);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && error == EPIPE) {
        t.in->reset();  // the child will read no more: the rest is dropped, as documented
      } else if (n < 0 && !would_block(error)) {
        ec = {error, std::generic_category()};
        step = "write stdin";
        return true;
      } else if (written == t.input.size()) {
        t.in->reset();  // end of file for the child
      }
    }
    for (int i = 0; i < 2; ++i) {
      const int k = reader_index[i];
      if (k < 0 || fds[k].revents == 0) continue;
      if (fds[k].revents & POLLNVAL) {
        ec = make_error_code(std::errc::bad_file_descriptor);
        step = readers[i].read_step;
        return true;
      }
      ssize_t n;
      do {
        n = ::read(readers[i].handle->get(), buffer, sizeof buffer);
      } while (n < 0 && errno == EINTR);
      if (n > 0) {
        readers[i].sink->keep(buffer, static_cast<std::size_t>(n));  // past the limit: dropped
      } else if (n == 0 || posix::is_end_of_terminal(readers[i].handle->get(), errno)) {
        readers[i].handle->reset();  // end of file
      } else if (!would_block(errno)) {
        ec = last_os_error();
        step = readers[i].read_step;
        return true;
      }
    }
  }
  return true;
}

}  // namespace bequest::detail::os
