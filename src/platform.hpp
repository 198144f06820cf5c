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

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
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

// --- process.cpp -------------------------------------------------------------------------

/// Blocks until the process has exited, at most `timeout_ms` (negative: no limit), without
/// consuming its exit status. True when it has exited.
bool wait_exit(const child_impl& c, long long timeout_ms, std::error_code& ec) noexcept;
/// Collects the exit status of a process that `wait_exit` saw exit (on POSIX this reaps it).
/// Called with `c.mutex` held.
std::optional<exit_status> collect_exit(child_impl& c, std::error_code& ec) noexcept;
/// Sends kill (`force`) or terminate. Called with `c.mutex` held and no status collected.
void signal_process(child_impl& c, bool force, std::error_code& ec) noexcept;
/// Releases the process handle / pidfd without waiting (the `detach` path and the destructor).
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
unique_handle open_file(const std::filesystem::path& path, file_mode mode, std::error_code& ec) noexcept;

// --- environ.cpp -------------------------------------------------------------------------

/// True where environment variable names compare without regard to case (Windows).
bool env_names_ignore_case() noexcept;
/// This process's environment as UTF-8 (name, value) pairs, in its own order.
std::vector<std::pair<std::string, std::string>> current_environment();
std::optional<std::string> get_env(const std::string& name);
void unset_env(const std::string& name) noexcept;

}  // namespace bequest::detail::os
