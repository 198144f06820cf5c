// SPDX-License-Identifier: BSL-1.0
#pragma once

// bequest with Asio (standalone Asio, namespace ::asio; header-only). The core library does
// not depend on Asio: only a program that includes this header needs Asio's headers (and,
// with CMake, links bequest::asio). See docs/asio.md.
//
//   asio::io_context io;
//   bequest::spawn_options o;
//   o.program = "worker";
//   o.out = bequest::stdio::async_pipe();
//   bequest::child c = bequest::spawn(o);
//   auto out = bequest::make_readable_pipe(io.get_executor(), std::move(c.out()));
//   bequest::async_wait(io, c, [](std::error_code ec, bequest::exit_status s) { ... });
//   io.run();
//
// How the exit of a child is awaited:
//   Linux       a duplicate of the child's pidfd on a posix::stream_descriptor, which becomes
//               readable when the process exits;
//   other POSIX (and Linux without pidfds: kernels before 5.3, or BEQUEST_POSIX_GENERIC):
//               an asio::signal_set for SIGCHLD; at each SIGCHLD the child is checked with
//               waitid(P_PID, pid, WNOHANG | WNOWAIT) and reaped with waitpid(pid) — never
//               waitpid(-1), so children of other code are never taken from it;
//   Windows     a duplicate of the process handle on a windows::object_handle.

#include <bequest/child.hpp>
#include <bequest/config.hpp>
#include <bequest/error.hpp>
#include <bequest/exit_status.hpp>
#include <bequest/handle.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/compose.hpp>
#include <asio/error.hpp>
#include <asio/execution_context.hpp>
#include <asio/post.hpp>
#include <asio/readable_pipe.hpp>
#include <asio/system_executor.hpp>
#include <asio/writable_pipe.hpp>
#if defined(_WIN32)
#  include <asio/windows/object_handle.hpp>
#else
#  include <asio/posix/stream_descriptor.hpp>
#  include <asio/signal_set.hpp>
#  include <csignal>
#endif

#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

namespace bequest {
namespace asio_detail {

/// What one asynchronous wait for a process waits on: something that completes when the
/// process may have exited. Lives on the heap, so that its address stays put while the
/// operation that owns it moves from handler to handler.
#if defined(_WIN32)
class exit_waiter {
 public:
  exit_waiter(const ::asio::any_io_executor& ex, child& c, std::error_code& ec) : handle_(ex) {
    // A duplicate: object_handle closes what it holds, and several waits may run at once.
    unique_handle h = duplicate_handle(c.native_process(), ec);
    if (ec) return;
    ::asio::error_code aec;
    handle_.assign(h.get(), aec);
    if (aec) {
      ec = aec;
      return;
    }
    (void)h.release();
  }
  template <class Handler>
  void async_wait(Handler&& handler, ::asio::cancellation_slot slot) {
    // object_handle has no per-operation cancellation of its own: cancel() is the equivalent
    // for the one wait it carries.
    if (slot.is_connected()) slot.assign([h = &handle_](::asio::cancellation_type) { h->cancel(); });
    handle_.async_wait(std::forward<Handler>(handler));
  }

 private:
  ::asio::windows::object_handle handle_;
};
#else
class exit_waiter {
 public:
  exit_waiter(const ::asio::any_io_executor& ex, child& c, std::error_code& ec) {
    if (c.native_process() >= 0) {
      // A duplicate: stream_descriptor closes what it holds, and epoll refuses the same
      // descriptor twice, so each wait gets its own.
      unique_handle fd = duplicate_handle(c.native_process(), ec);
      if (ec) return;
      ::asio::error_code aec;
      pidfd_.emplace(ex);
      pidfd_->assign(fd.get(), aec);
      if (aec) {
        ec = aec;
        return;
      }
      (void)fd.release();
    } else {
      // No pidfd: SIGCHLD. The set exists before the first check of the child (by the
      // caller), so a SIGCHLD that comes after that check is queued for the set, not lost.
      sigchld_.emplace(ex);
      ::asio::error_code aec;
      sigchld_->add(SIGCHLD, aec);
      if (aec) ec = aec;
    }
  }
  template <class Handler>
  void async_wait(Handler&& handler, ::asio::cancellation_slot) {
    // Both support per-operation cancellation through the handler's slot themselves.
    if (pidfd_) {
      pidfd_->async_wait(::asio::posix::descriptor_base::wait_read, std::forward<Handler>(handler));
    } else {
      sigchld_->async_wait(std::forward<Handler>(handler));
    }
  }

