// SPDX-License-Identifier: BSL-1.0
// The side-by-side's POSIX half: the usual way is posix_spawn with descriptors made the way
// most code still makes them (pipe() and open() without O_CLOEXEC) and nothing closed in the
// child; the rogue is fork + exec, closing nothing.
#include "os.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <system_error>

extern char** environ;

namespace side_by_side {
namespace {

[[noreturn]] void fail(int code, const std::string& what) {
  throw std::system_error(code, std::generic_category(), what);
}

// argv for exec: pointers into `program` and `args`, which outlive the call.
std::vector<char*> argv_of(const std::string& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

void wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string platform_name() {
  utsname u{};
  return ::uname(&u) == 0 ? std::string(u.sysname) : std::string("POSIX");
}

std::string usual_way() {
  return "posix_spawn, its descriptors made without O_CLOEXEC (pipe, open), nothing closed in the child";
}

std::string rogue_way() { return "fork + exec, closing nothing"; }

unsigned long process_id() { return static_cast<unsigned long>(::getpid()); }

std::vector<std::string> open_file_paths() {
  // Linux names every descriptor's file in /proc/self/fd. Elsewhere the list is empty, and
  // the demo reports that it cannot see the files (every child must see its own).
  std::vector<std::string> paths;
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return paths;
  while (const dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == ::dirfd(dir)) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    char target[PATH_MAX];
    const ssize_t n = ::readlink(("/proc/self/fd/" + std::string(e->d_name)).c_str(), target, sizeof target);
    if (n > 0) paths.emplace_back(target, static_cast<std::size_t>(n));
  }
  ::closedir(dir);
  return paths;
}

bequest::native_handle create_inheritable_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);  // no O_CLOEXEC: to be inherited
  if (fd < 0) fail(errno, "open " + path);
  return fd;
}

void close_handle(bequest::native_handle h) { ::close(h); }

std::string usual_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle file) {
  int out[2];
  if (::pipe(out) != 0) fail(errno, "pipe");
  // The file at descriptor 3, the pipe's write end as stdout; the read end closed in the child.
  // Everything else the parent holds without FD_CLOEXEC goes along, as exec always did.
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addclose(&actions, out[0]);
  ::posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  ::posix_spawn_file_actions_adddup2(&actions, file, 3);
  std::vector<char*> argv = argv_of(program, args);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    fail(rc, "posix_spawn " + program);
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(out[0]);
  wait_for(pid);
  return text;
}

void rogue_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle out) {
  std::vector<char*> argv = argv_of(program, args);  // before fork: the child must not allocate
  const pid_t pid = ::fork();
  if (pid < 0) fail(errno, "fork");
  if (pid == 0) {
    ::dup2(out, 1);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  wait_for(pid);
}

}  // namespace side_by_side
