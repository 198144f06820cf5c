// SPDX-License-Identifier: BSL-1.0
// Win32: waiting for, ending and releasing a child.
#include "../platform.hpp"
#include "win32.hpp"

#include <chrono>

namespace bequest::detail::os {

bool wait_exit(const child_impl& c, long long timeout_ms, std::error_code& ec) noexcept {
  ec.clear();
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (true) {
    DWORD wait = INFINITE;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      // INFINITE is 0xFFFFFFFF, so a finite wait must stay below it; longer ones loop.
      wait = left <= 0 ? 0 : (left >= 0xFFFFFFFELL ? 0xFFFFFFFEu : static_cast<DWORD>(left));
    }
    const DWORD rc = ::WaitForSingleObject(c.process, wait);
    if (rc == WAIT_OBJECT_0) return true;
    if (rc == WAIT_FAILED) {
      ec = last_os_error();
      return false;
    }
    if (wait == 0 || clock::now() >= deadline) return false;
  }
}

std::optional<exit_status> collect_exit(child_impl& c, std::error_code& ec) noexcept {
  ec.clear();
  DWORD code = 0;
  if (!::GetExitCodeProcess(c.process, &code)) {
    ec = last_os_error();
    return std::nullopt;
  }
  // Kept bit for bit: 0xC0000005 (an access violation) reads as a negative int.
  return exit_status::exited(static_cast<int>(code));
}

void send_signal(child_impl& c, int sig, std::error_code& ec) noexcept {
  ec.clear();
  if (sig != kill_signal && sig != terminate_signal) {
    ec = make_error_code(std::errc::not_supported);
    return;
  }
  // Windows has no polite request to end an arbitrary process, so terminate is kill. The
  // process handle, not the id, names it: it cannot hit a process that reused the id.
  if (::TerminateProcess(c.process, 1)) return;
  const std::error_code error = last_os_error();
  // A process that has already exited refuses with ERROR_ACCESS_DENIED: nothing left to end.
  if (::WaitForSingleObject(c.process, 0) == WAIT_OBJECT_0) return;
  ec = error;
}

int native_status(int code, int, bool) noexcept { return code; }

void signal_group(child_impl& c, int sig, std::error_code& ec) noexcept {
  ec.clear();
  constexpr int sigint = 2, sigbreak = 21;  // the C runtime's SIGINT and SIGBREAK
  if ((sig != sigint && sig != sigbreak) || !c.console_group) {
    ec = make_error_code(std::errc::not_supported);
    return;
  }
  // The group's id is the id of the process that leads it, which cannot be reused while we
  // hold its handle (the caller has checked it was not waited for). CTRL_C_EVENT cannot be
  // sent to a group other than the caller's: Ctrl+C is disabled in a new group.
  if (!::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, c.pid)) ec = last_os_error();
}

void kill_tree(child_impl& c, std::error_code& ec) noexcept {
  ec.clear();
  if (!c.tree_job) {
    ec = {ERROR_INVALID_HANDLE, std::system_category()};
    return;
  }
  // Every process in the job, the child's descendants included, ends with exit code 1, as
  // kill() gives. An empty job is not an error.
  if (!::TerminateJobObject(c.tree_job, 1)) ec = last_os_error();
}

void release_process(child_impl& c) noexcept {
  if (c.process != nullptr) ::CloseHandle(c.process);
  c.process = nullptr;
  // The job is not kill-on-close: closing our handle leaves its processes running.
  if (c.tree_job != nullptr) ::CloseHandle(c.tree_job);
  c.tree_job = nullptr;
}

const char* signal_name(int /*signal*/) noexcept { return nullptr; }

}  // namespace bequest::detail::os
