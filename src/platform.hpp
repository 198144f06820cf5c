// SPDX-License-Identifier: BSL-1.0
#pragma once

// The one internal interface between bequest's shared code (src/*.cpp) and a backend
// (src/posix/*.cpp or src/win32/*.cpp; CMake compiles exactly one set). Every function here
// is implemented once per backend, in the file named beside it.

#include "child_impl.hpp"
#include "failure.hpp"

#include <bequest/exit_status.hpp>
#include <bequest/handle.hpp>
#include <bequest/options.hpp>
#include <bequest/startup_data.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bequest::detail::os {

// --- spawn.cpp ---------------------------------------------------------------------------

/// Starts the process described by `options`, already checked by `check_options()`.
/// On failure returns nullptr, fills `f`, and has released everything it acquired. It may
/// throw (std::bad_alloc): everything it holds is owned by RAII objects, so unwinding
/// releases it, and the caller in src/spawn.cpp turns the exception into a failure.
std::unique_ptr<child_impl> spawn_process(const spawn_options& options, failure& f);
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
constexpr int kill_signal = 9;       // SIGKILL
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
/// The symbolic name of a signal ("SIGKILL"), or nullptr where unknown or meaningless.
const char* signal_name(int signal) noexcept;

// --- handle.cpp --------------------------------------------------------------------------

void close_handle(native_handle h) noexcept;
/// True when `h` is an open handle in this process.
bool handle_is_open(native_handle h) noexcept;
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
struct transfer {
  unique_handle* in = nullptr;   ///< receives `input`, then is closed
  std::string_view input;
  unique_handle* out = nullptr;  ///< read into `out_text` until end of file, then closed
  std::string* out_text = nullptr;
  unique_handle* err = nullptr;  ///< read into `err_text` until end of file, then closed
  std::string* err_text = nullptr;
};

/// Moves the data of `t` in all directions at once until stdin is written and closed and
/// stdout and stderr are at end of file, or until `deadline` (none: no limit). A reader of stdin that went away ends writing
/// without error. Returns false when the deadline came first (the handles stay open, any
/// operation in flight has been cancelled). On an I/O error returns true with `ec` set and
/// `step` naming what failed ("read stdout").
bool communicate(transfer& t, std::optional<std::chrono::steady_clock::time_point> deadline, std::error_code& ec,
                 const char*& step);

// --- environ.cpp -------------------------------------------------------------------------

/// True where environment variable names compare without regard to case (Windows).
bool env_names_ignore_case() noexcept;
/// This process's environment as UTF-8 (name, value) pairs, in its own order.
std::vector<std::pair<std::string, std::string>> current_environment();
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
/// A new object holding `header` then `payload`, written once and sealed; mapped read-only when
/// `map` is set. The fastest way to get bytes the caller already holds into shared memory.
bool create_sealed_copy(const std::byte* header, std::size_t header_size, const void* payload,
                        std::size_t payload_size, bool map, memory_object& m, std::error_code& ec) noexcept;
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
