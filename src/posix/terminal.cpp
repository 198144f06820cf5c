// SPDX-License-Identifier: BSL-1.0
// POSIX: a child's pseudo-terminal (spawn_options::terminal) — making it, resizing it, and
// reading its end of output as end of file.
#include "../child_impl.hpp"
#include "../platform.hpp"
#include "posix.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../text_format.hpp"

namespace bequest::detail {
namespace posix {
namespace {

bool set_size(int master, terminal_size size, std::error_code& ec) noexcept {
  winsize w{};
  w.ws_row = size.rows;
  w.ws_col = size.cols;
  if (::ioctl(master, TIOCSWINSZ, &w) != 0) {
    ec = last_os_error();
    return false;
  }
  return true;
}

}  // namespace

bool open_terminal(terminal_size size, std::string_view program, child_impl& c, std::string& slave_path, failure& f) {
  // O_CLOEXEC from the start, so that no spawn on another thread, ours or anyone's, can take
  // the master with it; O_NOCTTY, so that it never becomes our controlling terminal.
  unique_handle master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return spawn_failed(f, program, last_os_error(), "terminal: posix_openpt");
  // Where the libc ignores O_CLOEXEC for posix_openpt, set it at once (a spawn elsewhere
  // could still see the master between the two calls there; glibc and the BSDs pass it on).
  const int fd_flags = ::fcntl(master.get(), F_GETFD);
  if (fd_flags < 0 || (!(fd_flags & FD_CLOEXEC) && ::fcntl(master.get(), F_SETFD, fd_flags | FD_CLOEXEC) != 0)) {
    return spawn_failed(f, program, last_os_error(), "terminal: make the master close-on-exec");
  }
  if (::grantpt(master.get()) != 0) return spawn_failed(f, program, last_os_error(), "terminal: grantpt");
  if (::unlockpt(master.get()) != 0) return spawn_failed(f, program, last_os_error(), "terminal: unlockpt");
  char name[PATH_MAX];
  if (const int rc = ::ptsname_r(master.get(), name, sizeof name); rc != 0) {
    return spawn_failed(f, program, {rc, std::generic_category()}, "terminal: ptsname_r");
  }
  std::error_code ec;
  // Before the child starts, so that its first look at the size is already right.
  if (!set_size(master.get(), size, ec)) return spawn_failed(f, program, ec, "terminal: set the size (TIOCSWINSZ)");
  // in() and out() each own a descriptor of the master, so that either can be closed or
  // handed to Asio on its own; the child object keeps a third for resize_terminal.
  unique_handle in = os::duplicate_handle(master.get(), ec);
  if (ec) return spawn_failed(f, program, ec, "terminal: duplicate the master for stdin");
  unique_handle out = os::duplicate_handle(master.get(), ec);
  if (ec) return spawn_failed(f, program, ec, "terminal: duplicate the master for stdout");
  slave_path = name;
  c.in = std::move(in);
  c.out = std::move(out);
  c.terminal.value = master.release();
  return true;
}

bool is_end_of_terminal(int fd, int error) noexcept {
  // Once every descriptor of the slave is closed, Linux answers a read of the master with
  // EIO rather than 0. Only a master has a slave name, so ptsname_r tells the two apart.
  if (error != EIO) return false;
  char name[PATH_MAX];
  return ::ptsname_r(fd, name, sizeof name) == 0;
}

}  // namespace posix

namespace os {

void resize_terminal(native_handle t, terminal_size size, std::error_code& ec) noexcept {
  ec.clear();
  // The kernel sends SIGWINCH to the terminal's foreground process group when the size changes.
  (void)posix::set_size(t, size, ec);
}

void close_terminal(native_handle& t, native_handle& drain) noexcept {
  if (t != invalid_native_handle) close_handle(t);
  t = invalid_native_handle;
  drain = invalid_native_handle;
}

}  // namespace os
}  // namespace bequest::detail
