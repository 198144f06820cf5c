// SPDX-License-Identifier: BSL-1.0
// bench_fleet (POSIX): what it costs the parent to supervise many children at once. N children
// (fleet_child) are started and stay alive; then they are all told to exit at the same moment
// (the parent closes the pipe they all read), and the run measures
//   delivery  the time from that moment until the last exit has been delivered to the program
//             (its completion handler or callback has run);
//   CPU       the parent's CPU time (user + system) over the whole run, spawning included, and
//             over the delivery alone;
//   fds, memory  what the parent holds per child while the fleet lives (descriptors, resident
//             bytes);
//   one exit  before that, 50 extra children exit one at a time, each let go once the previous
//             exit has been delivered, while the N others stay alive: the mean latency of one
//             exit in a big fleet (fleet_common.hpp). When all exit at once, SIGCHLDs coalesce
//             and an implementation that looks at every child on each SIGCHLD does so a few
//             times in all; one at a time, it does so for every exit.
// Implementations, each waiting for every child asynchronously on one event loop:
//   bequest            bequest::async_wait on one asio::io_context (pidfd per child, in epoll)
//   bequest (SIGCHLD)  the same program built with BEQUEST_POSIX_GENERIC (--generic PATH): an
//                      asio::signal_set for SIGCHLD, each child checked with waitid(P_PID)
//   libuv              uv_spawn with an exit callback (one SIGCHLD handler for the loop)
//   boost.process v2   process::async_wait (boost_v2_worker, built with Boost 1.81's headers)
//   python asyncio     asyncio.create_subprocess_exec + wait (fleet_python.py; Python's
//                      default child watcher)
//   waitpid(-1)        the reference: raw posix_spawn, then a blocking waitpid(-1) until all are
//                      reaped — no event loop and nothing else to do, but one wake-up per exit,
//                      where an event loop takes many ready exits per wake-up
// Every run is a process of its own (this program with --run, or a worker), so that what one
// implementation leaves behind (memory, a signal handler) cannot weigh on the next. Rounds take
// the implementations in an order shuffled each round; each cell reports its median.
//
//   bench_fleet [--csv FILE] [--table FILE] [--generic PATH] [--sizes N,...] [--rounds R]
//   bench_fleet --run bequest|libuv|waitpid N   one run in this process (what the rounds start)
// --csv writes the summary rows: case "fleet N", median_us and p90_us the delivery time of the
// whole fleet, ratio_to_raw the ratio to the waitpid(-1) reference's median in the same run;
// and case "fleet N one exit": the latency of one exit, the same way. --table
// writes every figure, tab-separated, for bench/plot.gp.

#include <bequest/asio.hpp>
#include <bequest/bequest.hpp>

#include "bench_common.hpp"
#include "fleet_common.hpp"
#include "posix_state.hpp"

#include <asio/io_context.hpp>
#include <uv.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

extern char** environ;  // NOLINT

using namespace bench::posix;
using bench::clock_type;