 private:
  std::optional<::asio::posix::stream_descriptor> pidfd_;
  std::optional<::asio::signal_set> sigchld_;
};
#endif

/// The composed operation behind async_wait.
class wait_op {
 public:
  wait_op(child& c, std::optional<::asio::any_io_executor> ex) : child_(&c), ex_(std::move(ex)) {}

  /// For the form without an executor: the one associated with the handler, known only once
  /// the operation runs.
  void use_executor_if_none(::asio::any_io_executor ex) {
    if (!ex_) ex_ = std::move(ex);
  }

  template <class Self>
  void operator()(Self& self, std::error_code ec = {}, int /*signal number, from signal_set*/ = 0) {
    switch (state_) {
      case state::starting: {
        state_ = state::waiting;
        // A wait changes nothing that would need undoing, so every kind of cancellation is safe.
        self.reset_cancellation_state(::asio::enable_total_cancellation());
        if (!*child_) {
          fail(self, std::make_error_code(std::errc::no_child_process));
          return;
        }
        waiter_ = std::make_unique<exit_waiter>(*ex_, *child_, ec);
        if (ec) {
          fail(self, ec);
          return;
        }
        // Already known (waited for before), or exited: answer without waiting — but never
        // from inside the initiating function.
        if (check(ec) || ec) {
          state_ = state::posted;
          ::asio::post(*ex_, std::move(self));
          return;
        }
        wait(self);
        return;
      }
      case state::posted:
      case state::waiting: {
        if (state_ == state::waiting && ec) {  // operation_aborted when cancelled
          finish(self, ec);
          return;
        }
        if (!check(ec) && !ec) {
          wait(self);  // a SIGCHLD for another child
          return;
        }
        finish(self, ec);
        return;
      }
      case state::failed: finish(self, failure_); return;
    }
  }

 private:
  enum class state { starting, waiting, posted, failed };

  /// True when the child's status is known; reaps it if it has exited.
  bool check(std::error_code& ec) {
    status_ = child_->try_wait(ec);
    return status_.has_value();
  }

  template <class Self>
  void wait(Self& self) {
    state_ = state::waiting;
    ::asio::cancellation_slot slot = self.get_cancellation_state().slot();
    waiter_->async_wait(std::move(self), slot);
  }

  template <class Self>
  void fail(Self& self, std::error_code ec) {
    state_ = state::failed;
    failure_ = ec;
    ::asio::post(*ex_, std::move(self));
  }

  template <class Self>
  void finish(Self& self, std::error_code ec) {
    const exit_status status = status_ && !ec ? *status_ : exit_status::exited(-1);
    waiter_.reset();  // closes the duplicate before the handler runs
    self.complete(ec, status);
  }

