// SPDX-License-Identifier: BSL-1.0
// POSIX: the dup2 plan that installs stdio and the inherit set at their target numbers, shared
// by the posix_spawn path and the parent-death-signal path.
#include "../launch_plan.hpp"
#include "posix.hpp"

#include <cerrno>
#include <fcntl.h>

#include "../text_format.hpp"

namespace bequest::detail::posix {

int child_fd(const launch_plan& plan, std::size_t i) noexcept {
  const auto& target = plan.inherit[i].target_fd;
  return target ? *target : 3 + static_cast<int>(i);
}

bool plan_descriptors(const std::vector<fd_move>& moves, int first_free, std::vector<fd_move>& dups,
                      std::vector<int>& temporaries, std::string_view program, failure& f) {
  dups.clear();
  dups.reserve(moves.size());
  for (const fd_move& m : moves) {
    int source = m.source;
    const bool in_target_range = source < first_free;
    const bool stays = source == m.target && dup2_same_clears_cloexec();
    if (in_target_range && !stays) {
      // Copy it above the target range, so no dup2 of this plan can overwrite it before it
      // is used, and so that source != target (an older libc may skip dup2(fd, fd) and
      // leave FD_CLOEXEC set).
      source = ::fcntl(m.source, F_DUPFD_CLOEXEC, first_free);
      if (source < 0) {
        return spawn_failed(f, program, last_os_error(),
                            detail::text::format("copy fd {} out of the way of the target fds", m.source));
      }
      temporaries.push_back(source);
    }
    dups.push_back({source, m.target});
  }
  return true;
}

}  // namespace bequest::detail::posix
