// SPDX-License-Identifier: BSL-1.0
// Win32: moving run()'s bytes in three directions at once — one thread, one overlapped
// operation in flight per pipe (the parent's ends are overlapped named pipes, see
// async_pipe.cpp), WaitForMultipleObjects on their events. No thread is started, and a
// timeout is kept by cancelling what is in flight (CancelIoEx), which blocking reads on
// helper threads could not do if another process kept the pipe open.
#include "../platform.hpp"
#include "win32.hpp"

#include <memory>

namespace bequest::detail::os {
namespace {

using clock = std::chrono::steady_clock;

constexpr DWORD chunk = 65536;

/// One pipe and the overlapped operation in flight on it, if any.
struct channel {
  unique_handle* handle = nullptr;
  output_sink* sink = nullptr;  ///< where reads go; nullptr for the stdin channel
  const char* step = "";
  HANDLE event = nullptr;
  OVERLAPPED ov{};
  bool pending = false;
  std::unique_ptr<char[]> buffer;  ///< reads land here

  channel() = default;
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;
  ~channel() {
    finish_cancelled();
    if (event) ::CloseHandle(event);
  }
  [[nodiscard]] bool open() const noexcept { return handle && *handle; }
  /// Cancels an operation in flight and waits until the system is done with our buffer.
  void finish_cancelled() noexcept {
    if (!pending) return;
    ::CancelIoEx(handle->get(), &ov);
    DWORD ignored = 0;
    ::GetOverlappedResult(handle->get(), &ov, &ignored, TRUE);
    pending = false;
  }
};

bool is_reader_gone(DWORD error) noexcept { return error == ERROR_NO_DATA || error == ERROR_BROKEN_PIPE; }

}  // namespace

bool communicate(transfer& t, std::optional<clock::time_point> deadline, std::error_code& ec, const char*& step) {
  ec.clear();
  channel channels[3];
  channels[0].handle = t.in;
  channels[0].step = "write stdin";
  channels[1].handle = t.out;
  channels[1].sink = t.out_sink;
  channels[1].step = "read stdout";
  channels[2].handle = t.err;
  channels[2].sink = t.err_sink;
  channels[2].step = "read stderr";
  std::size_t written = 0;
  if (t.in && *t.in && t.input.empty()) t.in->reset();  // nothing to write: end of file at once

  auto fail = [&](channel& c, DWORD error) {
    ec = {static_cast<int>(error), std::system_category()};
    step = c.step;
    return true;  // the channels' destructors cancel what is still in flight
  };

  // Starts the next operation on `c`; false with `error` set if it failed at once. An
  // operation that completes at once also signals the event, so it is handled like the rest.
  auto start = [&](channel& c, DWORD& error) -> bool {
    BOOL started;
    if (!c.sink) {
      const std::size_t left = t.input.size() - written;
      started = ::WriteFile(c.handle->get(), t.input.data() + written, left > chunk ? chunk : static_cast<DWORD>(left),
                            nullptr, &c.ov);
    } else {
      started = ::ReadFile(c.handle->get(), c.buffer.get(), chunk, nullptr, &c.ov);
    }
    if (!started && ::GetLastError() != ERROR_IO_PENDING) {
      error = ::GetLastError();
      return false;
    }
    c.pending = true;
    return true;
  };

  for (channel& c : channels) {
    if (!c.open()) continue;
    // A manual-reset event per channel; ReadFile/WriteFile reset it when they start.
    c.event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (!c.event) return fail(c, ::GetLastError());
    c.ov.hEvent = c.event;
    if (c.sink) c.buffer.reset(new char[chunk]);
    DWORD error = 0;
    if (start(c, error)) continue;
    if (c.sink ? win32::is_end_of_pipe(error) : is_reader_gone(error)) {
      c.handle->reset();
      continue;
    }
    return fail(c, error);
  }

  while (true) {
    HANDLE events[3];
    channel* waiting[3];
    DWORD count = 0;
    for (channel& c : channels) {
      if (!c.pending) continue;
      events[count] = c.event;
      waiting[count++] = &c;
    }
    if (count == 0) return true;
    DWORD wait_ms = INFINITE;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now()).count();
      if (left <= 0) return false;  // the destructors cancel what is in flight
      wait_ms = left >= 0xFFFFFFFELL ? 0xFFFFFFFEu : static_cast<DWORD>(left);
    }
    const DWORD rc = ::WaitForMultipleObjects(count, events, FALSE, wait_ms);
    if (rc == WAIT_TIMEOUT) continue;  // the deadline is checked at the top
    if (rc >= WAIT_OBJECT_0 + count) return fail(*waiting[0], ::GetLastError());
    channel& c = *waiting[rc - WAIT_OBJECT_0];
    DWORD done = 0;
    const bool ok = ::GetOverlappedResult(c.handle->get(), &c.ov, &done, FALSE) != FALSE;
    const DWORD error = ok ? 0 : ::GetLastError();
    c.pending = false;
    if (c.sink) {
      if (!ok) {
        if (!win32::is_end_of_pipe(error)) return fail(c, error);
        c.handle->reset();  // end of file
        continue;
      }
      c.sink->keep(c.buffer.get(), done);  // past the limit: dropped
    } else {
      if (!ok) {
        if (!is_reader_gone(error)) return fail(c, error);
        c.handle->reset();  // the child reads no more: the rest is dropped, as documented
        continue;
      }
      written += done;
      if (written == t.input.size()) {
        c.handle->reset();  // end of file for the child
        continue;
      }
    }
    DWORD start_error = 0;
    if (start(c, start_error)) continue;
    if (c.sink ? win32::is_end_of_pipe(start_error) : is_reader_gone(start_error)) {
      c.handle->reset();
      continue;
    }
    return fail(c, start_error);
  }
}

}  // namespace bequest::detail::os
