// SPDX-License-Identifier: BSL-1.0
// Bad input: a clear error that names what was wrong, and nothing left behind.
#include "common.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

using t::expect_failure;
using t::mentions;

TEST_CASE("an empty program is refused", "[errors]") {
  t::handle_count_guard guard;
  bequest::spawn_options o;
  const auto f = expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "program is empty"));
}

TEST_CASE("a NUL inside program, argument or environment entry is refused and named", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({"fine", std::string("bad\0arg", 7)});
  auto f = expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "args[1]"));
  o = t::probe({});
  o.program += std::string("\0x", 2);
  CHECK(mentions(expect_failure(o).message, "program contains a NUL"));
  o = t::probe({});
  o.env = bequest::environment::inherit().set("GOOD", "1").set("BAD", std::string("a\0b", 3));
  f = expect_failure(o);
  CHECK(mentions(f.message, "env change 1"));
  CHECK(mentions(f.message, "\"BAD\""));
}

TEST_CASE("'=' or nothing as an environment name is refused", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.env = bequest::environment::inherit().set("A=B", "1");
  CHECK(mentions(expect_failure(o).message, "contains '='"));
  o.env = bequest::environment::inherit().unset("");
  CHECK(mentions(expect_failure(o).message, "name is empty"));
}

TEST_CASE("a missing program is an error that names it", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = support::missing_path();
  const auto f = expect_failure(o);
  CHECK(f.code == std::errc::no_such_file_or_directory);
  CHECK(mentions(f.message, o.program));
}

TEST_CASE("a program found nowhere on PATH names PATH", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = "bequest-no-such-program-anywhere";
  const auto f = expect_failure(o);
  CHECK(f.code == std::errc::no_such_file_or_directory);
  CHECK(mentions(f.message, "PATH"));
  CHECK(mentions(f.message, o.program));
}

TEST_CASE("a file that is not a program is refused", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = support::make_non_executable(support::temp_dir(), "not-a-program" + support::exe_suffix());
  const auto f = expect_failure(o);
  CHECK(mentions(f.message, "not-a-program"));
}

TEST_CASE("a directory as program is refused", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = support::temp_dir();
  const auto f = expect_failure(o);
  CHECK(f.code == std::errc::is_a_directory);
  CHECK(mentions(f.message, "directory"));
}

TEST_CASE("a missing cwd, or a cwd that is a file, is refused and named", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.cwd = support::missing_path();
  auto f = expect_failure(o);
  CHECK(f.code == std::errc::no_such_file_or_directory);
  CHECK(mentions(f.message, "cwd"));
  o.cwd = support::probe_path();
  f = expect_failure(o);
  CHECK(f.code == std::errc::not_a_directory);
}

TEST_CASE("a NUL inside a path is refused and the field named, never truncated", "[errors]") {
  t::handle_count_guard guard;
  const std::string dir = support::temp_dir();
  auto o = t::probe({"cwd"});
  // Truncated at the NUL, this cwd would be an existing directory and the spawn would run.
  o.cwd = std::filesystem::u8path(dir + std::string("\0/no/such/dir", 14));
  auto f = expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "cwd contains a NUL"));
  o = t::probe({"print", "x"});
  const std::string out = dir + "/nul-in-path.txt";
  std::filesystem::remove(std::filesystem::u8path(out));
  o.out = bequest::stdio::file(std::filesystem::u8path(out + std::string("\0.ignored", 9)));
  f = expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "stdout"));
  CHECK(mentions(f.message, "NUL"));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::u8path(out)));
}

TEST_CASE("a closed handle in inherit is refused and the entry named", "[errors]") {
  t::handle_count_guard guard;
  bequest::native_handle stale;
  {
    bequest::pipe_ends p = bequest::make_pipe();
    stale = p.read.get();
  }  // closed here
  auto o = t::probe({});
  support::canary fine = support::make_canary("fine");
  o.inherit = {{"fine", fine.handle.get()}, {"stale", stale}};
  const auto f = expect_failure(o);
  CHECK(mentions(f.message, "inherit[1] \"stale\""));
}

TEST_CASE("an empty handle in inherit is refused", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.inherit = {{"empty", bequest::invalid_native_handle}};
  CHECK(mentions(expect_failure(o).message, "inherit[0] \"empty\""));
}

TEST_CASE("the same handle listed twice is refused and both entries named", "[errors]") {
  t::handle_count_guard guard;
  support::canary a = support::make_canary("twice");
  auto o = t::probe({});
  o.inherit = {{"first", a.handle.get()}, {"second", a.handle.get()}};
  const auto f = expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "inherit[1] \"second\""));
  CHECK(mentions(f.message, "inherit[0] \"first\""));
}

TEST_CASE("bad, reserved and repeated inherit names are refused", "[errors]") {
  t::handle_count_guard guard;
  support::canary a = support::make_canary("names");
  support::canary b = support::make_canary("names");
  auto o = t::probe({});
  for (const std::string& bad :
       std::vector<std::string>{"", "has space", "semi;colon", "eq=ual", "bequest.startup", std::string(65, 'n')}) {
    o.inherit = {{bad, a.handle.get()}};
    INFO(bad);
    CHECK(mentions(expect_failure(o).message, "inherit[0]"));
  }
  o.inherit = {{"same", a.handle.get()}, {"same", b.handle.get()}};
  CHECK(mentions(expect_failure(o).message, "already used by inherit[0]"));
}

