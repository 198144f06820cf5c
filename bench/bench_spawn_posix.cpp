// SPDX-License-Identifier: BSL-1.0
// bench_spawn (POSIX): the time to start a tiny child and wait for it, with bequest and with
// what a user would pick instead, measured side by side in one run.
//
// In this process: bequest, raw posix_spawn, vfork+exec, posix_spawn with a closefrom action
// (glibc >= 2.34: bequest's guarantee without the library), fork+exec, Boost.Process v1 and
// libuv's uv_spawn. In worker processes started once (their start-up is not measured):
// Python's subprocess (spawn_python.py), Rust's std::process::Command (spawn_rust.rs) and
// Boost.Process v2 (boost_v2_worker.cpp: Boost 1.81, which cannot share a program with the
// 1.74 that v1 is); they take the same parent state as this process and time each spawn
// themselves.
//
// Parent states, one phase each: 16 MiB resident; 10,000 extra descriptors open without
// O_CLOEXEC; two threads spawning at once; 1 GiB and 4 GiB resident (touched, so really
// mapped). Within a phase the implementations take turns round by round, in an order
// shuffled each round, so that whatever else the machine does falls on all of them alike.
//
// Every sample is one spawn + wait, timed alone (two-thread phase: the wall time of a turn
// in which two threads spawn, divided by the number of spawns, so lower is better there too
// and 1/ratio is the throughput ratio). A cell gets at least 200 spawns, or at least 3 s.
//
//   bench_spawn [--csv FILE] [--scale X] [--only PHASE,...] [--impls NAME,...]
// --scale multiplies the number of spawns (for a quick look); --only and --impls pick phases
// and implementations (posix_spawn and vfork+exec, the references, always run).

#include <bequest/bequest.hpp>

#include "bench_common.hpp"
#include "posix_state.hpp"

#include <boost/process.hpp>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <limits.h>
#include <memory>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;  // NOLINT

namespace {

using bench::clock_type;
using namespace bench::posix;

std::string g_child;  // absolute path of tiny_child
char* g_argv[2];

void check_status(int status, const char* who) {
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die(std::string(who) + ": the child did not exit with 0");
}

void wait_pid(pid_t pid, const char* who) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die(errno_text(who));
  }
  check_status(status, who);
}

// --- the in-process implementations: each starts tiny_child once and waits for it ---------

void spawn_bequest() {
  bequest::spawn_options o;
  o.program = g_child;
  bequest::child c = bequest::spawn(o);
  if (!c.wait().success()) die("bequest: the child did not exit with 0");
}

void spawn_posix_spawn() {
  pid_t pid = -1;
  if (const int rc = ::posix_spawn(&pid, g_argv[0], nullptr, nullptr, g_argv, environ); rc != 0) {
    errno = rc;
    die(errno_text("posix_spawn"));
  }
  wait_pid(pid, "posix_spawn");
}

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
#  define BENCH_HAVE_CLOSEFROM 1
// Raw posix_spawn with the one file action that makes inheritance exact: every descriptor from
// 3 up closed in the child. The same guarantee as bequest's, without the library, so that the
// cost of closing (the kernel's) and the cost of bequest's own work can be told apart.
void spawn_posix_spawn_closefrom() {
  posix_spawn_file_actions_t actions;
  if (const int rc = posix_spawn_file_actions_init(&actions); rc != 0) {
    errno = rc;
    die(errno_text("posix_spawn_file_actions_init"));
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, g_argv[0], &actions, nullptr, g_argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    die(errno_text("posix_spawn+closefrom"));
  }
  wait_pid(pid, "posix_spawn+closefrom");
}
#endif

void spawn_fork() {
  const pid_t pid = ::fork();
  if (pid < 0) die(errno_text("fork"));
  if (pid == 0) {
    ::execve(g_argv[0], g_argv, environ);
    ::_exit(127);
  }
  wait_pid(pid, "fork+exec");
}

void spawn_vfork() {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const pid_t pid = ::vfork();
#pragma GCC diagnostic pop
  if (pid < 0) die(errno_text("vfork"));
  if (pid == 0) {
    ::execve(g_argv[0], g_argv, environ);
    ::_exit(127);
  }
  wait_pid(pid, "vfork+exec");
}

void spawn_boost() {
  namespace bp = boost::process;
  bp::child c(bp::exe = g_child);
  c.wait();
  if (c.exit_code() != 0) die("boost.process: the child did not exit with 0");
}

/// One libuv loop per thread, as a libuv program has.
struct uv_thread_loop {
  uv_loop_t loop;
  uv_thread_loop() {
    if (uv_loop_init(&loop) != 0) die("uv_loop_init failed");
  }
  ~uv_thread_loop() { uv_loop_close(&loop); }
};

