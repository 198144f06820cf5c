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
