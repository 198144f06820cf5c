// SPDX-License-Identifier: BSL-1.0
// Boost.Process v2 (boost/process/v2, Boost 1.81's headers) for the benchmarks, in a process of
// its own: the project builds against Debian's Boost 1.74, whose Boost.Process is v1, and two
// Boost versions must not meet in one program. bench/CMakeLists.txt builds this file with the
// 1.81 headers that ./dev.sh unpacks into the build tree.
//
//   boost_v2_worker spawn TINY_CHILD    bench_spawn's worker protocol (spawn_python.py):
//                                       "state RESIDENT_BYTES EXTRA_FDS", "run THREADS N", "quit"
//   boost_v2_worker fleet FLEET_CHILD N one run of bench_fleet: N children, each awaited with
//                                       process::async_wait on one io_context

#include "fleet_common.hpp"
#include "posix_state.hpp"

// Boost 1.81's v2 with BOOST_PROCESS_USE_STD_FS (std::filesystem, as the 1.81 Boost.Filesystem
// library is not installed) names boost::optional, boost::decay and boost::is_convertible
// without including them, which Boost.Filesystem's headers otherwise bring in.
#include <boost/optional.hpp>
#include <boost/type_traits/decay.hpp>
#include <boost/type_traits/is_convertible.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <boost/version.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace bp2 = boost::process::v2;
using namespace bench::posix;
using bench::clock_type;

namespace {

static_assert(BOOST_VERSION >= 108000, "boost_v2_worker needs Boost.Process v2 (Boost 1.80 or later)");

void spawn_once(boost::asio::io_context& ctx, const std::string& child) {
  bp2::process p(ctx, child, {});
  if (p.wait() != 0) die("boost.process v2: the child did not exit with 0");
}

std::string run(const std::string& child, int threads, std::size_t n) {
  std::ostringstream out;
  if (threads == 1) {
    boost::asio::io_context ctx;
    for (std::size_t i = 0; i < n; ++i) {
      const auto t0 = clock_type::now();
      spawn_once(ctx, child);
      out << (i ? " " : "") << std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count();
    }
    return out.str();
  }
  const auto t0 = clock_type::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      boost::asio::io_context ctx;  // one per thread, as each thread of a program would have
      for (std::size_t i = 0; i < n; ++i) spawn_once(ctx, child);
    });
  }
  for (auto& t : pool) t.join();
  out << std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - t0).count() /
             static_cast<long long>(n * static_cast<std::size_t>(threads));
  return out.str();
}

int serve(const std::string& child) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command.empty() || command == "quit") return 0;
    if (command == "state") {
      std::size_t resident = 0, fds = 0;
      in >> resident >> fds;
      grow_resident(resident);
      set_extra_fds(fds);
      std::cout << "ok" << std::endl;
    } else if (command == "run") {
      int threads = 1;
      std::size_t n = 1;
      in >> threads >> n;
      std::cout << run(child, threads, n) << std::endl;
    } else {
      std::cout << "error unknown command " << line << std::endl;
    }
  }
  return 0;
}

int fleet(const std::string& child, std::size_t n) {
  boost::asio::io_context ctx;
  fleet_run run(n);
  std::vector<std::unique_ptr<bp2::process>> children;
  children.reserve(run.children());
  for (std::size_t i = 0; i < run.children(); ++i) {
    children.push_back(std::make_unique<bp2::process>(ctx, child, std::vector<std::string>{},
                                                      bp2::process_stdio{run.go_r, run.ready_w, {}}));
    children.back()->async_wait([&](boost::system::error_code ec, int code) {
      if (ec || code != 0) die("boost.process v2: a child of the fleet failed: " + ec.message());
      run.exited();
    });
  }
  run.spawned();
  ctx.run();
  run.report();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_program = "boost_v2_worker";
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "spawn" && argc == 3) return serve(argv[2]);
  if (mode == "fleet" && argc == 4) return fleet(argv[2], std::stoul(argv[3]));
  std::fprintf(stderr, "usage: boost_v2_worker spawn TINY_CHILD | fleet FLEET_CHILD N\n");
  return 2;
}
