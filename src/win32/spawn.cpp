// SPDX-License-Identifier: BSL-1.0
// Win32: starting a process with CreateProcessW from the helper parent, giving it exactly its
// stdio and inherit set. The handle lifecycle is described step by step in docs/windows.md.
//
// The cheap checks that usually fail (options, program, cwd, strings, the command line and
// its batch-file rules) were made by lower_options and check_launch before anything was
// opened. What is left here is the part that needs the helper: duplicating the handles into
// it, rendering the command line and environment with the values the duplicates have there,
// and CreateProcessW; only that is repeated when the helper dies during a spawn.
#include "../error_text.hpp"
#include "../handle_value.hpp"
#include "../launch_plan.hpp"
#include "../platform.hpp"
#include "win32.hpp"

#include <bequest/spawn.hpp>

#include "../text_format.hpp"

namespace bequest {
namespace detail::os {

bool exact_inheritance() noexcept { return true; }

namespace {

/// Handles this spawn opened in our process only for the child's sake (the null device):
/// closed on every path out of spawn_process.
struct scratch_handles {
  std::vector<HANDLE> handles;
  ~scratch_handles() {
    for (HANDLE h : handles) ::CloseHandle(h);
  }
};

/// The inheritable duplicates made in the helper for one CreateProcessW call. Closed there
/// (DUPLICATE_CLOSE_SOURCE) when the call is over, whether it succeeded or not, so the helper
/// holds each one only for the length of one spawn.
struct helper_duplicates {
  HANDLE helper_process;
  /// The helper-side value for each slot (stdin, stdout, stderr, inherit[0..], start-up
  /// data), nullptr where the child gets nothing.
  std::vector<HANDLE> remote;
  helper_duplicates(HANDLE process, std::size_t slots) : helper_process(process), remote(slots, nullptr) {}
  helper_duplicates(const helper_duplicates&) = delete;
  helper_duplicates& operator=(const helper_duplicates&) = delete;
  ~helper_duplicates() {
    for (HANDLE h : remote) {
      if (!h) continue;
      // The documented way to close a handle in another process passes a NULL target
      // process; Wine 8 rejects that (ERROR_INVALID_HANDLE) and leaves the handle open. Taking
      // the handle back into this process, non-inheritable, and closing it here works on both;
      // DUPLICATE_CLOSE_SOURCE closes the helper's handle even if the duplication fails.
      HANDLE local = nullptr;
      if (::DuplicateHandle(helper_process, h, ::GetCurrentProcess(), &local, 0, FALSE,
                            DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS)) {
        ::CloseHandle(local);
      }
    }
  }
};

/// Our handle for each slot of the child: stdin, stdout, stderr, then inherit[0..], then the
/// start-up data's section; nullptr where the child gets nothing.
struct slots {
  std::vector<HANDLE> sources;
  std::size_t startup_slot = 0;  ///< == sources.size() when there is no start-up data
};

std::string slot_name(const launch_plan& plan, std::size_t slot) {
  if (slot < 3) return stdio_name(static_cast<int>(slot));
  const std::size_t i = slot - 3;
  if (i == plan.inherit.size()) return "startup_data";
  return detail::text::format("inherit[{}] \"{}\"", i, plan.inherit[i].name);
}

/// What a child gets by default when its creator has this priority class (CreateProcess's
/// documented rule: normal, unless the creator is idle or below normal). Given explicitly,
/// because without it the child would follow the helper's class, not ours.
DWORD priority_flag() noexcept {
  const DWORD ours = ::GetPriorityClass(::GetCurrentProcess());
  return ours == IDLE_PRIORITY_CLASS || ours == BELOW_NORMAL_PRIORITY_CLASS ? ours : NORMAL_PRIORITY_CLASS;
}

bool collect_slots(const launch_plan& plan, const launch_resources& r, scratch_handles& scratch, slots& out,
                   failure& f) {
  const bool has_startup = r.startup.handle != invalid_native_handle;
  out.sources.assign(3 + plan.inherit.size() + (has_startup ? 1 : 0), nullptr);
  out.startup_slot = 3 + plan.inherit.size();
  for (std::size_t i = 0; i < 3; ++i) {
    if (plan.stdio[i].what == stdio_plan::source::null_device) {
      HANDLE h = win32::open_null_device(i == 0);
      if (!h) {
        return spawn_failed(f, plan.program, last_os_error(),
                            detail::text::format("{}: open the null device NUL", stdio_name(static_cast<int>(i))));
      }
      scratch.handles.push_back(h);
      out.sources[i] = h;
    } else if (r.stdio[i] != invalid_native_handle) {
      out.sources[i] = r.stdio[i];
    }
  }
  if (plan.stdio[2].what == stdio_plan::source::same_as_stdout) out.sources[2] = out.sources[1];
  for (std::size_t i = 0; i < plan.inherit.size(); ++i) out.sources[3 + i] = plan.inherit[i].handle;
  if (has_startup) out.sources[out.startup_slot] = r.startup.handle;
  return true;
}

/// The jobs the child is put in at creation, in this order: the one that ends it when we end,
/// then its own tree's job, which thereby nests inside the first.
bool collect_jobs(const launch_plan& plan, child_impl& c, std::vector<HANDLE>& jobs, failure& f) {
  if (plan.kill_on_parent_exit) {
    HANDLE job = win32::parent_exit_job();
    if (!job)
      return spawn_failed(f, plan.program, last_os_error(), "kill_on_parent_exit: create the kill-on-close job");
    jobs.push_back(job);
  }
  if (plan.process_tree) {
    c.tree_job = win32::create_tree_job();
    if (!c.tree_job) return spawn_failed(f, plan.program, last_os_error(), "process_tree: create the tree's job");
    jobs.push_back(c.tree_job);
  }
  return true;
}

enum class outcome { started, failed, helper_gone };

outcome helper_or_failure(const win32::helper* helper, const launch_plan& plan, std::error_code ec, std::string what,
                          failure& f) {
  if (helper && win32::helper_is_dead(*helper)) {
    spawn_failed(f, plan.program, ec, "the helper process ended during the spawn");
    return outcome::helper_gone;
  }
  spawn_failed(f, plan.program, ec, std::move(what));
  return outcome::failed;
}

/// Duplicates each source into the helper, inheritable there only. Each slot gets its own
/// duplicate (even stderr that goes to stdout), as each fd is its own on POSIX: closing one
/// leaves the others open. The start-up data's section goes with read access only, so the
/// child cannot write it.
outcome duplicate_into_helper(const launch_plan& plan, const slots& s, const win32::helper& helper,
                              helper_duplicates& d, failure& f) {
  for (std::size_t slot = 0; slot < s.sources.size(); ++slot) {
    if (!s.sources[slot]) continue;
    const bool read_only = slot == s.startup_slot;
    HANDLE r = nullptr;
    if (win32::out_of_handles() ||
        !::DuplicateHandle(::GetCurrentProcess(), s.sources[slot], helper.process, &r, read_only ? FILE_MAP_READ : 0,
                           TRUE, read_only ? 0 : DUPLICATE_SAME_ACCESS)) {
      return helper_or_failure(
          &helper, plan, last_os_error(),
          detail::text::format("{}: duplicate the handle into the helper process", slot_name(plan, slot)), f);
    }
    d.remote[slot] = r;
  }
  return outcome::started;
}

/// The handle list: the helper-side duplicates, without NULL, INVALID_HANDLE_VALUE or the same
/// handle twice (CreateProcessW refuses each).
std::vector<HANDLE> handle_list(const std::vector<HANDLE>& remote) {
  std::vector<HANDLE> list;
  list.reserve(remote.size());
  for (HANDLE r : remote) {
    if (!r || r == INVALID_HANDLE_VALUE) continue;
    bool seen = false;
    for (HANDLE l : list) seen = seen || l == r;
    if (!seen) list.push_back(r);
  }
  return list;
}

/// The command line and environment block, rendered with the values the child will see: the
/// helper's (inherited handles keep their value).
bool render(const launch_plan& plan, const slots& s, const helper_duplicates& d, std::wstring& application,
            std::wstring& command_line, std::wstring& block, failure& f) {
  child_values values(plan.inherit.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = handle_value(d.remote[3 + i]);
  startup_value startup;
  if (s.startup_slot < d.remote.size()) startup = handle_value(d.remote[s.startup_slot]);
  if (!win32::make_process_command_line(plan, values, application, command_line, f)) return false;
  // A child's environment is never the helper's (a snapshot from when it was made): when the
  // child's is exactly ours, it is ours as it is now.
  return win32::make_environment_block(
      plan.parents_environment ? current_environment() : plan.render_environment(values, startup), block, plan.program,
      f);
}

/// One try with one helper; without one (`helper` nullptr: a terminal child given no handle at
/// all), created by us with bInheritHandles = FALSE, so that it inherits nothing.
outcome start_from(const launch_plan& plan, const slots& s, const std::vector<HANDLE>& jobs,
                   const win32::helper* helper, child_impl& c, failure& f) {
  helper_duplicates duplicates(helper ? helper->process : nullptr, s.sources.size());
  if (helper) {
    if (const outcome o = duplicate_into_helper(plan, s, *helper, duplicates, f); o != outcome::started) return o;
  }
  std::wstring application, command_line, block;
  if (!render(plan, s, duplicates, application, command_line, block, f)) return outcome::failed;

  std::vector<HANDLE> list = handle_list(duplicates.remote);
  win32::attribute_list attributes;
  HANDLE parent = helper ? helper->process : nullptr;  // the attribute list keeps a pointer to this variable
  const native_handle console = win32::pseudoconsole_of(c);
  const DWORD attribute_count = (helper ? 1 : 0) + (list.empty() ? 0 : 1) + (jobs.empty() ? 0 : 1) + (console ? 1 : 0);
  if (!attributes.init(attribute_count) ||
      (helper && !attributes.add(PROC_THREAD_ATTRIBUTE_PARENT_PROCESS, &parent, sizeof parent)) ||
      (console && !win32::add_pseudoconsole(attributes, console)) ||
      (!list.empty() &&
       !attributes.add(PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list.data(), list.size() * sizeof(HANDLE))) ||
      (!jobs.empty() && !attributes.add(PROC_THREAD_ATTRIBUTE_JOB_LIST, const_cast<HANDLE*>(jobs.data()),
                                        jobs.size() * sizeof(HANDLE)))) {
    spawn_failed(f, plan.program, last_os_error(), "set up the process attribute list");
    return outcome::failed;
  }

  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.lpAttributeList = attributes.get();
  // Always STARTF_USESTDHANDLES, with the helper-side values (a child's std handles are
  // read from its parent, the helper); NULL for a stream the child does not get.
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = duplicates.remote[0];
  si.StartupInfo.hStdOutput = duplicates.remote[1];
  si.StartupInfo.hStdError = duplicates.remote[2];
  if (plan.windows.hide_window) {
    si.StartupInfo.dwFlags |= STARTF_USESHOWWINDOW;
    si.StartupInfo.wShowWindow = SW_HIDE;
  }
  DWORD flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT | priority_flag();
  if (plan.new_process_group) flags |= CREATE_NEW_PROCESS_GROUP;
  if (plan.windows.no_window) flags |= CREATE_NO_WINDOW;

  if (helper) win32::sync_helper_affinity(*helper);
  PROCESS_INFORMATION pi{};
  // bInheritHandles must be TRUE for the handle list to apply; then exactly the listed
  // handles are inherited from the helper, whatever else is inheritable there at the moment
  // (other threads' duplicates for their own children).
  const std::wstring& cwd = plan.cwd->native();
  if (!win32::create_process(application.c_str(), command_line.data(), list.empty() ? FALSE : TRUE, flags, block.data(),
                             cwd.c_str(), &si.StartupInfo, &pi)) {
    const DWORD error = ::GetLastError();
    std::string what = describe_create_process_error(error, win32::to_utf8(application));
    // Wine refuses PARENT_PROCESS with PSEUDOCONSOLE (docs/windows.md): say which option asked for it.
    if (console && helper)
      what = detail::text::format("terminal with handles to inherit (through the helper): {}", what);
    return helper_or_failure(helper, plan, {static_cast<int>(error), std::system_category()}, std::move(what), f);
  }
  ::CloseHandle(pi.hThread);
  c.pid = pi.dwProcessId;
  c.process = pi.hProcess;
  if (console) win32::watch_terminal(c);
  return outcome::started;
}

}  // namespace

bool resolve_cwd(const std::optional<std::filesystem::path>& given, std::string_view program,
                 std::optional<std::filesystem::path>& cwd, failure& f) {
  std::wstring full;
  if (!given) {
    // Our current directory, given explicitly: a child never depends on whose directory
    // CreateProcess would otherwise use for a child with a different parent process.
    const DWORD n = ::GetCurrentDirectoryW(0, nullptr);
    full.assign(n, L'\0');
    const DWORD m = n ? ::GetCurrentDirectoryW(n, full.data()) : 0;
    if (m == 0 || m >= n) return spawn_failed(f, program, last_os_error(), "read the current directory");
    full.resize(m);
    cwd = std::move(full);
    return true;
  }
  const std::wstring& text = given->native();
  const DWORD n = ::GetFullPathNameW(text.c_str(), 0, nullptr, nullptr);
  full.assign(n, L'\0');
  const DWORD m = n ? ::GetFullPathNameW(text.c_str(), n, full.data(), nullptr) : 0;
  if (m == 0 || m >= n) {
    return spawn_failed(f, program, last_os_error(),
                        detail::text::format("cwd \"{}\": make it absolute", utf8(*given)));
  }
  full.resize(m);
  const DWORD attributes = ::GetFileAttributesW(full.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    return spawn_failed(f, program, last_os_error(), detail::text::format("cwd \"{}\"", utf8(*given)));
  }
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    return spawn_failed(f, program, make_error_code(std::errc::not_a_directory),
                        detail::text::format("cwd \"{}\" is not a directory", utf8(*given)));
  }
  cwd = std::move(full);
  return true;
}

bool check_launch(const launch_plan& plan, failure& f) {
  const auto unsupported = make_error_code(std::errc::not_supported);
  if (plan.posix.new_session) {
    return spawn_failed(f, plan.program, unsupported, "posix.new_session: Windows has no sessions in the POSIX sense");
  }
  for (std::size_t i = 0; i < plan.inherit.size(); ++i) {
    if (plan.inherit[i].target_fd) {
      return spawn_failed(
          f, plan.program, unsupported,
          detail::text::format("inherit[{}] \"{}\": target_fd: Windows chooses the value of an inherited "
                               "handle itself (pass it with {{handle:NAME}} instead)",
                               i, plan.inherit[i].name));
    }
  }
  // The command line with every handle placeholder at its shortest (one digit): the real values
  // are digits too, so quoting and the batch-file rules decide the same way, and a line too
  // long now is too long then. Only a line close to the limit can still fail after the helper.
  const child_values shortest(plan.inherit.size(), 0);
  std::wstring application, command_line;
  return win32::make_process_command_line(plan, shortest, application, command_line, f) &&
         win32::check_best_fit(plan, shortest, f);
}

bool spawn_process(const launch_plan& plan, launch_resources& r, child_impl& c, failure& f) {
  scratch_handles scratch;
  slots s;
  if (!collect_slots(plan, r, scratch, s, f)) return false;
  std::vector<HANDLE> jobs;
  if (!collect_jobs(plan, c, jobs, f)) return false;
  if (plan.terminal) {
    if (!win32::open_pseudoconsole(*plan.terminal, plan.program, c, f)) return false;
    // Given no handle at all, a terminal child needs no helper: it inherits nothing.
    bool any = false;
    for (HANDLE h : s.sources) any = any || h;
    if (!any) return start_from(plan, s, jobs, nullptr, c, f) == outcome::started;
  }
  // A helper that someone killed is replaced by acquire_helper; one killed in the middle of
  // this spawn makes the try fail with helper_gone, and the spawn tries once more with a new one.
  for (int round = 0; round < 2; ++round) {
    auto helper = win32::acquire_helper(plan.program, f);
    if (!helper) return false;
    switch (start_from(plan, s, jobs, helper.get(), c, f)) {
      case outcome::started:
        f = failure{};  // a first try that lost its helper leaves nothing to report
        return true;
      case outcome::failed: return false;
      case outcome::helper_gone: break;
    }
  }
  return false;  // f says the helper ended during the spawn
}

}  // namespace detail::os
}  // namespace bequest
