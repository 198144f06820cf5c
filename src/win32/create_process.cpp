// SPDX-License-Identifier: BSL-1.0
// Win32: CreateProcessW, tried again when it reports ERROR_INTERNAL_ERROR.
//
// Wine reports ERROR_INTERNAL_ERROR when the new process ended before it finished starting
// and left no exit code: its Unix-side start-up failed (seen under heavy load, in about one
// spawn in several thousand; docs/windows.md). No program code of the child ran, and Wine
// has closed what it made, so the call can simply be made again. Windows does not document
// the error for CreateProcess; if it ever reports it, a few more tries cost a few
// milliseconds before the same error is reported.

#include "win32.hpp"

namespace bequest::detail::win32 {

BOOL create_process(const wchar_t* application, wchar_t* command_line, BOOL inherit_handles, DWORD flags,
                    void* environment, const wchar_t* cwd, STARTUPINFOW* startup, PROCESS_INFORMATION* info) noexcept {
  if (out_of_handles()) return FALSE;
  constexpr DWORD pauses_ms[] = {5, 20, 100};
  for (DWORD pause : pauses_ms) {
    if (::CreateProcessW(application, command_line, nullptr, nullptr, inherit_handles, flags, environment, cwd, startup,
                         info)) {
      return TRUE;
    }
    if (::GetLastError() != ERROR_INTERNAL_ERROR) return FALSE;
    ::Sleep(pause);
  }
  return ::CreateProcessW(application, command_line, nullptr, nullptr, inherit_handles, flags, environment, cwd,
                          startup, info);
}

}  // namespace bequest::detail::win32
