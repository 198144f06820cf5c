// SPDX-License-Identifier: BSL-1.0
#pragma once

// The comparison's scenarios (docs/compare.md), for the peers written in C++. Each peer says
// how it starts a child (its own API, used the way its documentation shows); the scenarios are
// the conformance suite's ideas: canaries (uniquely named files, pipes known by their inode),
// a probe child that lists its descriptors (compare_probe), and rogue threads that start
// "inherit everything" children (posix_spawn without file actions, as any fork+exec does)
// while the peer spawns. compare.py, in Python, and compare.rs, in Rust, run the same
// scenarios with the same counts. Each scenario prints one line: PEER<TAB>SCENARIO<TAB>CELL.

#include "harness_common.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <limits.h>
#include <memory>
#include <mutex>
#include <set>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;  // NOLINT

namespace comparison {

[[noreturn]] inline void die(const std::string& what) {
  std::fprintf(stderr, "compare: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

/// What /proc/self/fd says `fd` is: a path, or "pipe:[INODE]".
inline std::string fd_target(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

/// The probe's report: one (fd, target) a line.
inline std::vector<std::pair<int, std::string>> parse_fds(const std::string& report) {
  std::vector<std::pair<int, std::string>> v;
  std::istringstream in(report);
  int fd;
  std::string target;
  while (in >> fd && std::getline(in >> std::ws, target)) v.emplace_back(fd, target);
  return v;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// Something the peer started that can be killed through the peer.
struct killable {
  virtual ~killable() = default;
  virtual pid_t pid() const = 0;
  /// Kills the child the peer's way; "" when the peer reported success, else what it said.
  virtual std::string kill() = 0;
};

struct peer {
  std::string name;
  /// Starts PROGRAM ARGS with stdout captured the peer's way and, when `listed` >= 0, that
  /// descriptor passed to the child as fd 3; returns the child's stdout.
  std::function<std::string(const std::string& program, const std::vector<std::string>& args, int listed)> capture;
  /// Empty, or why the peer has no way to pass a listed descriptor (capture then ignores it).
  std::string no_listing;
  /// Starts PROGRAM ARGS with stdin, stdout and stderr pipes the peer makes, waits for it, and
  /// returns the pipes' identities (fd_target of the parent's ends).
  std::function<std::vector<std::string>(const std::string& program, const std::vector<std::string>& args)> piped;
  /// Starts the bare program NAME ARGS and waits; "" when it started, else the error.
  std::function<std::string(const std::string& name, const std::vector<std::string>& args)> bare;
  /// Starts PROGRAM sleep.
  std::function<std::unique_ptr<killable>(const std::string& program)> start_sleeper;
};

/// Threads that start "inherit everything" probes while the peer spawns: each holds a canary
/// file of its own open without O_CLOEXEC during each spawn (as code that hands a file to its
/// child the classic way does), and each of its children writes its descriptors to a file.
class rogues {
 public:
  explicit rogues(const setup& s) {
    threads_.start([this, &s](int t, int k) {
      const std::string canary = s.dir + "/rogue-canary-" + std::to_string(t);
      const int fd = ::open(canary.c_str(), O_RDONLY | O_CREAT, 0644);  // NOLINT: no O_CLOEXEC, on purpose
      const std::string report = s.dir + "/rogue-" + std::to_string(t) + "-" + std::to_string(k) + ".txt";
      std::string a0 = s.probe, a1 = "fds", a2 = report;
      char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
      pid_t pid = -1;
      if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ) == 0) {
        int status;
        ::waitpid(pid, &status, 0);
        threads_.report(report);
      }
      if (fd >= 0) ::close(fd);
    });
  }
  /// Stops the threads; the reports of every rogue child.
  std::vector<std::string> stop() { return threads_.stop(); }

 private:
  spawner_threads threads_;
};

// --- the scenarios --------------------------------------------------------------------------

/// A child receives only its stdio and its listed descriptor while rogue threads spawn.
inline std::string only_listed(const peer& p, const setup& s) {
  const std::string listed_path = s.dir + "/listed-canary";
  // Above fd 3 on purpose: dup2(3, 3) is a no-op that leaves FD_CLOEXEC set, a pitfall of its
  // own that would hide what this scenario is about.
  const int opened = ::open(listed_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (opened < 0) die("open " + listed_path);
  const int listed = ::fcntl(opened, F_DUPFD_CLOEXEC, 10);
  ::close(opened);
  int extra = 0, listed_arrived = 0, rogue_canaries = 0;
  std::set<std::string> others;
  {
    rogues r(s);
    for (int i = 0; i < spawns_per_scenario; ++i) {
      const auto fds = parse_fds(p.capture(s.probe, {"fds"}, p.no_listing.empty() ? listed : -1));
      bool got_extra = false;
      for (const auto& [fd, target] : fds) {
        if (fd <= 2) continue;
        if (fd == 3 && target == listed_path) {
          ++listed_arrived;
        } else {
          got_extra = true;
          if (target.find("/rogue-canary-") != std::string::npos)
            ++rogue_canaries;
          else
            others.insert(target);
        }
      }
      extra += got_extra;
    }
  }
  ::close(listed);
  std::string cell = std::to_string(extra) + " of " + std::to_string(spawns_per_scenario) +
                     " children got a descriptor besides stdio and the listed one";
  if (extra) {
    cell += " (" + std::to_string(rogue_canaries) + " rogue canaries";
    for (const auto& o : others) cell += ", " + o;
    cell += ")";
  }
  if (!p.no_listing.empty())
    cell += "; no listed descriptor (" + p.no_listing + ")";
  else if (listed_arrived != spawns_per_scenario)
    cell += "; the listed one arrived in " + std::to_string(listed_arrived);
  return cell;
}

/// Descriptors that other code opened without O_CLOEXEC do not reach the child.
inline std::string leaked(const peer& p, const setup& s) {
  std::vector<int> canaries;
  std::vector<std::string> paths;
  for (int i = 0; i < 3; ++i) {
    paths.push_back(s.dir + "/leaked-canary-" + std::to_string(i));
    canaries.push_back(::open(paths.back().c_str(), O_RDONLY | O_CREAT, 0644));  // NOLINT: no O_CLOEXEC
  }
  const auto fds = parse_fds(p.capture(s.probe, {"fds"}, -1));
  int crossed = 0;
  for (const auto& path : paths) {
    for (const auto& [fd, target] : fds) {
      if (target == path) {
        ++crossed;
        break;
      }
    }
  }
  for (const int fd : canaries) ::close(fd);
  return std::to_string(crossed) + " of 3 leaked canaries crossed";
}

/// The child's stdio pipes do not reach a child that another thread starts meanwhile.
inline std::string stdio_to_foreign(const peer& p, const setup& s) {
  const auto [pipes, all, foreign] = piped_beside_rogues<rogues>(p, s, read_file);
  int reached = 0;
  for (const auto& ids : pipes) {
    bool hit = false;
    for (const auto& id : ids) hit = hit || (!id.empty() && all.find(" " + id + "\n") != std::string::npos);
    reached += hit;
  }
  return "stdio of " + std::to_string(reached) + " of " + std::to_string(spawns_per_scenario) +
         " children reached a foreign child (" + std::to_string(foreign) + " foreign children)";
}

/// A bare program name is not taken from the current directory.
inline std::string bare_name(const peer& p, const setup& s) {
  const std::string cwd = s.dir + "/cwd";
  ::mkdir(cwd.c_str(), 0755);
  {
    std::ifstream in(s.probe, std::ios::binary);
    std::ofstream out(cwd + "/compare-evil", std::ios::binary);
    out << in.rdbuf();
  }
  ::chmod((cwd + "/compare-evil").c_str(), 0755);
  char old_cwd[PATH_MAX];
  if (!::getcwd(old_cwd, sizeof old_cwd)) die("getcwd");
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  auto attempt = [&](const char* path_value, const std::string& marker) {
    ::unlink(marker.c_str());
    ::setenv("PATH", path_value, 1);
    if (::chdir(cwd.c_str()) != 0) die("chdir");
    const std::string error = guarded([&] { return p.bare("compare-evil", {"mark", marker}); });
    if (::chdir(old_cwd) != 0) die("chdir");
    ::setenv("PATH", old_path.c_str(), 1);
    if (::access(marker.c_str(), F_OK) == 0) return std::string("ran ./compare-evil");
    return "not run (" + (error.empty() ? std::string("started something else") : error) + ")";
  };
  const std::string plain = attempt("/usr/bin:/bin", s.dir + "/marker-plain");
  const std::string empty = attempt("/usr/bin::/bin", s.dir + "/marker-empty");
  return "PATH=/usr/bin:/bin: " + plain + "; PATH with an empty entry: " + empty;
}

/// Makes the next process created take pid `target` (Linux: ns_last_pid, root only), as a
/// busy system eventually does by itself. Returns the victim's pid (== target), or -1.
inline pid_t victim_at(pid_t target, const setup& s) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    {
      std::ofstream last("/proc/sys/kernel/ns_last_pid");
      if (!last) return -1;
      last << target - 1;
    }
    std::string a0 = s.probe, a1 = "sleep";
    char* argv[] = {a0.data(), a1.data(), nullptr};
    pid_t pid = -1;
    if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv, environ) != 0) return -1;
    if (pid == target) return pid;
    ::kill(pid, SIGKILL);
    int status;
    ::waitpid(pid, &status, 0);
  }
  return -1;
}

