// SPDX-License-Identifier: BSL-1.0
#pragma once

// Hooks for bequest's own test suite, compiled in only with -DBEQUEST_TESTING_HOOKS=ON (the
// development presets set it; packages and add_subdirectory builds leave it off, and then
// every hook below is an inline constant).
//
// Resource exhaustion. POSIX can run a process out of descriptors cheaply, by lowering
// RLIMIT_NOFILE, and the suite does exactly that. Windows has no such knob: a process may hold
// about 16 million handles (2^24), and filling the table takes some 80 s per million under
// Wine. So under this option the Win32 backend asks `acquisition_fails()` before each call
// that makes a handle (pipes, files, duplicates into the helper, sections, jobs, processes),
// and when it says so behaves as though the call had failed with ERROR_NO_SYSTEM_RESOURCES,
// the error a full handle table gives: every error path of a spawn can be reached, one after
// another, and checked for leaks.

#include <bequest/config.hpp>

#ifdef BEQUEST_TESTING_HOOKS
#  include <cstdint>
#endif

namespace bequest::detail::testing {

#ifdef BEQUEST_TESTING_HOOKS

/// From now on, let `spare` more handle acquisitions succeed, then fail every later one
/// (process-wide) until `stop_failing_acquisitions()`: a process that has run out of handles.
BEQUEST_API void fail_acquisitions_after(int spare) noexcept;
/// Acquisitions succeed again: resources have returned.
BEQUEST_API void stop_failing_acquisitions() noexcept;
/// The backend's question before each acquisition: true means "fail this one".
BEQUEST_API bool acquisition_fails() noexcept;
/// Windows only (defined by src/win32/helper.cpp; POSIX has no helper and no definition): the
/// process id of the helper process the next spawn would use, 0 if there is none, so that a
/// test can count the handles left in it.
BEQUEST_API std::uint32_t helper_process_id() noexcept;

/// Windows: called each time the backend has created the server end of an asynchronous pipe
/// (src/win32/async_pipe.cpp), before it opens the other end itself, with the pipe's name,
/// so that a test can play another local process that connects first (a squatter). Null
/// (the default): nothing is called.
using pipe_created_hook = void (*)(const wchar_t* name);
BEQUEST_API void set_pipe_created_hook(pipe_created_hook hook) noexcept;
/// The backend's call: runs the hook, if one is set.
BEQUEST_API void pipe_created(const wchar_t* name) noexcept;

/// Runs in the spawning thread after a spawn was lowered and its handles opened, right before
/// the backend starts the process: a test plays another thread that opens a descriptor at that
/// moment. Null (the default): nothing is called.
using before_launch_hook = void (*)();
BEQUEST_API void set_before_launch_hook(before_launch_hook hook) noexcept;
/// The backend's call: runs the hook, if one is set.
BEQUEST_API void before_launch() noexcept;

#else

constexpr bool acquisition_fails() noexcept { return false; }
inline void pipe_created(const wchar_t*) noexcept {}
inline void before_launch() noexcept {}

#endif

}  // namespace bequest::detail::testing