namespace {

// --- one run in this process ------------------------------------------------------------------

int run_bequest(const std::string& child, std::size_t n) {
  asio::io_context io;
  fleet_run run(n);
  std::vector<bequest::child> children;
  children.reserve(run.children());
  bequest::spawn_options o;
  o.program = child;
  o.in = bequest::stdio::handle(run.go_r);
  o.out = bequest::stdio::handle(run.ready_w);
  for (std::size_t i = 0; i < run.children(); ++i) {
    children.push_back(bequest::spawn(o));
    bequest::async_wait(io, children.back(), [&](std::error_code ec, bequest::exit_status s) {
      if (ec || !s.success()) die("bequest: a child of the fleet failed: " + ec.message());
      run.exited();
    });
  }
  run.spawned();
  io.run();
  run.report();
  return 0;
}

int run_waitpid(const std::string& child, std::size_t n) {
  fleet_run run(n);
  std::string file = child;
  char* args[] = {file.data(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, run.go_r, 0);
  posix_spawn_file_actions_adddup2(&fa, run.ready_w, 1);
  for (std::size_t i = 0; i < run.children(); ++i) {
    pid_t pid;
    if (const int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args, environ); rc != 0) {
      errno = rc;
      die(errno_text("posix_spawn"));
    }
  }
  posix_spawn_file_actions_destroy(&fa);
  run.spawned();
  for (std::size_t i = 0; i < run.children(); ++i) {
    int status;
    if (::waitpid(-1, &status, 0) < 0) die(errno_text("waitpid"));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("waitpid(-1): a child of the fleet failed");
    run.exited();
  }
  run.report();
  return 0;
}

struct uv_fleet {
  fleet_run* run;
};

int run_libuv(const std::string& child, std::size_t n) {
  uv_loop_t* loop = uv_default_loop();
  fleet_run run(n);
  uv_fleet state{&run};
  std::vector<uv_process_t> processes(run.children());
  std::string file = child;
  char* args[] = {file.data(), nullptr};
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_INHERIT_FD;
  stdio[0].data.fd = run.go_r;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = run.ready_w;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  uv_process_options_t o{};
  o.file = file.c_str();
  o.args = args;
  o.stdio = stdio;
  o.stdio_count = 3;
  o.exit_cb = [](uv_process_t* p, int64_t status, int signal) {
    auto* s = static_cast<uv_fleet*>(p->loop->data);
    if (status != 0 || signal != 0) die("libuv: a child of the fleet failed");
    s->run->exited();
    uv_close(reinterpret_cast<uv_handle_t*>(p), nullptr);
  };
  loop->data = &state;
  for (auto& p : processes) {
    if (const int rc = uv_spawn(loop, &p, &o); rc != 0) die(std::string("uv_spawn: ") + uv_strerror(rc));
  }
  run.spawned();
  uv_run(loop, UV_RUN_DEFAULT);
  run.report();
  return 0;
}

// --- the rounds -------------------------------------------------------------------------------

struct figures {
  double delivery_us, cpu_run_us, cpu_delivery_us, fds_per_child, bytes_per_child, spawn_s, one_us;
};

struct impl {
  std::string name;
  std::vector<std::string> command;  // the size is appended
  std::map<std::size_t, std::vector<figures>> runs;
};

figures run_once(const impl& im, std::size_t n) {
  bequest::spawn_options o;
  o.program = im.command.at(0);
  o.args.assign(im.command.begin() + 1, im.command.end());
  o.args.push_back(std::to_string(n));
  bequest::run_options ro;
  ro.capture_err = false;  // a failing run says why on this program's stderr
  const bequest::run_result r = bequest::run(o, ro);
  if (!r.status.success()) die(im.name + ", " + std::to_string(n) + " children: the run failed");
  std::istringstream in(r.out);
  std::string word;
  std::size_t got_n = 0;
  figures f{};
  in >> word >> got_n >> f.delivery_us >> f.cpu_run_us >> f.cpu_delivery_us >> f.fds_per_child >> f.bytes_per_child >>
      f.spawn_s >> f.one_us;
  if (word != "fleet" || got_n != n || !in) die(im.name + ": unexpected output: " + r.out);
  return f;
}

double median_of(const std::vector<figures>& v, double figures::*field) {
  std::vector<double> x;
  for (const auto& f : v) x.push_back(f.*field);
  return bench::quantile(std::move(x), 0.5);
}

std::vector<std::size_t> parse_sizes(const std::string& s) {
  std::vector<std::size_t> v;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(std::stoul(item));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  g_program = "bench_fleet";
  const std::string dir = exe_dir();
  const std::string child = dir + "/fleet_child";
  if (argc == 4 && std::string(argv[1]) == "--run") {
    const std::string which = argv[2];
    const std::size_t n = std::stoul(argv[3]);
    if (which == "bequest") return run_bequest(child, n);
    if (which == "libuv") return run_libuv(child, n);
    if (which == "waitpid") return run_waitpid(child, n);
    die("--run: no implementation named " + which);
  }

  std::string csv_path, table_path, generic;
  std::string sizes_arg = "100,1000,5000";
  int rounds = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--csv" && i + 1 < argc)
      csv_path = argv[++i];
    else if (a == "--table" && i + 1 < argc)
      table_path = argv[++i];
    else if (a == "--generic" && i + 1 < argc)
      generic = argv[++i];
    else if (a == "--sizes" && i + 1 < argc)
      sizes_arg = argv[++i];
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--scale" && i + 1 < argc)
      rounds = std::max(1, static_cast<int>(std::lround(2 * std::atof(argv[++i]))));
    else {
      std::fprintf(stderr,
                   "usage: bench_fleet [--csv FILE] [--table FILE] [--generic PATH] [--sizes N,...] [--rounds R]\n"
                   "       bench_fleet --run bequest|libuv|waitpid N\n");
      return 2;
    }
  }
  const std::vector<std::size_t> sizes = parse_sizes(sizes_arg);
  const std::size_t largest = *std::max_element(sizes.begin(), sizes.end());

