// SPDX-License-Identifier: BSL-1.0
#pragma once

// What the conformance tests need from the OS, behind one interface: support_posix.cpp and
// support_win32.cpp implement it, so the test bodies stay free of #ifdef.

#include <bequest/bequest.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace support {

/// The probe child, next to the test executable.
std::string probe_path();

/// How many handles / fds this process has open now.
std::size_t open_handle_count();

/// A uniquely named temporary file held open. The name (`tag`) appears in the handle list a
/// probe prints (`fds` mode) when the probe holds it, so tests can see which canaries crossed.
struct canary {
  std::string tag;
  std::string path;
  bequest::unique_handle handle;
};
/// Opened by bequest: non-inheritable.
canary make_canary(std::string_view prefix);
/// Opened the way careless foreign code does: inheritable (no O_CLOEXEC / bInheritHandle=TRUE).
canary make_leaky_canary(std::string_view prefix);
/// Makes an existing handle inheritable, as foreign code might.
void make_inheritable(bequest::native_handle h);

/// Starts the probe with `args` the careless way — POSIX: fork+exec that closes nothing;
/// Windows: CreateProcessW(bInheritHandles=TRUE) — and returns what it printed on stdout.
std::string rogue_spawn(const std::vector<std::string>& args);
/// The same through a real foreign library that knows nothing of bequest — POSIX:
/// Boost.Process v1; Windows: the C runtime's _wspawnv, which inherits everything.
std::string foreign_library_spawn(const std::vector<std::string>& args);

/// True while a process with this id exists (and is not a zombie).
bool process_alive(bequest::pid_type pid);

/// Holds this process at its handle limit while alive (POSIX: RLIMIT_NOFILE lowered and
/// the remaining fds used up), so the next handle creation fails; restores everything after.
class handle_exhaustion {
 public:
  handle_exhaustion();
  ~handle_exhaustion();
  handle_exhaustion(const handle_exhaustion&) = delete;
  handle_exhaustion& operator=(const handle_exhaustion&) = delete;

 private:
  std::vector<bequest::native_handle> held_;
  unsigned long long saved_limit_ = 0;
};

/// A path guaranteed not to exist.
std::string missing_path();
/// A directory for the test's files.
std::string temp_dir();
/// The platform's executable suffix ("" or ".exe").
std::string exe_suffix();
/// Copies the probe to `dir` under `name` (plus the executable suffix); returns the path.
std::string copy_probe(const std::string& dir, const std::string& name);
/// Writes a file that exists but cannot be executed; returns its path.
std::string make_non_executable(const std::string& dir, const std::string& name);

}  // namespace support