/// kill() through the peer after another component reaped the child (a waitpid of its own)
/// and an unrelated process took the pid.
inline std::string kill_after_reap(const peer& p, const setup& s) {
  std::unique_ptr<killable> k = p.start_sleeper(s.probe);
  const pid_t pid = k->pid();
  ::kill(pid, SIGTERM);  // the child ends by itself, as far as the peer knows
  int status;
  if (::waitpid(pid, &status, 0) != pid) return "not measured: the foreign waitpid failed";
  const pid_t victim = victim_at(pid, s);
  if (victim < 0) return "not measured: could not place a process at the freed pid (needs root)";
  const std::string said = guarded([&] { return k->kill(); });
  ::usleep(100 * 1000);
  std::string cell;
  if (::waitpid(victim, &status, WNOHANG) == victim && WIFSIGNALED(status)) {
    cell = "killed the unrelated process now at its pid";
  } else {
    cell = "no signal reached the process now at its pid";
    ::kill(victim, SIGKILL);
    ::waitpid(victim, &status, 0);
  }
  cell += said.empty() ? " (kill reported success)" : " (kill said: " + said + ")";
  k.reset();
  return cell;
}

/// Runs the scenario named `only` (or all, when empty).
inline void run_all(const peer& p, const setup& s, const std::string& only = "") {
  run_scenarios<peer>(p, s, only,
                      {{"only-listed", only_listed},
                       {"leaked", leaked},
                       {"stdio-to-foreign", stdio_to_foreign},
                       {"bare-name", bare_name},
                       {"kill-after-reap", kill_after_reap}});
}

/// The scratch directory for one peer: DIR/NAME, made empty.
inline setup make_setup(const std::string& probe, const std::string& base, const std::string& name) {
  const std::string dir = scratch_dir(base, '/', name);
  ::mkdir(base.c_str(), 0755);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) die("mkdir " + dir);
  return {probe, dir};
}

}  // namespace comparison
