// SPDX-License-Identifier: BSL-1.0
// The comparison's Boost.Process v2 peer (boost/process/v2 from Boost 1.81's headers, in a
// program of its own: bench/CMakeLists.txt says why), used as its documentation shows:
// process + process_stdio with Asio pipes, posix::bind_fd for a listed descriptor.
//
//   compare_boost_v2 PROBE SCRATCH_DIR [SCENARIO]   prints PEER<TAB>SCENARIO<TAB>CELL lines

#include "harness.hpp"

// Boost 1.81's v2 with BOOST_PROCESS_USE_STD_FS names these (boost::remove_pointer in
// environment.hpp) without including them
// (bench/boost_v2_worker.cpp).
#include <boost/optional.hpp>
#include <boost/type_traits/decay.hpp>
#include <boost/type_traits/is_convertible.hpp>
#include <boost/type_traits/remove_pointer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/environment.hpp>
#include <boost/process/v2/posix/bind_fd.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

namespace {

using namespace comparison;
namespace bp2 = boost::process::v2;
namespace asio = boost::asio;

std::string read_all(asio::readable_pipe& p) {
  std::string out;
  boost::system::error_code ec;
  asio::read(p, asio::dynamic_buffer(out), ec);
  return out;
}

struct v2_sleeper : killable {
  asio::io_context ctx;
  std::optional<bp2::process> p;
  pid_t pid() const override { return p->id(); }
  std::string kill() override {
    boost::system::error_code ec;
    p->terminate(ec);
    return ec ? ec.message() : "";
  }
};

peer boost_v2_peer() {
  peer p;
  p.name = "boost.process v2";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, int listed) {
    asio::io_context ctx;
    asio::readable_pipe out(ctx);
    std::optional<bp2::process> c;
    if (listed >= 0)
      c.emplace(ctx, program, args, bp2::process_stdio{{}, out, {}}, bp2::posix::bind_fd(3, listed));
    else
      c.emplace(ctx, program, args, bp2::process_stdio{{}, out, {}});
    std::string text = read_all(out);
    c->wait();
    return text;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    asio::io_context ctx;
    asio::writable_pipe in(ctx);
    asio::readable_pipe out(ctx), err(ctx);
    bp2::process c(ctx, program, args, bp2::process_stdio{in, out, err});
    std::vector<std::string> ids{fd_target(in.native_handle()), fd_target(out.native_handle()),
                                 fd_target(err.native_handle())};
    in.close();
    read_all(out);
    c.wait();
    return ids;
  };
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    // The documented way to start a program by name: look it up with environment::find_executable.
    const auto exe = bp2::environment::find_executable(name);
    if (exe.empty()) return std::string("find_executable found nothing");
    asio::io_context ctx;
    boost::system::error_code ec;
    bp2::process c(ctx, exe, args);
    c.wait(ec);
    return std::string();
  };
  p.start_sleeper = [](const std::string& program) -> std::unique_ptr<killable> {
    auto k = std::make_unique<v2_sleeper>();
    k->p.emplace(k->ctx, program, std::vector<std::string>{"sleep"});
    return k;
  };
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: compare_boost_v2 PROBE SCRATCH_DIR [SCENARIO]\n");
    return 2;
  }
  const peer p = boost_v2_peer();
  run_all(p, make_setup(argv[1], argv[2], p.name), argc == 4 ? argv[3] : "");
  return 0;
}
