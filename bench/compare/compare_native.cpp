// SPDX-License-Identifier: BSL-1.0
// The comparison's peers that are C or C++ and build against the project's own packages:
// bequest, Boost.Process v1 (Debian's 1.74), libuv, and the raw primitives posix_spawn and
// fork+exec, each starting children the way its documentation shows (harness.hpp has the
// scenarios). The raw rows use pipes made with O_CLOEXEC and dup2 in the child: the careful
// way to use the primitive, so that what they leak is the primitive's own doing.
//
//   compare_native PROBE SCRATCH_DIR [PEER [SCENARIO]]   prints PEER<TAB>SCENARIO<TAB>CELL lines

#include "harness.hpp"

#include <bequest/bequest.hpp>
#include <boost/process.hpp>
#include <boost/process/posix.hpp>
#include <uv.h>

namespace {

using namespace comparison;

// --- bequest ----------------------------------------------------------------------------------

bequest::spawn_options bequest_options(const std::string& program, const std::vector<std::string>& args) {
  bequest::spawn_options o;
  o.program = program;
  o.args = args;
  return o;
}

struct bequest_sleeper : killable {
  bequest::child c;
  pid_t pid() const override { return static_cast<pid_t>(c.pid()); }
  std::string kill() override {
    std::error_code ec;
    c.kill(ec);
    return ec ? ec.message() : "";
  }
};

peer bequest_peer() {
  peer p;
  p.name = "bequest";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, int listed) {
    auto o = bequest_options(program, args);
    if (listed >= 0) o.inherit = {{"listed", listed}};
    return bequest::run(o).out;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    auto o = bequest_options(program, args);
    o.in = o.out = o.err = bequest::stdio::pipe();
    bequest::child c = bequest::spawn(o);
    std::vector<std::string> ids{fd_target(c.in().get()), fd_target(c.out().get()), fd_target(c.err().get())};
    c.in().reset();
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = c.out().read_some(buf, sizeof buf)) > 0) out.append(buf, n);
    (void)c.wait();
    return ids;
  };
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    std::error_code ec;
    std::string message;
    bequest::child c = bequest::spawn(bequest_options(name, args), ec, message);
    if (ec) return message;
    (void)c.wait();
    return std::string();
  };
  p.start_sleeper = [](const std::string& program) -> std::unique_ptr<killable> {
    auto k = std::make_unique<bequest_sleeper>();
    k->c = bequest::spawn(bequest_options(program, {"sleep"}));
    return k;
  };
  return p;
}

// --- Boost.Process v1 -------------------------------------------------------------------------

namespace bp = boost::process;

struct boost_v1_sleeper : killable {
  bp::child c;
  pid_t pid() const override { return c.id(); }
  std::string kill() override {
    std::error_code ec;
    c.terminate(ec);
    return ec ? ec.message() : "";
  }
};

peer boost_v1_peer() {
  peer p;
  p.name = "boost.process v1";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, int listed) {
    bp::ipstream out;
    bp::child c = listed >= 0
                      ? bp::child(bp::exe = program, bp::args = args, bp::std_out > out, bp::posix::fd.bind(3, listed))
                      : bp::child(bp::exe = program, bp::args = args, bp::std_out > out);
    std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
    c.wait();
    return text;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    bp::opstream in;
    bp::ipstream out, err;
    bp::child c(bp::exe = program, bp::args = args, bp::std_in<in, bp::std_out> out, bp::std_err > err);
    std::vector<std::string> ids{fd_target(in.pipe().native_sink()), fd_target(out.pipe().native_source()),
                                 fd_target(err.pipe().native_source())};
    in.pipe().close();
    std::string line;
    while (std::getline(out, line)) {
    }
    c.wait();
    return ids;
  };
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    std::error_code ec;
    // The documented way: bp::search_path. (A bare name given as is is a path relative to the
    // current directory: bp::child("compare-evil") runs ./compare-evil.)
    const auto exe = bp::search_path(name);
    if (exe.empty()) return std::string("search_path found nothing");
    bp::child c(exe, bp::args = args, ec);
    if (ec) return ec.message();
    c.wait();
    return std::string();
  };
  p.start_sleeper = [](const std::string& program) -> std::unique_ptr<killable> {
    auto k = std::make_unique<boost_v1_sleeper>();
    k->c = bp::child(bp::exe = program, bp::args = std::vector<std::string>{"sleep"});
    return k;
  };
  return p;
}

// --- libuv ------------------------------------------------------------------------------------

struct uv_run_state {
  uv_loop_t loop;
  uv_process_t process;
  uv_pipe_t pipes[3];
  int pipe_count = 0;
  std::string out;
  bool exited = false;
};

