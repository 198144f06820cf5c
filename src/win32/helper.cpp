// SPDX-License-Identifier: BSL-1.0
// Win32: the helper parent process.
//
// CreateProcess(bInheritHandles=TRUE) anywhere in this process passes on every inheritable
// handle of this process, handle list or not. So bequest never makes a handle inheritable
// here: it duplicates the handles a child needs into the helper as inheritable, names the
// helper as the child's parent (PROC_THREAD_ATTRIBUTE_PARENT_PROCESS), lists the duplicates
// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST) and closes them again. The helper never runs a single
// instruction, so nothing in it can spawn and leak them.
#include "../platform.hpp"
#include "win32.hpp"

#include "../text_format.hpp"

#include <mutex>

namespace bequest::detail::win32 {
namespace {

struct helper_state {
  process_lifetime_mutex mutex;
  std::shared_ptr<const helper> current;
};

helper_state& state() {
  // Never destroyed: a spawn on a thread that outlives static destruction must still find
  // it. When the process ends, the system closes the job handle and the helper dies with it.
  static helper_state* s = new helper_state;
  return *s;
}

bool token_modified_id(LUID& out) noexcept {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
  TOKEN_STATISTICS stats{};
  DWORD size = 0;
  const bool ok = ::GetTokenInformation(token, TokenStatistics, &stats, sizeof stats, &size) != FALSE;
  ::CloseHandle(token);
  if (ok) out = stats.ModifiedId;
  return ok;
}

bool own_executable(std::wstring& path) {
  path.assign(MAX_PATH, L'\0');
  while (true) {
    const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n == 0) return false;
    if (n < path.size()) {
      path.resize(n);
      return true;
    }
    path.resize(path.size() * 2);  // truncated: the buffer was too small
  }
}

bool fail(failure& f, std::string_view program, const char* step) {
  return spawn_failed(f, program, last_os_error(), detail::text::format("start the helper process: {}", step));
}

std::shared_ptr<helper> make_helper(std::string_view program, failure& f) {
  auto h = std::make_shared<helper>();

  // The job ends the helper when this process ends, however it ends (the system closes our
  // job handle). Children must not die with it: SILENT_BREAKAWAY_OK puts a process the
  // helper parents outside this job, and outside each enclosing job that allows breakaway
  // too, so a child ends up in exactly the jobs it would have been in had we created it.
  h->job = out_of_handles() ? nullptr : ::CreateJobObjectW(nullptr, nullptr);
  if (!h->job) {
    fail(f, program, "CreateJobObject");
    return nullptr;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
  if (!::SetInformationJobObject(h->job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
    fail(f, program, "SetInformationJobObject(kill on close, silent breakaway)");
    return nullptr;
  }

  std::wstring exe;
  if (!own_executable(exe)) {
    fail(f, program, "GetModuleFileName");
    return nullptr;
  }
  std::wstring command_line = L"\"" + exe + L"\" bequest-helper";

  // The job list makes the helper a member from its first moment: with AssignProcessToJobObject
  // after creation, a crash in between would leave a suspended process behind for good.
  attribute_list attributes;
  HANDLE jobs[1] = {h->job};
  const bool have_job_list = attributes.init(1) && attributes.add(PROC_THREAD_ATTRIBUTE_JOB_LIST, jobs, sizeof jobs);

  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.lpAttributeList = have_job_list ? attributes.get() : nullptr;
  // Never resumed, so it runs no code: no DLL initialisation, nothing that could spawn.
  // DETACHED_PROCESS: a console program would otherwise get a console of its own if we have
  // none; children take their console from us, the creator, not from the helper.
  DWORD flags = CREATE_SUSPENDED | DETACHED_PROCESS | CREATE_UNICODE_ENVIRONMENT;
  if (have_job_list) flags |= EXTENDED_STARTUPINFO_PRESENT;
  // The system directory as its current directory, so that the helper never pins ours (a
  // process's current directory cannot be deleted).
  wchar_t system_dir[MAX_PATH + 1];
  const UINT dir_length = ::GetSystemDirectoryW(system_dir, MAX_PATH);
  static wchar_t empty_environment[2] = {L'\0', L'\0'};
  PROCESS_INFORMATION pi{};
  if (!create_process(exe.c_str(), command_line.data(), FALSE, flags, empty_environment,
                      dir_length > 0 && dir_length < MAX_PATH ? system_dir : nullptr, &si.StartupInfo, &pi)) {
    fail(f, program, "CreateProcess (suspended copy of this program)");
    return nullptr;
  }
  ::CloseHandle(pi.hThread);
  h->process = pi.hProcess;
  h->pid = pi.dwProcessId;
  if (!have_job_list && !::AssignProcessToJobObject(h->job, h->process)) {
    // Not in the job means it would outlive a crash of ours: refuse to use it.
    fail(f, program, "AssignProcessToJobObject");
    return nullptr;  // ~helper terminates it
  }
  return h;
}

}  // namespace

helper::~helper() {
  if (process) {
    ::TerminateProcess(process, 0);
    ::CloseHandle(process);
  }
  if (job) ::CloseHandle(job);
}

bool helper_is_dead(const helper& h) noexcept { return ::WaitForSingleObject(h.process, 0) == WAIT_OBJECT_0; }

std::shared_ptr<const helper> acquire_helper(std::string_view program, failure& f) {
  // A child gets the helper's token, not ours: if our token has changed since the helper was
  // made from it (privileges enabled or disabled, groups changed), a new helper is due.
  LUID modified{};
  const bool have_token = token_modified_id(modified);
  helper_state& s = state();
  std::lock_guard<process_lifetime_mutex> lock(s.mutex);
  if (s.current && !helper_is_dead(*s.current) &&
      (!have_token || (s.current->token_modified.LowPart == modified.LowPart &&
                       s.current->token_modified.HighPart == modified.HighPart))) {
    return s.current;
  }
  auto fresh = make_helper(program, f);
  if (!fresh) return nullptr;
  fresh->token_modified = modified;
  // The old helper, if any, is terminated when the last spawn still using it lets go.
  s.current = fresh;
  return fresh;
}

void sync_helper_affinity(const helper& h) noexcept {
  DWORD_PTR ours = 0, theirs = 0, system = 0;
  if (!::GetProcessAffinityMask(::GetCurrentProcess(), &ours, &system)) return;
  // Zero means this process spans several processor groups: there is no one mask to copy.
  if (ours == 0) return;
  if (!::GetProcessAffinityMask(h.process, &theirs, &system)) return;
  if (theirs != ours) ::SetProcessAffinityMask(h.process, ours);
}

}  // namespace bequest::detail::win32

#ifdef BEQUEST_TESTING_HOOKS
namespace bequest::detail::testing {

std::uint32_t helper_process_id() noexcept {
  win32::helper_state& s = win32::state();
  std::lock_guard<win32::process_lifetime_mutex> lock(s.mutex);
  return s.current && !win32::helper_is_dead(*s.current) ? s.current->pid : 0;
}

}  // namespace bequest::detail::testing
#endif
