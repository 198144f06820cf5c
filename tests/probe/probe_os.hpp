// SPDX-License-Identifier: BSL-1.0
#pragma once

// The probe's OS-specific half: os_posix.cpp or os_win32.cpp.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace probe {

/// One open handle of this process: its value and what it refers to (a file path when it
/// is a file, else a kind such as "pipe:[123]" or "File" / "Event").
struct open_handle {
  unsigned long long value;
  std::string description;
};

/// Every handle this process has open.
std::vector<open_handle> list_handles();
/// The environment as UTF-8 "NAME=VALUE" strings.
std::vector<std::string> environment();
/// Every "NAME=VALUE" entry of the environment whose name starts with the ASCII `prefix`, in
/// its raw units, unconverted, in hexadecimal: POSIX two digits a byte (environ); Windows four
/// a UTF-16 unit (GetEnvironmentStringsW).
std::vector<std::string> environment_hex(const std::string& prefix);
/// The current directory, UTF-8.
std::string current_directory();
/// Writes bytes to stdout / stderr without any translation.
void write_stdout(const std::string& data);
void write_stderr(const std::string& data);
/// Reads all of stdin.
std::string read_stdin();
/// Reads at most `max` bytes of stdin into `chunk` (blocking); false at end of input.
bool read_stdin_some(std::string& chunk, std::size_t max);
/// True when this process leads a process group of its own (see the probe's `pgroup`).
bool leads_own_process_group();
/// POSIX: "ignored", "default" or "handled", then " blocked" when the signal is in this
/// thread's mask (see the probe's `sigstate`). Windows: "none" (no such state).
std::string signal_state(int sig);
/// What this process's terminal looks like, three lines: "streams S S S" (y or n for each of
/// stdin, stdout, stderr: isatty / GetConsoleMode), "console C" (y when the process has a
/// terminal of its own — POSIX: a controlling terminal whose foreground group is ours;
/// Windows: CONOUT$ is a console) and "size ROWS COLS" (of that terminal, or "size - -").
/// On Windows the standard streams are then pointed at CONIN$ / CONOUT$ if they are not a
/// console (Wine does not connect a pseudoconsole child's standard handles).
std::string terminal_report();
/// Prints "ready", waits until the terminal's size changes (POSIX: SIGWINCH; Windows: a
/// WINDOW_BUFFER_SIZE_EVENT) and returns "size ROWS COLS".
std::string await_resize();
/// Reads one line of stdin, without its end of line.
std::string read_line();
/// Sleeps.
void sleep_ms(long ms);
/// The id of the process that created this one (POSIX: getppid; Windows: the creating
/// process recorded by the kernel, which for a bequest child is the helper).
unsigned long long parent_process_id();
/// Puts stdin/stdout/stderr in binary mode (Windows CRT); nothing on POSIX.
void set_binary_stdio();

/// Closes this process's stdin, stdout and stderr (`close` true), or puts the null device in
/// their place and closes what was there (`close` false).
void drop_stdio(bool close);
/// Ends this process by a fault of its own, the way a crash does: POSIX: SIGSEGV (with core
/// dumps off, so no core file is left behind); Windows: an unhandled access violation, exit
/// code 0xC0000005 (with no debugger or error report started).
[[noreturn]] void crash();

/// Sets an environment variable of this process (as a forger would, before bequest reads it).
void set_env(const std::string& name, const std::string& value);

/// Attempts to change start-up data, each reported as "ROUTE<TAB>refused" or "ROUTE<TAB>wrote".
/// Through the handle published for it (before startup_data() has closed it): a writable
/// mapping, write(), truncation (POSIX).
std::vector<std::string> attack_startup_handle(unsigned long long handle_value);
/// Through the view startup_data() returned: making it writable (mprotect / VirtualProtect).
std::vector<std::string> attack_startup_view(const void* data, std::size_t size);
/// Through a second handle with more access: reopening /proc/self/fd/N for writing (Linux), or
/// DuplicateHandle asking for FILE_MAP_WRITE (Windows).
std::vector<std::string> attack_startup_reopen(unsigned long long handle_value);

/// Connects to the named pipe `name` as its client, the way another local process racing the
/// pipe's owner would (a squatter), and reports on stdout, a line at a time: "connected read"
/// or "connected write" (the access the pipe let it have), or "refused ERROR"; then, when
/// connected, what it got: "read N bytes" (all it could read until the pipe ended) or
/// "wrote N bytes" / "write refused ERROR". Windows only: POSIX has no named pipes of this
/// kind, and there it reports "refused unsupported".
void squat_pipe(const std::string& name);

/// The shared probe; argv as UTF-8.
int run(const std::vector<std::string>& args);

}  // namespace probe
