// SPDX-License-Identifier: BSL-1.0
#include <bequest/child.hpp>

#include "child_impl.hpp"
#include "platform.hpp"

#include <bequest/error.hpp>

#include "text_format.hpp"

namespace bequest {
namespace detail {
namespace {

[[noreturn]] void throw_child_error(const child_impl* impl, const char* what, std::error_code ec) {
  throw error(ec, impl ? detail::text::format("{} process {}", what, impl->pid)
                       : detail::text::format("{} an empty child", what));
}

const std::error_code& lost_error() noexcept {
  static const std::error_code e = make_error_code(std::errc::no_child_process);
  return e;
}

// Someone else took the status (ECHILD), or the id no longer names our child: that is for
// good. Called with c.mutex held.
void note_lost(child_impl& c, const std::error_code& ec) noexcept {
  if (ec == std::errc::no_child_process) c.lost = true;
}

// Waits (outside the lock, so kill() stays possible) and then collects under the lock.
std::optional<exit_status> wait_impl(child_impl& c, long long timeout_ms, std::error_code& ec) {
  ec.clear();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.status) return c.status;
    if (c.lost) {
      ec = lost_error();
      return std::nullopt;
    }
  }
  const bool exited = os::wait_exit(c, timeout_ms, ec);
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.status) {
    // Another thread collected it while we waited. Without a pidfd our own wait then fails
    // (waitid: ECHILD, the id is no longer our child's); the status is the answer all the same.
    ec.clear();
    return c.status;
  }
  if (c.lost) {
    ec = lost_error();
    return std::nullopt;
  }
  if (ec) {
    note_lost(c, ec);
    return std::nullopt;
  }
  if (!exited) return std::nullopt;
  c.status = os::collect_exit(c, ec);
  note_lost(c, ec);
  return c.status;
}

// The calls that signal the child's group (kill_tree, signal_group), for a child that leads one
// (`leads`). Under the lock, so that on POSIX the group is signalled while its leader is ours:
// not reaped, or kept as a zombie once its status is known (then its id cannot have been reused).
template <class Send>
void group_call(child_impl& c, bool leads, std::error_code& ec, Send send) {
  ec.clear();
  if (!leads) {
    ec = make_error_code(std::errc::invalid_argument);
    return;
  }
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.lost) {
    ec = lost_error();
    return;
  }
  send();
  note_lost(c, ec);
}

void kill_tree_impl(child_impl& c, std::error_code& ec) {
  group_call(c, c.tree, ec, [&] { os::kill_tree(c, ec); });
}

void signal_group_impl(child_impl& c, int sig, std::error_code& ec) {
  group_call(c, c.group_leader, ec, [&] {
    // A reaped leader's id may be another's now; a waited-for one kept as a zombie still
    // holds its group's id (collect_exit).
    if (c.status && !c.zombie) return;
    os::signal_group(c, sig, ec);
  });
}

void signal_impl(child_impl& c, int sig, std::error_code& ec) {
  ec.clear();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (c.status) return;  // already reaped: its id may belong to someone else now
  if (c.lost) {
    ec = lost_error();
    return;
  }
  os::send_signal(c, sig, ec);
  note_lost(c, ec);
}

}  // namespace

child_impl::~child_impl() {
  // No other thread may use a child that is being destroyed, so no lock is needed.
  // A lost process (someone else took its status) is left alone: its id may be another's.
  if (pid != pid_type{} && !status && !lost && policy == destroy_policy::wait) {
    std::error_code ec;
    if (os::wait_exit(*this, -1, ec)) status = os::collect_exit(*this, ec);
  }
  if (pid != pid_type{} && !status && !lost && policy == destroy_policy::kill) {
    std::error_code ec;
    os::send_signal(*this, os::kill_signal, ec);  // may fail for a process that already exited; reap it anyway
    if (ec != std::errc::no_child_process && os::wait_exit(*this, -1, ec)) status = os::collect_exit(*this, ec);
  }
  os::release_process(*this);
}

}  // namespace detail