void spawn_libuv() {
  thread_local uv_thread_loop l;
  struct result {
    uv_process_t process;
    int64_t exit_status = -1;
  } r;
  uv_stdio_container_t stdio[3];
  for (int i = 0; i < 3; ++i) {
    stdio[i].flags = UV_INHERIT_FD;
    stdio[i].data.fd = i;
  }
  uv_process_options_t o{};
  o.file = g_argv[0];
  o.args = g_argv;
  o.stdio = stdio;
  o.stdio_count = 3;
  o.exit_cb = [](uv_process_t* p, int64_t status, int) {
    static_cast<result*>(p->data)->exit_status = status;
    uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
  };
  r.process.data = &r;
  if (const int rc = uv_spawn(&l.loop, &r.process, &o); rc != 0) die(std::string("uv_spawn: ") + uv_strerror(rc));
  uv_run(&l.loop, UV_RUN_DEFAULT);
  if (r.exit_status != 0) die("libuv: the child did not exit with 0");
}

// --- worker processes: Python and Rust time their own spawns --------------------------------

/// A worker that reads one command a line on stdin and answers one line on stdout:
///   state RESIDENT_BYTES EXTRA_FDS -> "ok"  (grow to that resident size, hold that many fds)
///   run 1 N -> N spawn+wait times in ns;  run 2 N -> ns per spawn of a turn of 2 threads x N
class worker {
 public:
  worker(std::string name, std::vector<std::string> command) : name_(std::move(name)) {
    bequest::spawn_options o;
    o.program = command.at(0);
    o.args.assign(command.begin() + 1, command.end());
    o.in = bequest::stdio::pipe();
    o.out = bequest::stdio::pipe();
    std::error_code ec;
    std::string message;
    child_ = bequest::spawn(o, ec, message);
    if (ec) die("start the " + name_ + " worker: " + message);
  }
  ~worker() {
    std::error_code ec;
    child_.in().write_all("quit\n", ec);
    child_.in().reset();
    (void)child_.wait(ec);
  }
  const std::string& name() const { return name_; }
  void send(const std::string& line) {
    std::error_code ec;
    child_.in().write_all(line + "\n", ec);
    if (ec) die(name_ + " worker: write: " + ec.message());
  }
  std::string receive() {
    while (true) {
      const std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (line.rfind("error", 0) == 0) die(name_ + " worker: " + line);
        return line;
      }
      char chunk[65536];
      std::error_code ec;
      const std::size_t n = child_.out().read_some(chunk, sizeof chunk, ec);
      if (ec || n == 0) die(name_ + " worker ended unexpectedly");
      buffer_.append(chunk, n);
    }
  }

 private:
  std::string name_;
  bequest::child child_;
  std::string buffer_;
};

std::vector<double> parse_numbers(const std::string& line) {
  std::vector<double> v;
  std::istringstream in(line);
  double x;
  while (in >> x) v.push_back(x);
  return v;
}

// --- measurement -------------------------------------------------------------------------------

struct impl {
  impl(std::string n, std::function<void()> in_process, worker* w = nullptr)
      : name(std::move(n)), spawn(std::move(in_process)), remote(w) {}
  std::string name;
  std::function<void()> spawn;  // in this process
  worker* remote = nullptr;     // or in a worker
  bool excluded = false;        // left out by --impls
  bool skip = false;            // not measured in the current phase (said why when it happens)
  bench::cell cell;             // the current phase's samples
};

struct phase {
  std::string name;
  std::size_t resident;
  std::size_t fds;
  int threads;
};

struct result {
  bench::row row;
  double ratio_to_vfork;
  double paired_ratio_to_raw;  // median of the per-round ratios (bench::paired_ratio)
};

/// One turn of `im`: one timed spawn (a sample in µs), or in the two-thread phase, two threads
/// with `n` spawns each (one sample: µs per spawn of the turn's wall time, thread start
/// included, the same for every implementation).
void turn(impl& im, int threads, std::size_t n) {
  auto& c = im.cell;
  if (im.remote) {
    im.remote->send("run " + std::to_string(threads) + " " + std::to_string(n));
    for (double ns : parse_numbers(im.remote->receive())) c.samples_us.push_back(ns / 1000.0);
  } else if (threads == 1) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto s = clock_type::now();
      im.spawn();
      c.samples_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - s).count());
    }
  } else {
    const auto s = clock_type::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (std::size_t i = 0; i < n; ++i) im.spawn();
      });
    }
    for (auto& t : pool) t.join();
    c.samples_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - s).count() /
                           static_cast<double>(n * static_cast<std::size_t>(threads)));
  }
  c.spawns += n * static_cast<std::size_t>(threads);
}

constexpr std::size_t two_thread_batch = 3;  // spawns per thread per turn in the two-thread phase