  // The runs inherit this limit; each raises its soft limit as far as it needs.
  raise_fd_limit(fleet_fd_need(largest));
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  std::printf("RLIMIT_NOFILE: soft %llu, hard %llu (the largest fleet, %zu children, may need %zu)\n",
              static_cast<unsigned long long>(lim.rlim_cur), static_cast<unsigned long long>(lim.rlim_max), largest,
              fleet_fd_need(largest));

  std::vector<impl> impls;
  impls.push_back({"bequest", {dir + "/bench_fleet", "--run", "bequest"}, {}});
  if (!generic.empty()) impls.push_back({"bequest (SIGCHLD)", {generic, "--run", "bequest"}, {}});
  impls.push_back({"libuv", {dir + "/bench_fleet", "--run", "libuv"}, {}});
  impls.push_back({"boost.process v2", {dir + "/boost_v2_worker", "fleet", child}, {}});
  impls.push_back({"python asyncio", {BENCH_PYTHON3, BENCH_FLEET_PYTHON_SCRIPT, child}, {}});
  impls.push_back({"waitpid(-1)", {dir + "/bench_fleet", "--run", "waitpid"}, {}});

  const auto t0 = clock_type::now();
  bench::round_order order(impls.size());
  for (int r = 0; r < rounds; ++r) {
    for (const std::size_t n : sizes) {
      std::printf("round %d, %zu children:", r + 1, n);
      for (const std::size_t i : order.next()) {
        const figures f = run_once(impls[i], n);
        impls[i].runs[n].push_back(f);
        std::printf("  %s %.1f ms", impls[i].name.c_str(), f.delivery_us / 1000);
        std::fflush(stdout);
      }
      std::printf("\n");
    }
  }
  std::printf("all rounds: %.0f s\n\n", bench::seconds_since(t0));

