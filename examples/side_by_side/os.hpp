// SPDX-License-Identifier: BSL-1.0
// What the side-by-side needs of the operating system, written with its raw API, one file per
// OS (os_posix.cpp, os_win32.cpp): the usual way of starting a child, a rogue that starts
// children inheriting everything, and the listing of the files a process holds.
#pragma once

#include <bequest/config.hpp>

#include <string>
#include <vector>

namespace side_by_side {

/// "Linux", or "Windows" with the Wine version when Wine runs us.
std::string platform_name();
/// How usual_spawn() and rogue_spawn() start a child, for the printout.
std::string usual_way();
std::string rogue_way();

/// This process's id.
unsigned long process_id();

/// The paths of the files (regular files on disk) this process holds open, one per handle.
std::vector<std::string> open_file_paths();

/// Creates (or empties) the file `path` for reading and writing, with an inheritable handle
/// (no FD_CLOEXEC; bInheritHandle = TRUE), as code that means to pass it to a child makes it.
/// Throws std::system_error naming the path.
bequest::native_handle create_inheritable_file(const std::string& path);
void close_handle(bequest::native_handle h);

/// The usual way, as code without bequest starts a child that is to receive one file: the file
/// and the child's stdout pipe are inheritable handles, and the child is started with them as
/// its extra handle and its stdout. Returns what the child wrote to stdout, once it has exited.
/// Throws std::system_error naming the step that failed.
std::string usual_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle file);

/// A rogue spawner: starts `program args` inheriting everything this process lets a child
/// inherit, with `out` (inheritable) as its stdout, and waits for it to exit.
void rogue_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle out);

}  // namespace side_by_side