void run_phase(const phase& ph, std::vector<impl>& impls, const std::vector<worker*>& workers,
               const bench::limits& limits, std::vector<result>& results) {
  std::printf("\n== %s: setting up (", ph.name.c_str());
  std::fflush(stdout);
  const auto setup0 = clock_type::now();
  // Each worker takes the same state as this process; they set up while we do.
  std::vector<worker*> ready;
  for (worker* w : workers) {
    auto it = std::find_if(impls.begin(), impls.end(), [&](const impl& im) { return im.remote == w; });
    if (it->skip) continue;
    w->send("state " + std::to_string(ph.resident) + " " + std::to_string(ph.fds));
    ready.push_back(w);
  }
  grow_resident(ph.resident);
  set_extra_fds(ph.fds);
  for (worker* w : ready) w->receive();
  std::printf("%.1f s; resident %.0f MiB, %zu extra fds, %d thread%s)\n", bench::seconds_since(setup0),
              static_cast<double>(resident_bytes()) / (1 << 20), g_extra_fds.size(), ph.threads,
              ph.threads > 1 ? "s" : "");

  std::vector<impl*> active;
  std::vector<bench::cell*> cells;
  for (auto& im : impls) {
    if (im.skip) continue;
    // Warm-up, not recorded: first-time costs (page faults in the code paths, libuv's loop,
    // the workers' imports) stay out of the samples.
    turn(im, 1, 2);
    im.cell.clear();
    active.push_back(&im);
    cells.push_back(&im.cell);
  }
  bench::interleave(cells, limits,
                    [&](std::size_t i) { turn(*active[i], ph.threads, ph.threads > 1 ? two_thread_batch : 1); });

  auto samples_of = [&](const char* name) -> const std::vector<double>& {
    return std::find_if(impls.begin(), impls.end(), [&](const impl& im) { return im.name == name; })->cell.samples_us;
  };
  auto median_of = [&](const char* name) { return bench::quantile(samples_of(name), 0.5); };
  const double raw_median = median_of("posix_spawn");
  const double vfork_median = median_of("vfork+exec");
  std::printf("%-22s %10s %10s %8s %8s %12s %11s\n", "impl", "median_us", "p90_us", "spawns", "secs", "/posix_spawn",
              "/vfork+exec");
  for (const auto& im : impls) {
    if (im.excluded) continue;
    if (im.skip) {
      std::printf("%-22s   (not measured in this phase)\n", im.name.c_str());
      continue;
    }
    result r{{ph.name, im.name, bench::quantile(im.cell.samples_us, 0.5), bench::quantile(im.cell.samples_us, 0.9),
              std::nullopt},
             0,
             0};
    r.row.ratio_to_raw = r.row.median_us / raw_median;
    r.paired_ratio_to_raw = bench::paired_ratio(im.cell.samples_us, samples_of("posix_spawn"));
    r.ratio_to_vfork = r.row.median_us / vfork_median;
    std::printf("%-22s %10.1f %10.1f %8zu %8.2f %12.3f %11.3f\n", im.name.c_str(), r.row.median_us, r.row.p90_us,
                im.cell.spawns, im.cell.busy_s, *r.row.ratio_to_raw, r.ratio_to_vfork);
    results.push_back(r);
  }
  std::fflush(stdout);
}

const result* find_result(const std::vector<result>& results, const std::string& ph, const std::string& im) {
  for (const auto& r : results) {
    if (r.row.case_name == ph && r.row.impl == im) return &r;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  g_program = "bench_spawn";
  std::string csv_path;
  double scale = 1.0;
  std::string only, impl_filter;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--csv" && i + 1 < argc)
      csv_path = argv[++i];
    else if (a == "--scale" && i + 1 < argc)
      scale = std::atof(argv[++i]);
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else if (a == "--impls" && i + 1 < argc)
      impl_filter = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_spawn [--csv FILE] [--scale X] [--only PHASE,...] [--impls NAME,...]\n");
      return 2;
    }
  }

  const std::string dir = exe_dir();
  g_child = dir + "/tiny_child";
  g_argv[0] = g_child.data();
  g_argv[1] = nullptr;
  if (::access(g_child.c_str(), X_OK) != 0) die(errno_text(("find " + g_child).c_str()));

  bench::limits limits;
  limits.target_spawns = static_cast<std::size_t>(std::max(20.0, static_cast<double>(limits.target_spawns) * scale));
  limits.max_seconds *= std::min(1.0, scale);

  worker python("python", {BENCH_PYTHON3, BENCH_PYTHON_SCRIPT, g_child});
  worker rust("rust", {dir + "/spawn_rust", g_child});
  worker boost_v2("boost.process v2", {dir + "/boost_v2_worker", "spawn", g_child});

  std::vector<impl> impls;
  impls.emplace_back("bequest", spawn_bequest);
  impls.emplace_back("posix_spawn", spawn_posix_spawn);
  impls.emplace_back("vfork+exec", spawn_vfork);