  auto delivery_median = [&](const char* name, std::size_t n) -> double {
    for (const auto& im : impls) {
      if (im.name == name) return median_of(im.runs.at(n), &figures::delivery_us);
    }
    return NAN;
  };
  auto libuv_delivery = [&](std::size_t n) { return delivery_median("libuv", n); };
  std::printf("%-18s %6s %12s %10s %8s %8s %9s %11s %9s %9s %10s %8s\n", "impl", "N", "delivery_ms", "us/child",
              "/waitpid", "/libuv", "one_us", "cpu_run_ms", "cpu_del", "fds/child", "KiB/child", "spawn_s");
  std::vector<bench::row> rows, one_rows;
  auto one_median = [&](const char* name, std::size_t n) -> double {
    for (const auto& im : impls) {
      if (im.name == name) return median_of(im.runs.at(n), &figures::one_us);
    }
    return NAN;
  };
  for (const std::size_t n : sizes) {
    for (const auto& im : impls) {
      const auto& v = im.runs.at(n);
      std::vector<double> delivery;
      for (const auto& f : v) delivery.push_back(f.delivery_us);
      bench::row row{"fleet " + std::to_string(n), im.name, bench::quantile(delivery, 0.5),
                     bench::quantile(delivery, 0.9), std::nullopt};
      row.ratio_to_raw = row.median_us / delivery_median("waitpid(-1)", n);
      rows.push_back(row);
      std::vector<double> one;
      for (const auto& f : v) one.push_back(f.one_us);
      one_rows.push_back({"fleet " + std::to_string(n) + " one exit", im.name, bench::quantile(one, 0.5),
                          bench::quantile(one, 0.9), bench::quantile(one, 0.5) / one_median("waitpid(-1)", n)});
      const double cpu_run = median_of(v, &figures::cpu_run_us), cpu_del = median_of(v, &figures::cpu_delivery_us);
      const double fds = median_of(v, &figures::fds_per_child), bytes = median_of(v, &figures::bytes_per_child);
      std::printf("%-18s %6zu %12.2f %10.2f %8.3f %8.3f %9.1f %11.1f %9.1f %9.2f %10.1f %8.2f\n", im.name.c_str(), n,
                  row.median_us / 1000, row.median_us / static_cast<double>(n), *row.ratio_to_raw,
                  row.median_us / libuv_delivery(n), median_of(v, &figures::one_us), cpu_run / 1000, cpu_del / 1000,
                  fds, bytes / 1024, median_of(v, &figures::spawn_s));
    }
  }
  // For bench/plot.gp: one block per implementation (its name heads the first column), blocks
  // two blank lines apart, so that gnuplot draws a line per implementation with `index`.
  std::FILE* table = table_path.empty() ? nullptr : std::fopen(table_path.c_str(), "w");
  if (!table_path.empty() && !table) die(errno_text(("write " + table_path).c_str()));
  for (std::size_t i = 0; table && i < impls.size(); ++i) {
    std::fprintf(table,
                 "%s%s\tN\tdelivery_us\tdelivery_us_per_child\tcpu_run_us_per_child\tcpu_delivery_us\tfds_per_"
                 "child\tbytes_per_child\tone_exit_us\n",
                 i ? "\n\n" : "", impls[i].name.c_str());
    for (const std::size_t n : sizes) {
      const auto& v = impls[i].runs.at(n);
      const double d = median_of(v, &figures::delivery_us);
      std::fprintf(table, "-\t%zu\t%.1f\t%.3f\t%.3f\t%.1f\t%.3f\t%.0f\t%.1f\n", n, d, d / static_cast<double>(n),
                   median_of(v, &figures::cpu_run_us) / static_cast<double>(n), median_of(v, &figures::cpu_delivery_us),
                   median_of(v, &figures::fds_per_child), median_of(v, &figures::bytes_per_child),
                   median_of(v, &figures::one_us));
    }
  }
  if (table && std::fclose(table) != 0) die(errno_text(("write " + table_path).c_str()));

  // The goals: bequest's delivery cost per child flat in N, and a fifth of libuv's at the most.
  auto delivery_of = [&](const std::string& name, std::size_t n) -> std::optional<double> {
    for (const auto& im : impls) {
      if (im.name == name && im.runs.count(n)) return median_of(im.runs.at(n), &figures::delivery_us);
    }
    return std::nullopt;
  };
  const std::size_t smallest = *std::min_element(sizes.begin(), sizes.end());
  std::printf("\ngoals:\n");
  for (const char* name : {"bequest", "bequest (SIGCHLD)"}) {
    const auto lo = delivery_of(name, smallest), hi = delivery_of(name, largest);
    if (!lo || !hi) continue;
    const double growth = (*hi / static_cast<double>(largest)) / (*lo / static_cast<double>(smallest));
    std::printf("  %-18s delivery per child at %zu / at %zu: %.2f (goal <= 1.5: %s)\n", name, largest, smallest, growth,
                growth <= 1.5 ? "met" : "MISSED");
  }
  if (const auto b = delivery_of("bequest", largest)) {
    const double ratio = *b / libuv_delivery(largest);
    std::printf("  bequest / libuv delivery at %zu: %.3f (goal <= 0.2: %s)\n", largest, ratio,
                ratio <= 0.2 ? "met" : "MISSED");
  }
  if (const auto b = delivery_of("bequest", largest)) {
    (void)b;
    const double ratio = one_median("bequest", largest) / one_median("libuv", largest);
    std::printf("  bequest / libuv latency of one exit among %zu: %.3f\n", largest, ratio);
  }
  rows.insert(rows.end(), one_rows.begin(), one_rows.end());
  if (!csv_path.empty() && !bench::write_csv(csv_path, rows)) die(errno_text(("write " + csv_path).c_str()));
  return 0;
}
