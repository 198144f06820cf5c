// SPDX-License-Identifier: BSL-1.0
#pragma once

// The calls that shared code (src/*.cpp) makes down into a backend (src/posix/*.cpp or
// src/win32/*.cpp; CMake compiles exactly one set). Every function here is implemented once
// per backend, in the file named beside it. A backend uses the shared code's data types
// (launch_plan.hpp, failure.hpp, startup_internal.hpp, handle_value.hpp) but never calls
// back into a shared step of a spawn.

#include "child_impl.hpp"
#include "failure.hpp"

#include <bequest/exit_status.hpp>
#include <bequest/handle.hpp>
#include <bequest/options.hpp>
#include <bequest/startup_data.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bequest::detail {
struct launch_plan;  // launch_plan.hpp
struct launch_resources;
struct resolved_program;
}  // namespace bequest::detail

namespace bequest::detail::os {

// --- spawn.cpp ---------------------------------------------------------------------------

/// The child's working directory: `given` checked to be an existing directory, or none. On
/// Windows always set and absolute (the parent's current directory when none is given), so
/// that the helper parent's directory never matters. Fails naming `cwd`.
bool resolve_cwd(const std::optional<std::filesystem::path>& given, std::string_view program,
                 std::optional<std::filesystem::path>& cwd, failure& f);
/// Finds the file the plan runs, with the child's PATH (and on Windows PATHEXT and ComSpec)
/// looked up in `plan` (launch_plan::child_variable); `cwd_given` says the child changes
/// directory, so a relative path is made absolute against ours. Never the current directory
/// for a bare name. Fails naming the program and what was searched.
bool resolve_program(const launch_plan& plan, bool cwd_given, resolved_program& out, failure& f);
/// The backend's own checks of a lowered plan, made before anything is opened: options this
/// platform cannot honour (std::errc::not_supported); on Windows the command line, with the
/// batch-file rules and the length limit.
bool check_launch(const launch_plan& plan, failure& f);
/// Starts the process `plan` describes, with the handles `r` opened for it, into `c` (which
/// already holds our ends of its pipes). On failure returns false, fills `f`, and has released
/// everything it acquired; `r` is released by the caller. May throw std::bad_alloc: everything
/// it holds is owned by RAII objects, and src/spawn.cpp turns the exception into a failure.
bool spawn_process(const launch_plan& plan, launch_resources& r, child_impl& c, failure& f);
/// What `bequest::exact_inheritance()` answers for this backend and build.
bool exact_inheritance() noexcept;

// --- process.cpp -------------------------------------------------------------------------

/// Blocks until the process has exited, at most `timeout_ms` (negative: no limit), without
/// consuming its exit status. True when it has exited.
bool wait_exit(const child_impl& c, long long timeout_ms, std::error_code& ec) noexcept;
/// Collects the exit status of a process that `wait_exit` saw exit (on POSIX this reaps it,
/// but a `group_leader` only becomes `zombie`). Called with `c.mutex` held. ECHILD
/// (`errc::no_child_process`): someone else took it.
std::optional<exit_status> collect_exit(child_impl& c, std::error_code& ec) noexcept;
/// The signal numbers the shared code sends (POSIX's, on every system): Windows ends the
/// process for either.
constexpr int kill_signal = 9;        // SIGKILL
constexpr int terminate_signal = 15;  // SIGTERM
/// Sends signal `sig` to the process itself. Called with `c.mutex` held, no status collected
/// and the process not lost. A process that has exited is not an error; one that someone
/// else reaped is `errc::no_child_process` (and nothing is sent). Windows: `kill_signal` and
/// `terminate_signal` are TerminateProcess, any other is `errc::not_supported`.
void send_signal(child_impl& c, int sig, std::error_code& ec) noexcept;
/// Ends every process of the tree of a child started with `process_tree` (POSIX: SIGKILL to
/// its process group; Windows: TerminateJobObject). Called with `c.mutex` held. A tree with
/// nothing left in it is not an error.
void kill_tree(child_impl& c, std::error_code& ec) noexcept;
/// Releases the process handle / pidfd (and the tree's job) without waiting (the `detach`
/// path and the destructor); on POSIX reaps a kept `zombie` first.
void release_process(child_impl& c) noexcept;
/// exit_status::native_status(): POSIX's wait status encoding of an exit or a signal; the
/// exit code itself on Windows.
int native_status(int code, int signal, bool core_dumped) noexcept;
/// Sends `sig` to the process group the child leads (spawned with new_process_group,
/// process_tree or posix.new_session), with send_signal's identity rules. Windows:
/// CTRL_BREAK_EVENT for SIGINT or SIGBREAK to a child spawned with new_process_group (the
/// only console event that reaches another group); anything else is `errc::not_supported`.
void signal_group(child_impl& c, int sig, std::error_code& ec) noexcept;
/// The symbolic name of a signal ("SIGKILL"), or nullptr where unknown or meaningless.
const char* signal_name(int signal) noexcept;

// --- terminal.cpp ------------------------------------------------------------------------

/// Sets the size of the terminal `t` (a child_impl::owned_terminal's value).
void resize_terminal(native_handle t, terminal_size size, std::error_code& ec) noexcept;
/// Closes a child's terminal and its drain handle (Windows), both invalid afterwards.
void close_terminal(native_handle& t, native_handle& drain) noexcept;

// --- handle.cpp --------------------------------------------------------------------------

void close_handle(native_handle h) noexcept;
/// True when `h` is an open handle in this process.
bool handle_is_open(native_handle h) noexcept;
/// Why the caller's handle `h` cannot be given to a child ("fd 42 is not open"), or empty when
/// it can: the one check, and the one message form, for every handle a caller passes.
std::optional<std::string> handle_problem(native_handle h);
/// The error code that goes with a handle_problem (EBADF / ERROR_INVALID_HANDLE).
std::error_code bad_handle_error() noexcept;
/// This process's standard stream 0, 1 or 2 (POSIX: the fd; Windows: GetStdHandle).
native_handle standard_handle(int index) noexcept;
std::size_t read_some(native_handle h, void* buffer, std::size_t size, std::error_code& ec) noexcept;
std::size_t write_some(native_handle h, const void* data, std::size_t size, std::error_code& ec) noexcept;
pipe_ends make_pipe(std::error_code& ec) noexcept;
/// A pipe whose `async_end` supports asynchronous I/O (see make_async_pipe in handle.hpp).
pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept;
unique_handle duplicate_handle(native_handle h, std::error_code& ec) noexcept;
unique_handle open_file(const std::filesystem::path& path, file_mode mode, std::error_code& ec) noexcept;

// --- communicate.cpp ---------------------------------------------------------------------

/// The parent's ends of the pipes that `run()` drives, as `make_async_pipe` made them (POSIX:
/// non-blocking; Windows: overlapped). A null pointer or an empty handle is a stream that
/// `run()` does not drive.
/// Where `run()` keeps one captured stream: at most `limit` bytes of it. What comes after is
/// dropped as it is read (and `truncated` set), so memory stays bounded and the child keeps
/// writing. Shared by both backends (defined in src/run.cpp).
struct output_sink {
  std::string* text = nullptr;
  std::size_t limit = SIZE_MAX;
  bool truncated = false;
  /// Keeps what fits of the `n` bytes at `data`; the rest only sets `truncated`.
  void keep(const char* data, std::size_t n);
};

struct transfer {
  unique_handle* in = nullptr;  ///< receives `input`, then is closed
  std::string_view input;
  unique_handle* out = nullptr;  ///< read into `out_sink` until end of file, then closed
  output_sink* out_sink = nullptr;
  unique_handle* err = nullptr;  ///< read into `err_sink` until end of file, then closed
  output_sink* err_sink = nullptr;
};

/// Moves the data of `t` in all directions at once until stdin is written and closed and
/// stdout and stderr are at end of file, or until `deadline` (none: no limit). A reader of stdin that went away ends
/// writing without error. Returns false when the deadline came first (the handles stay open, any operation in flight
/// has been cancelled). On an I/O error returns true with `ec` set and `step` naming what failed ("read stdout").
bool communicate(transfer& t, std::optional<std::chrono::steady_clock::time_point> deadline, std::error_code& ec,
                 const char*& step);

// --- environ.cpp -------------------------------------------------------------------------

/// True when `a` and `b` name the same environment variable, by the system's own rule: POSIX
/// compares the bytes; Windows compares the UTF-16 names ordinally without regard to case, as
/// CompareStringOrdinal(a, b, TRUE) does (so "PEER_äßö" and "PEER_ÄßÖ" are one name, "ß" and
/// "SS" two). Both are in current_environment's encoding. May throw std::bad_alloc.
bool env_names_equal(std::string_view a, std::string_view b);
/// True where every string handed to the system is converted from UTF-8 (Windows), so that
/// text that is not UTF-8 must be refused up front.
bool strings_must_be_utf8() noexcept;
/// This process's environment as (name, value) pairs, in its own order, exactly: POSIX the
/// bytes as they are; Windows WTF-8 (src/wtf8.hpp: UTF-8, but an unpaired surrogate in its
/// 3-byte form), which the child's block turns back into the very same UTF-16 units.
std::vector<std::pair<std::string, std::string>> current_environment();
/// The value of `name` (UTF-8) in this process, in current_environment's encoding.
std::optional<std::string> get_env(const std::string& name);
void unset_env(const std::string& name) noexcept;

// --- shared_memory.cpp ---------------------------------------------------------------------

/// A shared-memory object holding start-up data: the header, then the payload.
struct memory_object {
  /// What a child receives, non-inheritable here: the memfd or the read-only shm descriptor
  /// (POSIX), the section (Windows; reduced to FILE_MAP_READ when sealed).
  native_handle handle = invalid_native_handle;
  /// A second, writable handle where the platform needs one (generic POSIX); closed when sealed.
  native_handle writer = invalid_native_handle;
  /// The whole object mapped: writable until sealed, read-only after; null when not mapped.
  std::byte* view = nullptr;
  std::size_t size = 0;  ///< header + payload
  bool sealed = false;
};

/// A new object of `size` bytes, zero-filled and mapped writable.
bool create_memory(std::size_t size, memory_object& m, std::error_code& ec) noexcept;
/// Whether create_sealed_copy leaves the object mapped in this process.
enum class keep_mapped { no, read_only };
/// A new object holding `header` then `payload`, written once and sealed, and mapped
/// read-only when asked. The fastest way to get bytes the caller already holds into shared
/// memory.
bool create_sealed_copy(const std::byte* header, std::size_t header_size, const void* payload, std::size_t payload_size,
                        keep_mapped map, memory_object& m, std::error_code& ec) noexcept;
/// Ends write access for good. The view keeps its address and becomes read-only (so earlier
/// pointers into it stay readable, and writes through them fault). On failure nothing changed.
bool seal_memory(memory_object& m, std::error_code& ec) noexcept;
/// Unmaps and closes everything; `m` is empty afterwards.
void release_memory(memory_object& m) noexcept;
/// In the child: checks that `h` is an object of the kind spawn makes and maps all of it
/// read-only. `size` is how many bytes may be read at `base` (on Windows the committed region,
/// a whole number of pages). Reads none of the contents.
startup_data_errc map_startup_memory(native_handle h, const std::byte*& base, std::size_t& size) noexcept;
/// Undoes map_startup_memory's mapping (of an object that failed the header check).
void unmap_startup_memory(const std::byte* base, std::size_t size) noexcept;
/// See bequest::startup_data_sealed().
bool startup_memory_sealed() noexcept;

}  // namespace bequest::detail::os
