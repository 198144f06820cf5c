// SPDX-License-Identifier: BSL-1.0
// Win32: the job objects a child may be put in at creation (PROC_THREAD_ATTRIBUTE_JOB_LIST):
// its own tree's job (spawn_options::process_tree) and the job of the children that die with
// us (spawn_options::kill_on_parent_exit).
//
// How they nest with the helper's job (docs/windows.md): a child created with the helper as
// its parent breaks away silently from the helper's job, and from every enclosing job that
// allows breakaway, stopping at the first that does not; it is then assigned to the jobs of
// its list in order, each nested under the previous (Windows 8 and later nest jobs).
#include "../platform.hpp"
#include "win32.hpp"

#include <mutex>

namespace bequest::detail::win32 {
namespace {

bool set_limits(HANDLE job, DWORD flags) noexcept {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = flags;
  return ::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits) != FALSE;
}

}  // namespace

HANDLE create_tree_job() noexcept {
  // NULL SECURITY_ATTRIBUTES: the handle is not inheritable; no name: nobody else opens it.
  if (out_of_handles()) return nullptr;
  HANDLE job = ::CreateJobObjectW(nullptr, nullptr);
  if (!job) return nullptr;
  // BREAKAWAY_OK without SILENT_BREAKAWAY_OK: a descendant leaves the tree only when it is
  // created with CREATE_BREAKAWAY_FROM_JOB — the counterpart of a POSIX descendant that moves
  // to another process group — and programs that ask for it still start.
  if (!set_limits(job, JOB_OBJECT_LIMIT_BREAKAWAY_OK)) {
    const DWORD error = ::GetLastError();
    ::CloseHandle(job);
    ::SetLastError(error);
    return nullptr;
  }
  return job;
}

HANDLE parent_exit_job() noexcept {
  // One job for every such child, never closed: the system closes this process's handles
  // when it ends (exit, crash, TerminateProcess), and JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE then
  // ends every process in the job. Nobody else may hold a handle to it, or they would keep
  // it open: it is unnamed and not inheritable.
  // Never destroyed, like the helper's state: a spawn during static destruction still works.
  static process_lifetime_mutex mutex;  // trivially destructible: usable during static destruction
  static HANDLE job = nullptr;
  std::lock_guard<process_lifetime_mutex> lock(mutex);
  if (job) return job;
  if (out_of_handles()) return nullptr;
  HANDLE fresh = ::CreateJobObjectW(nullptr, nullptr);
  if (!fresh) return nullptr;
  if (!set_limits(fresh, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK)) {
    const DWORD error = ::GetLastError();
    ::CloseHandle(fresh);
    ::SetLastError(error);
    return nullptr;
  }
  job = fresh;
  return job;
}

}  // namespace bequest::detail::win32
