// SPDX-License-Identifier: BSL-1.0
#pragma once

// Interfaces between the files of the POSIX backend.

#include "../failure.hpp"

#include <spawn.h>

#include <string>
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

/// One descriptor the child must have: `source` in the parent becomes `target` in the child.
struct fd_move {
  int source;
  int target;
};

/// Adds the file actions that give the child exactly `moves` (targets distinct, all below
/// `first_free`) and closes everything else at or above `first_free`. Sources that lie in
/// the target range are first copied above it in the parent (`temporaries`, closed by the
/// caller after the spawn), so the dup2 actions can run in any order and permutations such
/// as "4 as 3 and 3 as 4" come out right.
bool plan_descriptors(posix_spawn_file_actions_t& actions, const std::vector<fd_move>& moves, int first_free,
                      std::vector<int>& temporaries, std::string_view program, failure& f);

// --- close_others.cpp ---

/// Adds a file action that closes every descriptor >= `first` in the child, where the
/// platform can (glibc >= 2.34 closefrom action; macOS POSIX_SPAWN_CLOEXEC_DEFAULT via
/// `extra_flags`). Returns false where it cannot: then only O_CLOEXEC protects.
bool close_others_in_child(posix_spawn_file_actions_t& actions, int first, short& extra_flags) noexcept;
/// True when close_others_in_child can close foreign descriptors on this build.
bool can_close_others() noexcept;
/// True when adddup2(fd, fd) clears FD_CLOEXEC in the child (POSIX.1-2024; glibc >= 2.29).
bool dup2_same_clears_cloexec() noexcept;

// --- process.cpp ---

/// A pidfd for our own, not yet reaped child `pid`, or -1 where the kernel has none.
int open_pidfd(int pid) noexcept;

}  // namespace bequest::detail::posix