TEST_CASE("an unknown {handle:NAME} is refused and the argument named", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({"ok", "--fd={handle:nope}"});
  o.substitute_handles = true;
  const auto f = expect_failure(o);
  CHECK(mentions(f.message, "args[1]"));
  CHECK(mentions(f.message, "nope"));
}

TEST_CASE("running out of handles is a clear error and spawning recovers", "[errors][faults]") {
  t::handle_count_guard guard;
  const std::vector<std::string> helper_before = support::helper_handles();
  auto o = t::probe({"print", "x"});
  o.out = bequest::stdio::pipe();
  {
    support::handle_exhaustion exhausted;
    const auto f = expect_failure(o);
    CHECK(f.code == support::out_of_handles_error());
    CHECK(mentions(f.message, "stdout pipe"));
  }
  CHECK(support::helper_handles() == helper_before);
  CHECK(t::output_of(o) == "x");
}

// Every handle a spawn makes, one after another, is the one that fails: a spawn with a
// stdin file, a stdout pipe, stderr to the null device, two inherited handles, start-up data,
// its own process tree and kill_on_parent_exit makes each kind there is. Each failure must be
// the exhaustion error with a message that says what was being made, and leave nothing: not
// in this process, not in the helper (Windows), no child.
TEST_CASE("running out of handles at each step of a spawn leaves nothing behind, and then a spawn succeeds",
          "[errors][faults]") {
  const std::string input = support::temp_dir() + "/exhaustion-input.txt";
  std::ofstream(input) << "in";
  support::canary first = support::make_canary("bqcanary");
  support::canary second = support::make_canary("bqcanary");
  auto make = [&] {
    auto o = t::probe({"print", "x"});
    o.in = bequest::stdio::file(input);
    o.out = bequest::stdio::pipe();
    o.err = bequest::stdio::null();
    o.inherit = {{"first", first.handle.get()}, {"second", second.handle.get()}};
    o.startup_data = std::string("start-up data");
    o.process_tree = true;
    o.kill_on_parent_exit = true;
    return o;
  };
  // What kill_on_parent_exit makes once per process (Windows: its job) exists before counting.
  CHECK(t::output_of(make()) == "x");

  t::handle_count_guard guard;
  const std::vector<std::string> ours_before = support::open_handles();
  const std::vector<std::string> helper_before = support::helper_handles();
  int failures = 0;
  bool started = false;
  std::string steps;
  constexpr int bound = 64;  // far more handles than one spawn makes
  for (int spare = 0; spare < bound && !started; ++spare) {
    const auto o = make();
    std::error_code ec;
    std::string message;
    bequest::child c;
    {
      support::handle_exhaustion exhausted(spare);
      c = bequest::spawn(o, ec, message);
    }
    if (!ec) {
      started = true;
      CHECK(c.out().read_all() == "x");
      CHECK(c.wait().success());
      break;
    }
    ++failures;
    steps += "\n  " + std::to_string(spare) + ": " + message;
    INFO("with " << spare << " handles to spare: " << message);
    CHECK(ec == support::out_of_handles_error());
    CHECK_FALSE(c.valid());
    // "spawn \"PROGRAM\": WHAT: WHY", where WHAT names the step.
    CHECK(message.find("\": ") != std::string::npos);
    CHECK(support::open_handles() == ours_before);
    CHECK(support::helper_handles() == helper_before);
  }
  std::printf("exhaustion sweep: %d failed spawns, then one started:%s\n", failures, steps.c_str());
  CHECK(started);
  CHECK(failures >= 5);  // at least the file, the pipe, the null device, the start-up data and the job or pidfd
}

TEST_CASE("an argument list beyond the system limit points to startup_data", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  // 64 x 64 KiB: past both Linux's ARG_MAX (2 MiB here) and Windows' 32767-character command line.
  o.args.assign(64, std::string(65536, 'a'));
  const auto f = expect_failure(o);
  CHECK(mentions(f.message, "startup_data"));
}

TEST_CASE("posix.new_session is honoured on POSIX and refused by name on Windows", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.posix.new_session = true;
  o.args = {"pgroup"};
  if (support::exe_suffix().empty()) {
    // POSIX: honoured. A session leader also leads a process group of its own.
    CHECK(t::output_of(o) == "own\n");
  } else {
    // Windows has no POSIX sessions: refused by name, not ignored.
    const auto f = expect_failure(o);
    CHECK(f.code == std::errc::not_supported);
    CHECK(mentions(f.message, "posix.new_session"));
  }
}

TEST_CASE("stdio mistakes are named: missing input file, empty handle, stdout to stdout", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.in = bequest::stdio::file(support::missing_path());
  auto f = expect_failure(o);
  CHECK(mentions(f.message, "stdin"));
  CHECK(mentions(f.message, "nothing-here"));
  o.in = bequest::stdio::inherit();
  o.out = bequest::stdio::handle(bequest::invalid_native_handle);
  CHECK(mentions(expect_failure(o).message, "stdout"));
  o.out = bequest::stdio::to_stdout();
  CHECK(mentions(expect_failure(o).message, "only for stderr"));
}

TEST_CASE("the throwing form throws bequest::error with the same message", "[errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = support::missing_path();
  std::error_code ec;
  std::string message;
  (void)bequest::spawn(o, ec, message);
  try {
    (void)bequest::spawn(o);
    FAIL("spawn did not throw");
  } catch (const bequest::error& e) {
    CHECK(e.code() == ec);
    CHECK(std::string(e.what()) == message);
    CHECK(fmt::format("{}", e) == message);
    const std::system_error& base = e;
    CHECK(base.code() == ec);
  }
}