std::vector<char*> c_argv(const std::string& program, const std::vector<std::string>& args,
                          std::vector<std::string>& keep) {
  keep.clear();
  keep.push_back(program);
  keep.insert(keep.end(), args.begin(), args.end());
  std::vector<char*> v;
  for (auto& a : keep) v.push_back(a.data());
  v.push_back(nullptr);
  return v;
}

/// uv_spawn with stdout (or all three) UV_CREATE_PIPE and an optional fd 3, run to the end.
/// Returns the error of uv_spawn, or 0; `ids` gets the pipes' identities.
int uv_run_child(const std::string& file, const std::vector<std::string>& args, int listed, bool all_pipes,
                 std::string& out, std::vector<std::string>* ids) {
  uv_run_state s;
  uv_loop_init(&s.loop);
  std::vector<std::string> keep;
  auto argv = c_argv(file, args, keep);
  uv_stdio_container_t stdio[4];
  for (int i = 0; i < 3; ++i) {
    stdio[i].flags = UV_INHERIT_FD;
    stdio[i].data.fd = i;
  }
  for (int i = all_pipes ? 0 : 1; i < (all_pipes ? 3 : 2); ++i) {
    uv_pipe_init(&s.loop, &s.pipes[i], 0);
    stdio[i].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | (i == 0 ? UV_READABLE_PIPE : UV_WRITABLE_PIPE));
    stdio[i].data.stream = reinterpret_cast<uv_stream_t*>(&s.pipes[i]);
  }
  int count = 3;
  if (listed >= 0) {
    stdio[3].flags = UV_INHERIT_FD;
    stdio[3].data.fd = listed;
    count = 4;
  }
  uv_process_options_t o{};
  o.file = file.c_str();
  o.args = argv.data();
  o.stdio = stdio;
  o.stdio_count = count;
  o.exit_cb = [](uv_process_t* p, int64_t, int) {
    static_cast<uv_run_state*>(p->data)->exited = true;
    uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
  };
  s.process.data = &s;
  const int rc = uv_spawn(&s.loop, &s.process, &o);
  const int first = all_pipes ? 0 : 1, last = all_pipes ? 3 : 2;
  if (rc == 0) {
    if (ids) {
      for (int i = first; i < last; ++i) {
        uv_os_fd_t fd;
        uv_fileno(reinterpret_cast<uv_handle_t*>(&s.pipes[i]), &fd);
        ids->push_back(fd_target(fd));
      }
    }
    s.pipes[1].data = &s;
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&s.pipes[1]),
        [](uv_handle_t*, size_t, uv_buf_t* b) {
          static char buf[65536];
          *b = uv_buf_init(buf, sizeof buf);
        },
        [](uv_stream_t* st, ssize_t n, const uv_buf_t* b) {
          auto* state = static_cast<uv_run_state*>(st->data);
          if (n > 0) state->out.append(b->base, static_cast<std::size_t>(n));
          if (n < 0) uv_close(reinterpret_cast<uv_handle_t*>(st), nullptr);
        });
    if (all_pipes) {
      uv_close(reinterpret_cast<uv_handle_t*>(&s.pipes[0]), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&s.pipes[2]), nullptr);
    }
  } else {
    for (int i = first; i < last; ++i) uv_close(reinterpret_cast<uv_handle_t*>(&s.pipes[i]), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&s.process), nullptr);
  }
  uv_run(&s.loop, UV_RUN_DEFAULT);
  uv_loop_close(&s.loop);
  out = s.out;
  return rc;
}

struct uv_sleeper : killable {
  uv_loop_t loop;
  uv_process_t process;
  uv_sleeper() { uv_loop_init(&loop); }
  ~uv_sleeper() override {
    uv_close(reinterpret_cast<uv_handle_t*>(&process), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  pid_t pid() const override { return process.pid; }
  std::string kill() override {
    const int rc = uv_process_kill(&process, SIGKILL);
    return rc ? uv_strerror(rc) : "";
  }
};

peer libuv_peer() {
  peer p;
  p.name = "libuv";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, int listed) {
    std::string out;
    if (const int rc = uv_run_child(program, args, listed, false, out, nullptr))
      throw std::runtime_error(uv_strerror(rc));
    return out;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    std::string out;
    std::vector<std::string> ids;
    if (const int rc = uv_run_child(program, args, -1, true, out, &ids)) throw std::runtime_error(uv_strerror(rc));
    return ids;
  };
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    std::string out;
    const int rc = uv_run_child(name, args, -1, false, out, nullptr);
    return rc ? std::string(uv_strerror(rc)) : std::string();
  };
  p.start_sleeper = [](const std::string& program) -> std::unique_ptr<killable> {
    auto k = std::make_unique<uv_sleeper>();
    std::vector<std::string> keep;
    auto argv = c_argv(program, {"sleep"}, keep);
    uv_process_options_t o{};
    o.file = program.c_str();
    o.args = argv.data();
    o.exit_cb = [](uv_process_t*, int64_t, int) {};
    if (const int rc = uv_spawn(&k->loop, &k->process, &o)) throw std::runtime_error(uv_strerror(rc));
    return k;
  };
  return p;
}