#if defined(BENCH_HAVE_CLOSEFROM)
  impls.emplace_back("posix_spawn+closefrom", spawn_posix_spawn_closefrom);
#endif
  impls.emplace_back("fork+exec", spawn_fork);
  impls.emplace_back("boost.process v1", spawn_boost);
  impls.emplace_back("boost.process v2", nullptr, &boost_v2);
  impls.emplace_back("libuv", spawn_libuv);
  impls.emplace_back("python subprocess", nullptr, &python);
  impls.emplace_back("rust Command", nullptr, &rust);
  const std::vector<worker*> workers{&python, &rust, &boost_v2};
  auto listed = [](const std::string& list, const std::string& name) {
    return list.empty() || ("," + list + ",").find("," + name + ",") != std::string::npos;
  };
  for (auto& im : impls) {
    im.excluded = !listed(impl_filter, im.name) && im.name != "posix_spawn" && im.name != "vfork+exec";
  }

  constexpr std::size_t MiB = std::size_t(1) << 20;
  const std::vector<phase> phases{
      {"16 MiB", 16 * MiB, 0, 1},  {"10000 fds", 16 * MiB, 10000, 1}, {"2 threads", 16 * MiB, 0, 2},
      {"1 GiB", 1024 * MiB, 0, 1}, {"4 GiB", 4096 * MiB, 0, 1},
  };

  std::vector<result> results;
  const auto t0 = clock_type::now();
  for (const phase& ph : phases) {
    if (!listed(only, ph.name)) continue;
    // Four processes grow to the resident size at once (this one and the three workers).
    const std::size_t have = resident_bytes();
    const std::size_t need = (ph.resident > have ? ph.resident - have : 0) * (1 + workers.size()) + 1024 * MiB;
    const bool room = ph.resident <= 64 * MiB || available_bytes() >= need;
    for (auto& im : impls) im.skip = im.excluded || (im.remote && !room);
    if (!room) {
      std::printf(
          "\n%s: only %.1f GiB available, %.1f GiB needed for the workers too: the workers (Python, Rust, "
          "Boost.Process v2) left out\n",
          ph.name.c_str(), static_cast<double>(available_bytes()) / (1024.0 * MiB),
          static_cast<double>(need) / (1024.0 * MiB));
    }
    run_phase(ph, impls, workers, limits, results);
  }
  release_resident();
  set_extra_fds(0);
  std::printf("\nall phases: %.0f s\n", bench::seconds_since(t0));

  // The goals, each a ratio to raw posix_spawn in the same phase of this run.
  std::printf(
      "\ngoals (bequest against raw posix_spawn, same run, same parent state; ratio of the medians, and\n"
      "the median of the per-round ratios as a cross-check):\n");
  auto goal = [&](const std::string& ph, const char* what, double limit, bool throughput) {
    const result* r = find_result(results, ph, "bequest");
    if (!r) return;
    const double value = throughput ? 1.0 / *r->row.ratio_to_raw : *r->row.ratio_to_raw;
    const double paired = throughput ? 1.0 / r->paired_ratio_to_raw : r->paired_ratio_to_raw;
    const bool met = throughput ? value >= limit : value <= limit;
    std::printf("  %-10s %-17s %6.3f  (goal %s %.2f) %-6s  paired %6.3f   bequest/vfork+exec %.3f\n", ph.c_str(), what,
                value, throughput ? ">=" : "<=", limit, met ? "met" : "MISSED", paired, r->ratio_to_vfork);
  };
  goal("16 MiB", "time ratio", 1.05, false);
  goal("1 GiB", "time ratio", 1.05, false);
  goal("4 GiB", "time ratio", 1.05, false);
  goal("10000 fds", "time ratio", 1.10, false);
  goal("2 threads", "throughput ratio", 0.95, true);
  // Where a goal is missed, how much of bequest's time is the closing every exact spawn must do.
  const result* b = find_result(results, "10000 fds", "bequest");
  const result* c = find_result(results, "10000 fds", "posix_spawn+closefrom");
  const result* raw = find_result(results, "10000 fds", "posix_spawn");
  if (b && c && raw) {
    std::printf(
        "  10000 fds  bequest / posix_spawn+closefrom %.3f; posix_spawn+closefrom / posix_spawn %.3f\n"
        "             (closing the descriptors costs the kernel %+.0f us a spawn; bequest adds %+.0f us)\n",
        b->row.median_us / c->row.median_us, *c->row.ratio_to_raw, c->row.median_us - raw->row.median_us,
        b->row.median_us - c->row.median_us);
  }

  if (!csv_path.empty()) {
    std::vector<bench::row> rows;
    for (const auto& r : results) rows.push_back(r.row);
    if (!bench::write_csv(csv_path, rows)) die(errno_text(("write " + csv_path).c_str()));
  }
  return 0;
}
