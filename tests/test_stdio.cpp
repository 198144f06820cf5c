// SPDX-License-Identifier: BSL-1.0
#include "common.hpp"

#include <fstream>
#include <sstream>

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("stdout and stderr pipes are separate", "[stdio]") {
  auto o = t::probe({"print", "to-out", "eprint", "to-err"});
  o.out = bequest::stdio::pipe();
  o.err = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  CHECK(c.out().read_all() == "to-out");
  CHECK(c.err().read_all() == "to-err");
  CHECK(c.wait().success());
}

TEST_CASE("stdin pipe carries data and closing it sends end of file", "[stdio]") {
  auto o = t::probe({"cat"});
  o.in = bequest::stdio::pipe();
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  c.in().write_all("hello\nworld\n");
  c.in().reset();
  CHECK(c.out().read_all() == "hello\nworld\n");
  CHECK(c.wait().success());
}

TEST_CASE("stderr can go to the same place as stdout", "[stdio]") {
  auto o = t::probe({"print", "a", "eprint", "b", "print", "c"});
  o.err = bequest::stdio::to_stdout();
  CHECK(t::output_of(o) == "abc");
}

TEST_CASE("null stdio reads nothing and discards output", "[stdio]") {
  auto o = t::probe({"cat"});
  o.in = bequest::stdio::null();
  CHECK(t::output_of(o).empty());
  auto quiet = t::probe({"print", "lost", "eprint", "lost too"});
  quiet.out = bequest::stdio::null();
  quiet.err = bequest::stdio::null();
  CHECK(bequest::spawn(quiet).wait().success());
}

TEST_CASE("file stdio truncates, appends and reads", "[stdio]") {
  const std::string path = support::temp_dir() + "/stdio-file.txt";
  auto o = t::probe({"print", "first"});
  o.out = bequest::stdio::file(path);
  REQUIRE(bequest::spawn(o).wait().success());
  CHECK(slurp(path) == "first");
  o.args = {"print", "+second"};
  o.out = bequest::stdio::file(path, bequest::file_mode::append);
  REQUIRE(bequest::spawn(o).wait().success());
  CHECK(slurp(path) == "first+second");
  o.out = bequest::stdio::file(path);  // truncate again
  o.args = {"print", "third"};
  REQUIRE(bequest::spawn(o).wait().success());
  CHECK(slurp(path) == "third");
  auto reader = t::probe({"cat"});
  reader.in = bequest::stdio::file(path);
  CHECK(t::output_of(reader) == "third");
}

TEST_CASE("an existing handle can serve as stdout and stays open in the parent", "[stdio]") {
  bequest::pipe_ends p = bequest::make_pipe();
  auto o = t::probe({"print", "via handle"});
  o.out = bequest::stdio::handle(p.write.get());
  bequest::child c = bequest::spawn(o);
  CHECK(c.wait().success());
  p.write.reset();  // the caller's handle: still ours to close
  CHECK(p.read.read_all() == "via handle");
}

TEST_CASE("large output through a pipe arrives whole", "[stdio]") {
  auto o = t::probe({"flood", "8388608"});
  CHECK(t::output_of(o).size() == 8388608u);
}

TEST_CASE("writing to a child that is gone fails cleanly instead of killing us", "[stdio]") {
  auto o = t::probe({"exit", "0"});
  o.in = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  REQUIRE(c.wait().success());
  std::error_code ec;
  c.in().write_all(std::string(1 << 20, 'x'), ec);
  CHECK(ec);
}

TEST_CASE("a child that closes or replaces its stdio while it runs: end of file and a broken pipe, no hang, no SIGPIPE",
          "[stdio][faults]") {
  for (const char* mode : {"close-stdio", "null-stdio"}) {
    INFO(mode);
    auto o = t::probe({"print", "before", mode, "sleep", "60000"});
    o.in = bequest::stdio::pipe();
    o.out = bequest::stdio::pipe();
    o.err = bequest::stdio::pipe();
    bequest::child c = bequest::spawn(o);
    // End of file although the child still runs: it held the pipes' only other ends.
    CHECK(c.out().read_all() == "before");
    CHECK(c.err().read_all().empty());
    CHECK_FALSE(c.try_wait());
    // Its stdin has no reader any more: writing fails (POSIX: EPIPE, not a SIGPIPE that would
    // end this process), and the child is untouched.
    std::error_code ec;
    c.in().write_all(std::string(1 << 20, 'x'), ec);
    CHECK(ec == std::errc::broken_pipe);
    CHECK_FALSE(c.try_wait());
    c.kill();
    c.wait();
  }
  // run() feeding a child that closes its input unread, then exits with a code of its own.
  bequest::run_options ro;
  ro.input = std::string(4u << 20, 'x');
  const auto r = bequest::run(t::probe({"print", "bye", "close-stdio", "sleep", "200", "exit", "3"}), ro);
  CHECK(r.status.code() == 3);
  CHECK(r.out == "bye");
  CHECK(r.err.empty());
}

TEST_CASE("a standard stream the parent has closed stays closed in the child, even if filled meanwhile",
          "[stdio][posix-only]") {
  // The output pipe is made first, so that nothing the spawn opens takes the hole before the
  // hook (another thread, in real life) fills it.
  bequest::pipe_ends p = bequest::make_pipe();
  std::string listing;
  support::stdin_closed_then_filled hole;
  {
    auto o = t::probe({"fds"});
    o.out = bequest::stdio::handle(p.write.get());
    bequest::child c = bequest::spawn(o);
    p.write.reset();
    listing = p.read.read_all();
    CHECK(c.wait().success());
  }
  INFO("the child's fds:\n" << listing << "filled during the spawn: fd " << hole.fd() << " " << hole.tag());
  REQUIRE(hole.fd() == 0);  // the hook did fill the hole, at the stream's number
  CHECK_FALSE(t::mentions(listing, hole.tag()));
  for (const auto& line : t::lines(listing)) CHECK(line.rfind("0\t", 0) != 0);
}
