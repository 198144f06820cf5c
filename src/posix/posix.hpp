// SPDX-License-Identifier: BSL-1.0
#pragma once

// Interfaces between the files of the POSIX backend.

#include "../child_impl.hpp"
#include "../failure.hpp"
#include "../launch_plan.hpp"

#include <spawn.h>

#include <string>
#include <system_error>
#include <string_view>
#include <vector>

namespace bequest::detail::posix {

// --- path_search.cpp ---

/// Finds the file to execute: a program containing '/' is taken as a path (made absolute
/// against the parent's current directory when `cwd_changes` is set, so that a change of
/// directory in the child cannot change what runs); a bare name is searched in `path_var`,
/// the child's PATH, skipping empty and relative entries, which would mean the current
/// directory. Fails with a message naming the program and what was searched.
bool resolve_program(std::string_view program, std::string_view path_var, bool cwd_changes, std::string& resolved,
                     failure& f);

/// The PATH to search when the child's environment has none (confstr(_CS_PATH)).
std::string default_path();

// --- fd_plan.cpp ---

/// The descriptor number inherit entry `i` of `plan` gets in the child: its target_fd, or 3 + i.
int child_fd(const launch_plan& plan, std::size_t i) noexcept;

/// One descriptor the child must have: `source` in the parent becomes `target` in the child.
struct fd_move {
  int source;
  int target;
};

/// Turns `moves` (targets distinct, all below `first_free`) into `dups`, dup2 operations that
/// can run in list order in the child. Sources that lie in the target range are first
/// copied above it in the parent (`temporaries`, closed by the caller after the spawn), so
/// no dup2 overwrites a source a later one needs and permutations such as "4 as 3 and 3 as
/// 4" come out right. A pair with source == target means "keep it, clear FD_CLOEXEC".
bool plan_descriptors(const std::vector<fd_move>& moves, int first_free, std::vector<fd_move>& dups,
                      std::vector<int>& temporaries, std::string_view program, failure& f);

// --- spawn.cpp / parent_death.cpp ---

/// Everything the child does between its creation and exec, in this order: signal
/// dispositions to default; new session or new process group; the dup2 plan; the null
/// device for the streams that get it; stderr to stdout; close every fd >= close_from; cwd;
/// empty signal mask; execve.
struct child_steps {
  const char* path = nullptr;  ///< what to execute, already resolved
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  std::vector<fd_move> dups;
  /// Numbers below close_from that no dup2 fills (left between target_fd entries, and the
  /// standard streams the parent has closed): closed after the dup2 plan, so that only what
  /// was asked for is open.
  std::vector<int> closes;
  bool null_stream[3] = {false, false, false};
  bool stderr_to_stdout = false;
  int close_from = 3;
  const char* cwd = nullptr;  ///< nullptr: the parent's
  bool new_process_group = false;
  bool new_session = false;  ///< a session leader is also the leader of a new group
  /// Keep what exec keeps (ignored signals, the mask) instead of resetting every signal.
  bool keep_signal_state = false;
  /// Set: the slave of a pseudo-terminal, opened (after setsid, so that it becomes the
  /// controlling terminal) as fd 0 and copied to 1 and 2 after the dup2 plan (which then
  /// moves nothing onto 0, 1 or 2 but may read them).
  const char* terminal = nullptr;
};

/// Starts `plan` with posix_spawn. With `pidfd` (not null) and glibc's pidfd_spawn (2.39+),
/// through that instead, so that `*pidfd` names the child from its first instant; otherwise
/// `*pidfd` is -1.
bool launch_posix_spawn(const child_steps& plan, std::string_view program, int& pid, failure& f, int* pidfd = nullptr);
/// Starts `plan` so that the child is killed when this process's spawning thread ends
/// (Linux: clone(CLONE_VM | CLONE_VFORK) with PR_SET_PDEATHSIG before exec). Elsewhere fails
/// with not_supported.
bool launch_with_parent_death_signal(const child_steps& plan, std::string_view program, int& pid, failure& f);
/// True where launch_with_parent_death_signal can work (Linux).
bool parent_death_signal_supported() noexcept;

// --- terminal.cpp ---

/// Makes the pseudo-terminal of a child started with spawn_options::terminal, `size` big:
/// the master (close-on-exec) goes to `c.terminal`, duplicates of it to `c.in` and `c.out`;
/// `slave_path` is what the child opens as its streams (child_steps::terminal).
bool open_terminal(terminal_size size, std::string_view program, child_impl& c, std::string& slave_path, failure& f);
/// True when a read of `fd` that failed with `error` is the end of a terminal's output: EIO on
/// a pseudo-terminal master whose slave has been closed by everyone.
bool is_end_of_terminal(int fd, int error) noexcept;

// --- close_others.cpp ---

/// Adds a file action that closes every descriptor >= `first` in the child, where the
/// platform can (glibc >= 2.34 closefrom action; macOS POSIX_SPAWN_CLOEXEC_DEFAULT via
/// `extra_flags`). Returns false where it cannot: then only O_CLOEXEC protects.
bool close_others_in_child(posix_spawn_file_actions_t& actions, int first, short& extra_flags) noexcept;
/// True when close_others_in_child can close foreign descriptors on this build.
bool can_close_others() noexcept;
/// True when adddup2(fd, fd) clears FD_CLOEXEC in the child (POSIX.1-2024; glibc >= 2.29).
bool dup2_same_clears_cloexec() noexcept;

// --- handle.cpp ---

/// One write() (retried on EINTR) that cannot raise SIGPIPE: a reader that went away is
/// EPIPE. Returns the bytes written, or -1 with `error` set (EAGAIN on a full non-blocking pipe).
long write_without_sigpipe(int fd, const void* data, std::size_t size, int& error) noexcept;

// --- process.cpp ---

/// Makes the just-started child `pid` the process `c` stands for. `pidfd`: one the launch
/// already obtained (pidfd_spawn), or -1. Otherwise, when `want_pidfd` and the kernel has
/// pidfds, opens one and checks that it names our own, not yet reaped child: a child that
/// someone else reaped before that is `c.lost`. If the pidfd cannot be had (EMFILE, ENOMEM)
/// the child is killed and reaped and the spawn fails with a message that says so; `c.pid`
/// stays 0 then, so destroying `c` touches no process.
bool adopt_child(int pid, int pidfd, bool want_pidfd, child_impl& c, std::string_view program, failure& f);

// --- memory_memfd.cpp (Linux) or memory_shm.cpp (other POSIX, BEQUEST_POSIX_GENERIC) ---

/// A new, empty, close-on-exec shared-memory object. `fd` is what children receive, read-only
/// where the system allows; `writer` is a separate writable descriptor, or -1 when `fd`
/// itself is the writable one (memfd without /proc).
bool create_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept;
/// True when the object may be filled with write() (cheaper than through a mapping: the
/// kernel allocates the pages without a fault per page).
bool memory_fill_by_write() noexcept;
/// Allocates the memory behind the first `size` bytes now where the system can (fallocate on
/// a memfd); elsewhere does nothing. Fails when the memory is not there.
bool preallocate_memory(int fd, std::size_t size, std::error_code& ec) noexcept;
/// Makes the object unchangeable: seals it (memfd) and gives up the writable descriptor.
/// Every writable mapping must be gone.
bool seal_memory_fds(int& fd, int& writer, std::error_code& ec) noexcept;
/// In the child: true when `fd`, open and neither a pipe, socket, directory nor device, is
/// the kind of object create_memory_fds makes, sealed.
bool is_startup_memory(int fd) noexcept;
/// See bequest::startup_data_sealed().
bool memory_is_sealed() noexcept;

}  // namespace bequest::detail::posix
