// SPDX-License-Identifier: BSL-1.0
// The README's example, whole: a parent passes the write end of a pipe to a child under
// the name "results"; the child (this same program, run with "child") finds it by name and
// writes its answer. The child receives that pipe end, its stdio, and nothing else.
#include <bequest/bequest.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "child") {
    const auto results = bequest::inherited_handle("results");
    if (!results) return 2;
    bequest::unique_handle(*results).write_all("42");
    return 0;
  }

  bequest::pipe_ends pipe = bequest::make_pipe();
  bequest::spawn_options o;
  o.program = argv[0];
  o.args = {"child"};
  o.inherit = {{"results", pipe.write.get()}};
  bequest::child c = bequest::spawn(o);
  pipe.write.reset();  // the child now holds the only write end: read_all() sees end of file
  const std::string answer = pipe.read.read_all();
  const bequest::exit_status s = c.wait();
  std::printf("the child %s and wrote \"%s\"\n", s.to_string().c_str(), answer.c_str());
  return s.success() && answer == "42" ? 0 : 1;
}