child::child() noexcept = default;
child::child(std::unique_ptr<detail::child_impl> impl) noexcept : impl_(std::move(impl)) {}
child::child(child&&) noexcept = default;
child& child::operator=(child&& other) noexcept {
  if (this != &other) impl_ = std::move(other.impl_);  // the old impl's destructor applies its policy
  return *this;
}
child::~child() = default;

pid_type child::pid() const noexcept { return impl_ ? impl_->pid : pid_type{}; }
native_handle child::native_process() const noexcept { return impl_ ? impl_->process : invalid_native_handle; }

exit_status child::wait() {
  std::error_code ec;
  exit_status s = wait(ec);
  if (ec) detail::throw_child_error(impl_.get(), "wait for", ec);
  return s;
}

exit_status child::wait(std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return exit_status::exited(-1);
  }
  auto s = detail::wait_impl(*impl_, -1, ec);
  return s ? *s : exit_status::exited(-1);
}

std::optional<exit_status> child::try_wait() { return wait_for_ms(0); }
std::optional<exit_status> child::try_wait(std::error_code& ec) noexcept { return wait_for_ms(0, ec); }

std::optional<exit_status> child::wait_for_ms(long long ms) {
  std::error_code ec;
  auto s = wait_for_ms(ms, ec);
  if (ec) detail::throw_child_error(impl_.get(), "wait for", ec);
  return s;
}

std::optional<exit_status> child::wait_for_ms(long long ms, std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return std::nullopt;
  }
  return detail::wait_impl(*impl_, ms, ec);
}

void child::kill() {
  std::error_code ec;
  kill(ec);
  if (ec) detail::throw_child_error(impl_.get(), "kill", ec);
}
void child::kill(std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  detail::signal_impl(*impl_, detail::os::kill_signal, ec);
}
void child::terminate() {
  std::error_code ec;
  terminate(ec);
  if (ec) detail::throw_child_error(impl_.get(), "terminate", ec);
}
void child::terminate(std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  detail::signal_impl(*impl_, detail::os::terminate_signal, ec);
}

void child::kill_tree() {
  std::error_code ec;
  kill_tree(ec);
  if (!ec) return;
  if (impl_ && !impl_->tree) {
    throw error(ec,
                detail::text::format("kill the tree of process {}: it was not spawned with spawn_options::process_tree",
                                     impl_->pid));
  }
  detail::throw_child_error(impl_.get(), "kill the tree of", ec);
}
void child::kill_tree(std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  detail::kill_tree_impl(*impl_, ec);
}

void child::signal(int sig) {
  std::error_code ec;
  signal(sig, ec);
  if (ec) detail::throw_child_error(impl_.get(), detail::text::format("send signal {} to", sig).c_str(), ec);
}
void child::signal(int sig, std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  detail::signal_impl(*impl_, sig, ec);
}

void child::signal_group(int sig) {
  std::error_code ec;
  signal_group(sig, ec);
  if (!ec) return;
  if (impl_ && !impl_->group_leader) {
    throw error(
        ec, detail::text::format("send signal {} to the group of process {}: it was spawned without new_process_group, "
                                 "process_tree or posix.new_session, so it leads no group",
                                 sig, impl_->pid));
  }
  detail::throw_child_error(impl_.get(), detail::text::format("send signal {} to the group of", sig).c_str(), ec);
}
void child::signal_group(int sig, std::error_code& ec) noexcept {
  if (!impl_) {
    ec = make_error_code(std::errc::no_child_process);
    return;
  }
  detail::signal_group_impl(*impl_, sig, ec);
}

void child::detach() noexcept {
  if (!impl_) return;
  impl_->policy = destroy_policy::detach;
  impl_.reset();
}

namespace {
unique_handle& no_pipe() noexcept {
  // Accessors on an empty child hand out a per-thread empty handle rather than crash.
  thread_local unique_handle empty;
  empty.reset();
  return empty;
}
}  // namespace

unique_handle& child::in() noexcept { return impl_ ? impl_->in : no_pipe(); }
unique_handle& child::out() noexcept { return impl_ ? impl_->out : no_pipe(); }
unique_handle& child::err() noexcept { return impl_ ? impl_->err : no_pipe(); }

}  // namespace bequest
