// SPDX-License-Identifier: BSL-1.0
// The comparison's Boost.Process v2 peer under Wine: boost/process/v2 from Boost 1.81's headers
// (Debian's libboost1.81-dev, unpacked into the build tree), built with mingw-w64, header-only
// (v2's default; BOOST_PROCESS_V2_SEPARATE_COMPILATION would need its src.hpp in one file) and
// with std::filesystem (BOOST_PROCESS_USE_STD_FS). Used as its documentation shows: process +
// process_stdio with Asio pipes (harness_win32.hpp has the scenarios).
//
//   compare_boost_v2_win32 PROBE SCRATCH_DIR [SCENARIO]   prints PEER<TAB>SCENARIO<TAB>CELL lines

// Boost 1.81's v2 with BOOST_PROCESS_USE_STD_FS names these without including them (as on
// Linux: compare_boost_v2.cpp).
#include <boost/optional.hpp>
#include <boost/type_traits/conditional.hpp>
#include <boost/type_traits/decay.hpp>
#include <boost/type_traits/is_constructible.hpp>
#include <boost/type_traits/is_convertible.hpp>
#include <boost/type_traits/remove_pointer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>

// After Asio: winsock2.h must come before the windows.h that the harness includes.
#include "harness_win32.hpp"

#include <optional>

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

std::vector<std::wstring> wide_args(const std::vector<std::string>& args) {
  std::vector<std::wstring> v;
  for (const auto& a : args) v.push_back(wide(a));
  return v;
}

peer boost_v2_peer() {
  peer p;
  p.name = "boost.process v2";
  p.no_listing = "v2 has no way to pass one on Windows: bind_fd is POSIX only";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, HANDLE) {
    asio::io_context ctx;
    asio::readable_pipe out(ctx);
    bp2::process c(ctx, std::filesystem::path(wide(program)), wide_args(args), bp2::process_stdio{{}, out, {}});
    std::string text = read_all(out);
    c.wait();
    return text;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    asio::io_context ctx;
    asio::writable_pipe in(ctx);
    asio::readable_pipe out(ctx), err(ctx);
    bp2::process c(ctx, std::filesystem::path(wide(program)), wide_args(args), bp2::process_stdio{in, out, err});
    std::vector<std::string> names{pipe_name(in.native_handle()), pipe_name(out.native_handle()),
                                   pipe_name(err.native_handle())};
    in.close();
    read_all(out);
    read_all(err);
    c.wait();
    return names;
  };
  // The documented way to start a program by name is environment::find_executable, but 1.81's
  // environment.hpp does not compile for Windows (process_environment's initializer-list
  // constructors pass a string literal where build_env takes an enable_if pointer), so the name
  // goes to process as is, which hands it to CreateProcessW as lpApplicationName.
  p.bare_note =
      "environment::find_executable does not compile for Windows in 1.81 (environment.hpp), so the "
      "name was given to process as is";
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    asio::io_context ctx;
    boost::system::error_code ec;
    auto c = bp2::default_process_launcher()(ctx, ec, std::filesystem::path(wide(name)), wide_args(args));
    if (ec) return ec.message();
    c.wait(ec);
    return std::string();
  };
  return p;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: compare_boost_v2_win32 PROBE SCRATCH_DIR [SCENARIO]\n");
    return 2;
  }
  const peer p = boost_v2_peer();
  run_all(p, make_setup(narrow(argv[1]), narrow(argv[2]), p.name), argc == 4 ? narrow(argv[3]) : "");
  return 0;
}