// --- raw posix_spawn and fork+exec ----------------------------------------------------------

struct raw_pipes {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
};

void make_pipe(int p[2]) {
  if (::pipe2(p, O_CLOEXEC) != 0) die("pipe2");
}

std::string drain(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return s;
}

int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

/// Starts with posix_spawn (spawnp for a bare name) or fork+execv(p); stdio per `pipes` (-1:
/// inherited), `listed` at fd 3. Returns the pid, or -1 with the error in `error`.
pid_t raw_start(bool use_fork, const std::string& program, const std::vector<std::string>& args, int in, int out,
                int err, int listed, std::string& error) {
  std::vector<std::string> keep;
  auto argv = c_argv(program, args, keep);
  const bool search = program.find('/') == std::string::npos;
  pid_t pid = -1;
  if (!use_fork) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in >= 0) posix_spawn_file_actions_adddup2(&fa, in, 0);
    if (out >= 0) posix_spawn_file_actions_adddup2(&fa, out, 1);
    if (err >= 0) posix_spawn_file_actions_adddup2(&fa, err, 2);
    if (listed >= 0) posix_spawn_file_actions_adddup2(&fa, listed, 3);
    const int rc = search ? ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ)
                          : ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      error = std::strerror(rc);
      return -1;
    }
    return pid;
  }
  int report[2];
  make_pipe(report);
  pid = ::fork();
  if (pid == 0) {
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    if (listed >= 0) ::dup2(listed, 3);
    if (search)
      ::execvp(argv[0], argv.data());
    else
      ::execv(argv[0], argv.data());
    const int e = errno;
    (void)!::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(report[1]);
  int e = 0;
  if (::read(report[0], &e, sizeof e) == sizeof e) {
    ::close(report[0]);
    wait_for(pid);
    error = std::strerror(e);
    return -1;
  }
  ::close(report[0]);
  return pid;
}

struct raw_sleeper : killable {
  pid_t p = -1;
  pid_t pid() const override { return p; }
  std::string kill() override { return ::kill(p, SIGKILL) == 0 ? "" : std::strerror(errno); }
};

peer raw_peer(bool use_fork) {
  peer p;
  p.name = use_fork ? "fork+exec" : "posix_spawn";
  p.capture = [use_fork](const std::string& program, const std::vector<std::string>& args, int listed) {
    int out[2];
    make_pipe(out);
    std::string error;
    const pid_t pid = raw_start(use_fork, program, args, -1, out[1], -1, listed, error);
    ::close(out[1]);
    if (pid < 0) throw std::runtime_error(error);
    std::string text = drain(out[0]);
    wait_for(pid);
    return text;
  };
  p.piped = [use_fork](const std::string& program, const std::vector<std::string>& args) {
    raw_pipes rp;
    make_pipe(rp.in);
    make_pipe(rp.out);
    make_pipe(rp.err);
    std::string error;
    const pid_t pid = raw_start(use_fork, program, args, rp.in[0], rp.out[1], rp.err[1], -1, error);
    std::vector<std::string> ids{fd_target(rp.in[1]), fd_target(rp.out[0]), fd_target(rp.err[0])};
    ::close(rp.in[0]);
    ::close(rp.out[1]);
    ::close(rp.err[1]);
    ::close(rp.in[1]);
    if (pid < 0) throw std::runtime_error(error);
    drain(rp.out[0]);
    ::close(rp.err[0]);
    wait_for(pid);
    return ids;
  };
  p.bare = [use_fork](const std::string& name, const std::vector<std::string>& args) {
    std::string error;
    const pid_t pid = raw_start(use_fork, name, args, -1, -1, -1, -1, error);
    if (pid < 0) return error;
    wait_for(pid);
    return std::string();
  };
  p.start_sleeper = [use_fork](const std::string& program) -> std::unique_ptr<killable> {
    auto k = std::make_unique<raw_sleeper>();
    std::string error;
    k->p = raw_start(use_fork, program, {"sleep"}, -1, -1, -1, -1, error);
    if (k->p < 0) throw std::runtime_error(error);
    return k;
  };
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: compare_native PROBE SCRATCH_DIR [PEER [SCENARIO]]\n");
    return 2;
  }
  std::vector<peer> peers{bequest_peer(), boost_v1_peer(), libuv_peer(), raw_peer(false), raw_peer(true)};
  for (const auto& p : peers) {
    if (argc >= 4 && p.name != argv[3]) continue;
    run_all(p, make_setup(argv[1], argv[2], p.name), argc == 5 ? argv[4] : "");
  }
  return 0;
}
