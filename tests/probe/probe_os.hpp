// SPDX-License-Identifier: BSL-1.0
#pragma once

// The probe's OS-specific half: os_posix.cpp or os_win32.cpp.

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
/// The current directory, UTF-8.
std::string current_directory();
/// Writes bytes to stdout / stderr without any translation.
void write_stdout(const std::string& data);
void write_stderr(const std::string& data);
/// Reads all of stdin.
std::string read_stdin();
/// Sleeps.
void sleep_ms(long ms);
/// Puts stdin/stdout/stderr in binary mode (Windows CRT); nothing on POSIX.
void set_binary_stdio();

/// The shared probe; argv as UTF-8.
int run(const std::vector<std::string>& args);

}  // namespace probe
