// SPDX-License-Identifier: BSL-1.0
// POSIX: closing, in the child, every descriptor it was not given — including descriptors
// that other code in this process opened without O_CLOEXEC.
#include "posix.hpp"

#include <spawn.h>

#if defined(__GLIBC__) && !defined(BEQUEST_POSIX_GENERIC)
#  if __GLIBC_PREREQ(2, 34)
#    define BEQUEST_HAVE_ADDCLOSEFROM 1
#  endif
#  if __GLIBC_PREREQ(2, 29)
#    define BEQUEST_HAVE_DUP2_CLEARS_CLOEXEC 1
#  endif
#elif defined(__APPLE__) && !defined(BEQUEST_POSIX_GENERIC)
#  define BEQUEST_HAVE_CLOEXEC_DEFAULT 1
#  define BEQUEST_HAVE_DUP2_CLEARS_CLOEXEC 1
#endif

namespace bequest::detail::posix {

bool close_others_in_child(posix_spawn_file_actions_t& actions, int first, short& extra_flags) noexcept {
#if defined(BEQUEST_HAVE_ADDCLOSEFROM)
  (void)extra_flags;
  // glibc runs this as close_range(first, ~0U, 0) in the child (falling back to walking
  // /proc/self/fd on kernels before 5.9).
  return posix_spawn_file_actions_addclosefrom_np(&actions, first) == 0;
#elif defined(BEQUEST_HAVE_CLOEXEC_DEFAULT)
  (void)actions;
  (void)first;
  // macOS: every descriptor not named by a file action is closed at exec.
  extra_flags = static_cast<short>(extra_flags | POSIX_SPAWN_CLOEXEC_DEFAULT);
  return true;
#else
  (void)actions;
  (void)first;
  (void)extra_flags;
  return false;
#endif
}

bool can_close_others() noexcept {
#if defined(BEQUEST_HAVE_ADDCLOSEFROM) || defined(BEQUEST_HAVE_CLOEXEC_DEFAULT)
  return true;
#else
  return false;
#endif
}

bool dup2_same_clears_cloexec() noexcept {
#if defined(BEQUEST_HAVE_DUP2_CLEARS_CLOEXEC)
  return true;
#else
  return false;
#endif
}

}  // namespace bequest::detail::posix
