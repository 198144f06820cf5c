// SPDX-License-Identifier: BSL-1.0
// Win32: starting a process with CreateProcessW from the helper parent, giving it exactly its
// stdio and inherit set. The handle lifecycle is described step by step in docs/windows.md.
#include "../platform.hpp"
#include "../spawn_common.hpp"
#include "../startup_internal.hpp"
#include "win32.hpp"

#include <bequest/spawn.hpp>

#include <fmt/format.h>

namespace bequest {
namespace detail::os {

bool exact_inheritance() noexcept { return true; }

namespace {

constexpr const char* stream_names[] = {"stdin", "stdout", "stderr"};

/// Handles this spawn opened in our process only for the child's sake (its pipe ends, files,
/// the null device): closed on every path out of spawn_process.
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
  std::vector<HANDLE> remote;
  explicit helper_duplicates(HANDLE process) : helper_process(process) {}
  helper_duplicates(const helper_duplicates&) = delete;
  helper_duplicates& operator=(const helper_duplicates&) = delete;
  ~helper_duplicates() {
    for (HANDLE h : remote) {
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

std::string slot_name(const spawn_options& o, std::size_t slot) {
  if (slot < 3) return stream_names[slot];
  const std::size_t i = slot - 3;
  if (i == o.inherit.size()) return "startup_data";
  return fmt::format("inherit[{}] \"{}\"", i, o.inherit[i].name);
}

std::error_code bad_handle() { return {ERROR_INVALID_HANDLE, std::system_category()}; }

/// The handle in our process that becomes the child's stream `index`, or nullptr for none.
bool prepare_stdio(const spawn_options& o, int index, const stdio& s, HANDLE& source, child_impl& c,
                   scratch_handles& scratch, failure& f) {
  const char* name = stream_names[index];
  source = nullptr;
  switch (s.type()) {
    case stdio::kind::inherit: {
      static constexpr DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
      HANDLE h = ::GetStdHandle(ids[index]);
      // A stream this process does not have (a GUI program, or one that closed it) stays
      // absent in the child.
      if (handle_is_open(h)) source = h;
      return true;
    }
    case stdio::kind::null: {
      HANDLE h = win32::open_null_device(index == 0);
      if (!h) return spawn_failed(f, o.program, last_os_error(), fmt::format("{}: open the null device NUL", name));
      scratch.handles.push_back(h);
      source = h;
      return true;
    }
    case stdio::kind::pipe:
    case stdio::kind::async_pipe:
    case stdio::kind::file: {
      unique_handle theirs = open_stdio_object(o, index, s, c, f);
      if (!theirs) return false;
      source = theirs.release();
      scratch.handles.push_back(source);
      return true;
    }
    case stdio::kind::handle:
      if (!handle_is_open(s.native())) {
        return spawn_failed(f, o.program, bad_handle(),
                            fmt::format("{}: stdio::handle({}) is not an open handle", name, handle_value(s.native())));
      }
      source = s.native();
      return true;
    case stdio::kind::to_stdout: return true;  // filled in from stdout by the caller
  }
  return true;
}

/// What a child gets by default when its creator has this priority class (CreateProcess's
/// documented rule: normal, unless the creator is idle or below normal). Given explicitly,
/// because without it the child would follow the helper's class, not ours.
DWORD priority_flag() noexcept {
  const DWORD ours = ::GetPriorityClass(::GetCurrentProcess());
  return ours == IDLE_PRIORITY_CLASS || ours == BELOW_NORMAL_PRIORITY_CLASS ? ours : NORMAL_PRIORITY_CLASS;
}

std::string describe_create_error(DWORD error, const std::wstring& application) {
  const std::string path = win32::to_utf8(application);
  switch (error) {
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
      return fmt::format("execute \"{}\": not a Windows program this system can run (only .bat and .cmd files run "
                         "through cmd.exe)",
                         path);
    case 740:  // ERROR_ELEVATION_REQUIRED, missing from some SDK headers return fmt::format("execute \"{}\": the program requires elevation", path);
    case ERROR_DIRECTORY: return fmt::format("execute \"{}\": cwd is not a valid directory", path);
    default: return fmt::format("execute \"{}\" (CreateProcess)", path);
  }
}

bool prepare_cwd(const spawn_options& o, std::wstring& cwd, failure& f) {
  if (!o.cwd) {
    // Our current directory, given explicitly: a child never depends on whose directory
    // CreateProcess would otherwise use for a child with a different parent process.
    const DWORD n = ::GetCurrentDirectoryW(0, nullptr);
    cwd.assign(n, L'\0');
    const DWORD m = n ? ::GetCurrentDirectoryW(n, cwd.data()) : 0;
    if (m == 0 || m >= n) return spawn_failed(f, o.program, last_os_error(), "read the current directory");
    cwd.resize(m);
    return true;
  }
  const std::wstring given = o.cwd->wstring();
  const DWORD n = ::GetFullPathNameW(given.c_str(), 0, nullptr, nullptr);
  cwd.assign(n, L'\0');
  const DWORD m = n ? ::GetFullPathNameW(given.c_str(), n, cwd.data(), nullptr) : 0;
  if (m == 0 || m >= n) {
    return spawn_failed(f, o.program, last_os_error(), fmt::format("cwd \"{}\": make it absolute", utf8(*o.cwd)));
  }
  cwd.resize(m);
  const DWORD attributes = ::GetFileAttributesW(cwd.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    return spawn_failed(f, o.program, last_os_error(), fmt::format("cwd \"{}\"", utf8(*o.cwd)));
  }
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    return spawn_failed(f, o.program, make_error_code(std::errc::not_a_directory),
                        fmt::format("cwd \"{}\" is not a directory", utf8(*o.cwd)));
  }
  return true;
}

enum class outcome { started, failed, helper_gone };

/// One try with one helper. `sources` holds our handle for each slot (stdin, stdout, stderr,
/// then inherit[0..], then the start-up data's section), nullptr where the child gets nothing.
outcome start_from(const spawn_options& o, const std::vector<HANDLE>& sources, const std::vector<HANDLE>& jobs,
                   const win32::helper& helper, child_impl& c, failure& f) {
  const std::size_t startup_slot = 3 + o.inherit.size();
  helper_duplicates duplicates(helper.process);
  std::vector<HANDLE> remote(sources.size(), nullptr);
  duplicates.remote.reserve(sources.size());
  for (std::size_t slot = 0; slot < sources.size(); ++slot) {
    if (!sources[slot]) continue;
    // Inheritable in the helper only. Each slot gets its own duplicate (even stderr that
    // goes to stdout), as each fd is its own on POSIX: closing one leaves the others open.
    // The start-up data's section goes with read access only, so the child cannot write it.
    const bool read_only = slot == startup_slot;
    HANDLE r = nullptr;
    if (win32::out_of_handles() ||
        !::DuplicateHandle(::GetCurrentProcess(), sources[slot], helper.process, &r, read_only ? FILE_MAP_READ : 0, TRUE,
                           read_only ? 0 : DUPLICATE_SAME_ACCESS)) {
      const std::error_code ec = last_os_error();
      if (win32::helper_is_dead(helper)) {
        spawn_failed(f, o.program, ec, "the helper process ended during the spawn");
        return outcome::helper_gone;
      }
      spawn_failed(f, o.program, ec, fmt::format("{}: duplicate the handle into the helper process", slot_name(o, slot)));
      return outcome::failed;
    }
    duplicates.remote.push_back(r);
    remote[slot] = r;
  }

  // What the child sees is the helper's values: inherited handles keep their value.
  child_values values(o.inherit.size());
  for (std::size_t i = 0; i < o.inherit.size(); ++i) values[i] = handle_value(remote[3 + i]);

  std::vector<std::string> argv;
  if (!build_arguments(o, values, argv, f)) return outcome::failed;
  startup_value startup;
  if (startup_slot < remote.size() && remote[startup_slot]) startup = handle_value(remote[startup_slot]);
  std::vector<std::string> env;
  if (!build_environment(o, values, env, f, startup)) return outcome::failed;
  std::wstring resolved;
  if (!win32::resolve_program(o.program, env, resolved, f)) return outcome::failed;
  std::wstring application, command_line;
  if (!win32::make_process_command_line(o, resolved, argv, env, application, command_line, f)) return outcome::failed;
  std::wstring block;
  if (!win32::make_environment_block(env, block, o.program, f)) return outcome::failed;
  std::wstring cwd;
  if (!prepare_cwd(o, cwd, f)) return outcome::failed;

  // The handle list may hold neither NULL, INVALID_HANDLE_VALUE nor the same handle twice.
  std::vector<HANDLE> list;
  list.reserve(remote.size());
  for (HANDLE r : remote) {
    if (!r || r == INVALID_HANDLE_VALUE) continue;
    bool seen = false;
    for (HANDLE l : list) seen = seen || l == r;
    if (!seen) list.push_back(r);
  }

  win32::attribute_list attributes;
  HANDLE parent = helper.process;  // the attribute list keeps a pointer to this variable
  const DWORD attribute_count = 1 + (list.empty() ? 0 : 1) + (jobs.empty() ? 0 : 1);
  if (!attributes.init(attribute_count) ||
      !attributes.add(PROC_THREAD_ATTRIBUTE_PARENT_PROCESS, &parent, sizeof parent) ||
      (!list.empty() && !attributes.add(PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list.data(), list.size() * sizeof(HANDLE))) ||
      (!jobs.empty() && !attributes.add(PROC_THREAD_ATTRIBUTE_JOB_LIST, const_cast<HANDLE*>(jobs.data()),
                                        jobs.size() * sizeof(HANDLE)))) {
    spawn_failed(f, o.program, last_os_error(), "set up the process attribute list");
    return outcome::failed;
  }

  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.lpAttributeList = attributes.get();
  // Always STARTF_USESTDHANDLES, with the helper-side values (a child's std handles are
  // read from its parent, the helper); NULL for a stream the child does not get.
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = remote[0];
  si.StartupInfo.hStdOutput = remote[1];
  si.StartupInfo.hStdError = remote[2];
  if (o.windows.hide_window) {
    si.StartupInfo.dwFlags |= STARTF_USESHOWWINDOW;
    si.StartupInfo.wShowWindow = SW_HIDE;
  }
  DWORD flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT | priority_flag();
  if (o.new_process_group) flags |= CREATE_NEW_PROCESS_GROUP;
  if (o.windows.no_window) flags |= CREATE_NO_WINDOW;

  win32::sync_helper_affinity(helper);
  PROCESS_INFORMATION pi{};
  // bInheritHandles must be TRUE for the handle list to apply; then exactly the listed
  // handles are inherited from the helper, whatever else is inheritable there at the moment
  // (other threads' duplicates for their own children).
  const BOOL ok = win32::create_process(application.c_str(), command_line.data(), list.empty() ? FALSE : TRUE, flags,
                                        block.data(), cwd.c_str(), &si.StartupInfo, &pi);
  if (!ok) {
    const DWORD error = ::GetLastError();
    const std::error_code ec{static_cast<int>(error), std::system_category()};
    if (win32::helper_is_dead(helper)) {
      spawn_failed(f, o.program, ec, "the helper process ended during the spawn");
      return outcome::helper_gone;
    }
    spawn_failed(f, o.program, ec, describe_create_error(error, application));
    return outcome::failed;
  }
  ::CloseHandle(pi.hThread);
  c.pid = pi.dwProcessId;
  c.process = pi.hProcess;
  return outcome::started;
}

}  // namespace

std::unique_ptr<child_impl> spawn_process(const spawn_options& o, failure& f) {
  const auto unsupported = make_error_code(std::errc::not_supported);
  if (o.posix.new_session) {
    spawn_failed(f, o.program, unsupported, "posix.new_session: Windows has no sessions in the POSIX sense");
    return nullptr;
  }

  for (std::size_t i = 0; i < o.inherit.size(); ++i) {
    const inherited& e = o.inherit[i];
    if (win32::is_pseudo_or_null(e.handle)) {
      spawn_failed(f, o.program, bad_handle(),
                   fmt::format("inherit[{}] \"{}\": {} is a pseudo-handle (GetCurrentProcess(), GetCurrentThread()) "
                               "or INVALID_HANDLE_VALUE, not a handle that can be inherited; duplicate it first",
                               i, e.name, static_cast<long long>(reinterpret_cast<std::intptr_t>(e.handle))));
      return nullptr;
    }
    DWORD flags = 0;
    if (!::GetHandleInformation(e.handle, &flags)) {
      spawn_failed(f, o.program, last_os_error(),
                   fmt::format("inherit[{}] \"{}\": handle {} is not open", i, e.name, handle_value(e.handle)));
      return nullptr;
    }
  }

  auto c = std::make_unique<child_impl>();
  scratch_handles scratch;
  // A section made for this spawn alone is closed when `startup` goes: after CreateProcessW,
  // once the helper's duplicate has been closed too.
  startup_object startup;
  if (!prepare_startup_data(o, startup, f)) return nullptr;
  std::vector<HANDLE> sources(3 + o.inherit.size() + (startup.handle ? 1 : 0), nullptr);
  if (startup.handle) sources.back() = startup.handle;
  const stdio* streams[] = {&o.in, &o.out, &o.err};
  for (int i = 0; i < 3; ++i) {
    if (!prepare_stdio(o, i, *streams[i], sources[static_cast<std::size_t>(i)], *c, scratch, f)) return nullptr;
  }
  if (o.err.type() == stdio::kind::to_stdout) sources[2] = sources[1];
  for (std::size_t i = 0; i < o.inherit.size(); ++i) sources[3 + i] = o.inherit[i].handle;

  // The jobs the child is put in at creation, in this order: the one that ends it when we
  // end, then its own tree's job, which thereby nests inside the first.
  std::vector<HANDLE> jobs;
  if (o.kill_on_parent_exit) {
    HANDLE job = win32::parent_exit_job();
    if (!job) {
      spawn_failed(f, o.program, last_os_error(), "kill_on_parent_exit: create the kill-on-close job");
      return nullptr;
    }
    jobs.push_back(job);
  }
  if (o.process_tree) {
    c->tree_job = win32::create_tree_job();
    if (!c->tree_job) {
      spawn_failed(f, o.program, last_os_error(), "process_tree: create the tree's job");
      return nullptr;
    }
    jobs.push_back(c->tree_job);
  }

  // A helper that someone killed is replaced by acquire_helper; one killed in the middle of
  // this spawn makes the try fail with helper_gone, and the spawn tries once more with a new one.
  for (int round = 0; round < 2; ++round) {
    auto helper = win32::acquire_helper(o.program, f);
    if (!helper) return nullptr;
    switch (start_from(o, sources, jobs, *helper, *c, f)) {
      case outcome::started:
        f = failure{};  // a first try that lost its helper leaves nothing to report
        return c;
      case outcome::failed: return nullptr;
      case outcome::helper_gone: break;
    }
  }
  return nullptr;  // f says the helper ended during the spawn
}

}  // namespace detail::os
}  // namespace bequest
