// SPDX-License-Identifier: BSL-1.0
// Starts itself as a child that inherits one pipe end by name, and reads what it wrote.
#include <bequest/bequest.hpp>

#include <fmt/format.h>

#include <string>

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "child") {
    const auto report = bequest::inherited_handle("report");
    if (!report) return 3;
    bequest::unique_handle(*report).write_all("hello");
    return 0;
  }
  bequest::pipe_ends pipe = bequest::make_pipe();
  bequest::spawn_options options;
  options.program = argv[0];
  options.args = {"child"};
  options.inherit = {{"report", pipe.write.get()}};
  bequest::child child = bequest::spawn(options);
  pipe.write.reset();
  const std::string text = pipe.read.read_all();
  const bequest::exit_status status = child.wait();
  fmt::print("bequest {}: child {}, wrote \"{}\"\n", BEQUEST_VERSION_STRING, status, text);
  return status.success() && text == "hello" ? 0 : 1;
}
