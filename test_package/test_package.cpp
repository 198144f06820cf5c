// SPDX-License-Identifier: BSL-1.0
// Starts itself as a child that inherits one pipe end by name, and reads what it wrote; with
// the asio component, waits for a second child through <bequest/asio.hpp>. Uses nothing of
// fmt: a package consumer does not need it.
#include <bequest/bequest.hpp>
#ifdef BEQUEST_TEST_ASIO
#  include <bequest/asio.hpp>

#  include <asio.hpp>
#endif

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "child") {
    const auto report = bequest::inherited_handle("report");
    if (!report) return 3;
    bequest::unique_handle(*report).write_all("hello");
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "exit7") return 7;

  bequest::pipe_ends pipe = bequest::make_pipe();
  bequest::spawn_options options;
  options.program = argv[0];
  options.args = {"child"};
  options.inherit = {{"report", pipe.write.get()}};
  bequest::child child = bequest::spawn(options);
  pipe.write.reset();
  const std::string text = pipe.read.read_all();
  const bequest::exit_status status = child.wait();
  bool ok = status.success() && text == "hello";
  std::printf("test_package: bequest %s: child %s, wrote \"%s\"\n", BEQUEST_VERSION_STRING, status.to_string().c_str(),
              text.c_str());

  // The package's shared option reached the program (BEQUEST_SHARED selects dllimport on Windows).
#if defined(BEQUEST_TEST_SHARED) != defined(BEQUEST_SHARED)
  std::puts("test_package: BEQUEST_SHARED does not match the package's shared option");
  ok = false;
#endif

#ifdef BEQUEST_TEST_ASIO
  asio::io_context io;
  bequest::spawn_options exit7;
  exit7.program = argv[0];
  exit7.args = {"exit7"};
  bequest::child second = bequest::spawn(exit7);
  int code = -1;
  bequest::async_wait(io, second,
                      [&](std::error_code ec, bequest::exit_status s) { code = ec ? -2 : s.code().value_or(-3); });
  io.run();
  std::printf("test_package: bequest::asio: async_wait saw exit code %d\n", code);
  ok = ok && code == 7;
#endif
  std::puts(ok ? "test_package: ok" : "test_package: FAILED");
  return ok ? 0 : 1;
}