  child* child_;
  std::optional<::asio::any_io_executor> ex_;
  std::unique_ptr<exit_waiter> waiter_;
  std::optional<exit_status> status_;
  std::error_code failure_;
  state state_ = state::starting;
};

template <class T>
inline constexpr bool is_execution_context_v = std::is_convertible_v<T&, ::asio::execution_context&>;

}  // namespace asio_detail

/// Waits asynchronously for `c` to exit, then collects its status (on POSIX: reaps it),
/// exactly like `c.wait()`. Completes with `(std::error_code, bequest::exit_status)`; the
/// status is meaningless when the code is set.
///
/// - Any completion token: a callback, `asio::use_future`, `asio::use_awaitable` (C++20),
///   `asio::deferred`, ... (Asio's `async_initiate` machinery, through `async_compose`).
/// - Per-operation cancellation (any type: terminal, partial, total) through the handler's
///   cancellation slot (`asio::bind_cancellation_slot`, or awaitable operators): the
///   operation completes with `asio::error::operation_aborted` and leaves the child alone —
///   it may be waited for again. `c.kill()` is how to end the process itself.
/// - `c` must outlive the operation. Several waits for the same child may run at once, and
///   `c.wait()`, `c.kill()` and friends may be called meanwhile.
/// - The wait runs on `ex` (an I/O executor) and completes through the handler's associated
///   executor, as Asio's own operations do.
template <class CompletionToken>
auto async_wait(const ::asio::any_io_executor& ex, child& c, CompletionToken&& token) {
  return ::asio::async_compose<CompletionToken, void(std::error_code, exit_status)>(asio_detail::wait_op(c, ex), token,
                                                                                    ex);
}

/// The same, on the executor of `context` (an `asio::io_context`, for example).
template <class ExecutionContext, class CompletionToken,
          std::enable_if_t<asio_detail::is_execution_context_v<ExecutionContext>, int> = 0>
auto async_wait(ExecutionContext& context, child& c, CompletionToken&& token) {
  return async_wait(::asio::any_io_executor(context.get_executor()), c, std::forward<CompletionToken>(token));
}

/// The same, on the executor associated with the completion handler: for tokens that carry
/// one, such as `asio::use_awaitable` inside a coroutine or a callback wrapped with
/// `asio::bind_executor`. (A plain callback has none; pass an executor then.)
template <class CompletionToken>
auto async_wait(child& c, CompletionToken&& token) {
  return ::asio::async_compose<CompletionToken, void(std::error_code, exit_status)>(
      [op = asio_detail::wait_op(c, std::nullopt)](auto& self, std::error_code ec = {}, int signal = 0) mutable {
        using executor_type = typename std::decay_t<decltype(self)>::executor_type;
        static_assert(!std::is_same_v<executor_type, ::asio::system_executor> &&
                          std::is_convertible_v<executor_type, ::asio::any_io_executor>,
                      "bequest::async_wait(child, token): the completion handler has no associated I/O executor "
                      "(a plain callback, asio::use_future); pass an executor or an execution context as the first "
                      "argument, or bind one with asio::bind_executor");
        op.use_executor_if_none(::asio::any_io_executor(self.get_executor()));
        op(self, ec, signal);
      },
      token);
}

/// True when `ec`, from a read of an Asio pipe, means the writers are gone: end of the data.
/// POSIX Asio reports it as `asio::error::eof`; Windows Asio passes on the system's own
/// `ERROR_BROKEN_PIPE` (`asio::error::broken_pipe`) for a pipe, keeping `eof` for files.
inline bool is_end_of_pipe(const std::error_code& ec) noexcept {
  return ec == ::asio::error::eof || ec == ::asio::error::broken_pipe;
}

/// Makes an `asio::readable_pipe` of the read end `h`, which it takes over: typically
/// `std::move(c.out())` or `std::move(c.err())` of a child spawned with `stdio::async_pipe()`,
/// or the asynchronous end of `make_async_pipe(pipe_end::read)`. On Windows the handle must
/// support overlapped I/O, as those do; on POSIX any pipe descriptor will do. On failure `h`
/// keeps the handle.
inline ::asio::readable_pipe make_readable_pipe(const ::asio::any_io_executor& ex, unique_handle&& h,
                                                std::error_code& ec) {
  ::asio::readable_pipe p(ex);
  p.assign(h.get(), ec);
  if (!ec) (void)h.release();
  return p;
}
inline ::asio::readable_pipe make_readable_pipe(const ::asio::any_io_executor& ex, unique_handle&& h) {
  std::error_code ec;
  auto p = make_readable_pipe(ex, std::move(h), ec);
  if (ec) throw error(ec, "make an asio::readable_pipe of a pipe end");
  return p;
}
/// The same, on the executor of `context`.
template <class ExecutionContext, std::enable_if_t<asio_detail::is_execution_context_v<ExecutionContext>, int> = 0>
::asio::readable_pipe make_readable_pipe(ExecutionContext& context, unique_handle&& h) {
  return make_readable_pipe(::asio::any_io_executor(context.get_executor()), std::move(h));
}

/// Makes an `asio::writable_pipe` of the write end `h`, which it takes over: typically
/// `std::move(c.in())` of a child spawned with `stdio::async_pipe()`, or the asynchronous end
/// of `make_async_pipe(pipe_end::write)`. Close it (`close()`, or destroy it) to send end of
/// file. On failure `h` keeps the handle.
inline ::asio::writable_pipe make_writable_pipe(const ::asio::any_io_executor& ex, unique_handle&& h,
                                                std::error_code& ec) {
  ::asio::writable_pipe p(ex);
  p.assign(h.get(), ec);
  if (!ec) (void)h.release();
  return p;
}
inline ::asio::writable_pipe make_writable_pipe(const ::asio::any_io_executor& ex, unique_handle&& h) {
  std::error_code ec;
  auto p = make_writable_pipe(ex, std::move(h), ec);
  if (ec) throw error(ec, "make an asio::writable_pipe of a pipe end");
  return p;
}
/// The same, on the executor of `context`.
template <class ExecutionContext, std::enable_if_t<asio_detail::is_execution_context_v<ExecutionContext>, int> = 0>
::asio::writable_pipe make_writable_pipe(ExecutionContext& context, unique_handle&& h) {
  return make_writable_pipe(::asio::any_io_executor(context.get_executor()), std::move(h));
}

}  // namespace bequest
