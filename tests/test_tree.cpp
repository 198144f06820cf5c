// SPDX-License-Identifier: BSL-1.0
// Process trees, process groups, and children that die with their parent.
#include "common.hpp"

#include <atomic>
#include <thread>

using namespace std::chrono_literals;

namespace {

// How long a process may take to disappear after whatever ends it. Generous: under Wine a
// process exit goes through wineserver, and the machine may be busy.
constexpr auto exit_grace = 30s;

// A grandchild that a test could not end otherwise is ended here, so nothing is left behind.
struct leftover {
  bequest::pid_type pid = 0;
  ~leftover() {
    if (pid != 0 && support::process_alive(pid)) support::kill_process(pid);
  }
};

bequest::pid_type parse_pid(const std::string& line) {
  INFO("line: " << line);
  REQUIRE(!line.empty());
  return static_cast<bequest::pid_type>(std::stoull(line));
}

}  // namespace

TEST_CASE("kill_tree ends a child and the grandchild it started", "[tree]") {
  auto o = t::probe({"spawn-sleeper", "0", "60000", "sleep", "60000"});
  o.process_tree = true;
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  leftover grandchild{parse_pid(t::read_line(c.out()))};
  REQUIRE(support::process_alive(c.pid()));
  REQUIRE(support::process_alive(grandchild.pid));

  c.kill_tree();
  const bequest::exit_status s = c.wait();
  CHECK_FALSE(s.success());
  CHECK(t::gone_within(grandchild.pid, exit_grace));
  // What is left of the tree is nothing; killing it again is not an error.
  std::error_code ec;
  c.kill_tree(ec);
  CHECK_FALSE(ec);
}

TEST_CASE("a tree that also dies with its parent can still be ended with kill_tree", "[tree][parent-exit]") {
  // Windows: the child is in the kill-on-exit job and in its own tree's job nested inside it.
  auto o = t::probe({"spawn-sleeper", "0", "60000", "sleep", "60000"});
  o.process_tree = true;
  o.kill_on_parent_exit = true;
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  leftover grandchild{parse_pid(t::read_line(c.out()))};
  REQUIRE(support::process_alive(grandchild.pid));
  c.kill_tree();
  c.wait();
  CHECK(t::gone_within(grandchild.pid, exit_grace));
}

TEST_CASE("kill_tree without process_tree is refused and kills nothing", "[tree]") {
  bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
  std::error_code ec;
  c.kill_tree(ec);
  CHECK(ec == std::errc::invalid_argument);
  CHECK_FALSE(c.try_wait());
  try {
    c.kill_tree();
    FAIL("kill_tree did not throw");
  } catch (const bequest::error& e) {
    CHECK(t::mentions(e.what(), "process_tree"));
  }
  c.kill();
  c.wait();
  bequest::child empty;
  empty.kill_tree(ec);
  CHECK(ec == std::errc::no_child_process);
}

TEST_CASE("new_process_group puts the child in a process group of its own", "[tree]") {
  auto o = t::probe({"pgroup"});
  CHECK(t::output_of(o) == "inherited\n");
  o.new_process_group = true;
  CHECK(t::output_of(o) == "own\n");
  o.kill_on_parent_exit = true;  // the other spawn path on Linux
  CHECK(t::output_of(o) == "own\n");
}

TEST_CASE("children start with default signal handling whatever ours is, on both spawn paths", "[tree][parent-exit]") {
  support::hostile_signal_state hostile;  // POSIX: SIGTERM ignored and blocked here
  for (const bool dies_with_us : {false, true}) {
    INFO("kill_on_parent_exit = " << dies_with_us);
    auto o = t::probe({"sleep", "60000"});
    o.kill_on_parent_exit = dies_with_us;
    bequest::child c = bequest::spawn(o);
    c.terminate();  // SIGTERM on POSIX: ends the child only if it did not inherit our state
    const auto s = c.wait_for(60s);
    REQUIRE(s);
    INFO(s->to_string());
    if (s->signal()) {
      CHECK(*s->signal() == 15);
    } else {
      CHECK(s->code() == 1);  // Windows: terminate() is TerminateProcess(1)
    }
  }
}

TEST_CASE("posix.signals = like_exec keeps ignored signals and the mask, on both spawn paths",
          "[tree][parent-exit][posix-only]") {
  support::hostile_signal_state hostile;  // POSIX: SIGTERM ignored and blocked here
  support::own_signal_handler handler;    // and a handler of ours, which exec cannot keep
  for (const bool dies_with_us : {false, true}) {
    INFO("kill_on_parent_exit = " << dies_with_us);
    auto o = t::probe({"sigstate", "15", "sigstate", std::to_string(support::own_signal_number())});
    o.kill_on_parent_exit = dies_with_us;
    o.posix.signals = bequest::child_signals::like_exec;
    CHECK(t::output_of(o) == "ignored blocked\ndefault\n");
    o.posix.signals = bequest::child_signals::reset;
    CHECK(t::output_of(o) == "default\ndefault\n");
  }
  CHECK(handler.handler_runs());
}

TEST_CASE("spawning leaves our own signal handlers in place, on both spawn paths", "[tree][parent-exit][posix-only]") {
  // The kill_on_parent_exit path runs code in a child that shares our memory. A libc call
  // made there that a sanitizer runtime intercepts is recorded in that runtime's tables as
  // if we had made it: seen with ThreadSanitizer, whose copy of our handlers the child's
  // reset to SIG_DFL overwrote, so that our handler silently stopped running.
  support::own_signal_handler handler;
  REQUIRE(handler.handler_runs());
  for (const bool dies_with_us : {false, true}) {
    INFO("kill_on_parent_exit = " << dies_with_us);
    auto o = t::probe({"exit", "0"});
    o.kill_on_parent_exit = dies_with_us;
    REQUIRE(bequest::spawn(o).wait().success());
    CHECK(handler.handler_runs());
  }
}

TEST_CASE("threads spawning on both spawn paths at once each get their own child", "[tree][parent-exit][threads]") {
  // The kill_on_parent_exit path (Linux: clone with a shared address space) racing itself and
  // the ordinary path, each child with an inherited pipe of its own.
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < 8; ++i) {
        const std::string word = "t" + std::to_string(th) + "-" + std::to_string(i);
        bequest::pipe_ends p = bequest::make_pipe();
        auto o = t::probe({"print", word, "write", "side", word});
        o.kill_on_parent_exit = (th + i) % 2 == 0;
        o.out = bequest::stdio::pipe();
        o.inherit = {{"side", p.write.get()}};
        bequest::child c = bequest::spawn(o);
        p.write.reset();
        const std::string out = c.out().read_all();
        const std::string side = p.read.read_all();
        if (out != word || side != word || !c.wait().success()) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
}

TEST_CASE("a child spawned with kill_on_parent_exit dies when its parent is killed", "[tree][parent-exit]") {
  // The middle process spawns the sleeper with the option and reports its pid; then we kill
  // the middle process hard (SIGKILL / TerminateProcess): it gets no chance to clean up.
  auto o = t::probe({"spawn-sleeper", "1", "60000", "sleep", "60000"});
  o.out = bequest::stdio::pipe();
  bequest::child middle = bequest::spawn(o);
  leftover sleeper{parse_pid(t::read_line(middle.out()))};
  REQUIRE(support::process_alive(sleeper.pid));
  middle.kill();
  middle.wait();
  CHECK(t::gone_within(sleeper.pid, exit_grace));
}

TEST_CASE("without kill_on_parent_exit children outlive their killed parent, and its helper does not",
          "[tree][parent-exit][faults]") {
  // The middle process plays "our process": it starts two sleepers through bequest, reports
  // their ids and the id of the process that parents its children (Windows: its helper;
  // POSIX: itself), and is then killed hard, with no chance to clean up.
  auto o =
      t::probe({"spawn-sleeper", "0", "60000", "spawn-sleeper", "0", "60000", "children-parent", "sleep", "60000"});
  o.out = bequest::stdio::pipe();
  bequest::child middle = bequest::spawn(o);
  leftover first{parse_pid(t::read_line(middle.out()))};
  leftover second{parse_pid(t::read_line(middle.out()))};
  const bequest::pid_type parent = parse_pid(t::read_line(middle.out()));
  REQUIRE(support::process_alive(first.pid));
  REQUIRE(support::process_alive(second.pid));
  REQUIRE(support::process_alive(parent));
  middle.kill();
  middle.wait();
  // The helper is in a kill-on-close job whose only handle the middle process held: the
  // system closed it, and the helper went with it.
  CHECK(t::gone_within(parent, exit_grace));
  // The same wait that the test above allows for the sleeper to die, but shorter: with the
  // option it is gone within milliseconds on both systems.
  std::this_thread::sleep_for(1s);
  CHECK(support::process_alive(first.pid));
  CHECK(support::process_alive(second.pid));
}

TEST_CASE("kill_on_parent_exit keeps every other option: stdio, inherit, env, cwd", "[tree][parent-exit][inherit]") {
  support::canary listed = support::make_canary("kope-listed");
  support::canary unlisted = support::make_canary("kope-unlisted");
  support::canary leaky = support::make_leaky_canary("kope-leaky");
  bequest::pipe_ends p = bequest::make_pipe();
  auto o = t::probe({"write", "note", "from-child", "getenv", "BEQUEST_KOPE", "cwd", "fds"});
  o.kill_on_parent_exit = true;
  o.inherit = {{"note", p.write.get()}, {"canary", listed.handle.get()}};
  o.env = bequest::environment::inherit().set("BEQUEST_KOPE", "yes");
  o.cwd = support::temp_dir();
  o.in = bequest::stdio::null();
  o.err = bequest::stdio::to_stdout();
  const std::string text = t::output_of(o);
  p.write.reset();
  CHECK(p.read.read_all() == "from-child");
  const auto l = t::lines(text);
  REQUIRE(l.size() >= 2);
  CHECK(l[0] == "yes");
  CHECK(t::mentions(l[1], "bequest-tests"));
  CHECK(t::mentions(text, listed.tag));
  CHECK_FALSE(t::mentions(text, unlisted.tag));
  CHECK_FALSE(t::mentions(text, leaky.tag));
}

TEST_CASE("kill_on_parent_exit reports a program the system cannot run as a spawn error",
          "[tree][parent-exit][errors]") {
  auto o = t::probe({"exit", "0"});
  o.kill_on_parent_exit = true;
  // The first such spawn makes what lasts as long as this process (on Windows the
  // kill-on-close job all these children share): not a leak of the failed spawn below.
  REQUIRE(bequest::spawn(o).wait().success());
  t::handle_count_guard guard;
  o.program = support::make_invalid_program(support::temp_dir(), "kope-invalid");
  const auto f = t::expect_failure(o);
  CHECK(t::mentions(f.message, "kope-invalid"));
}

TEST_CASE("signal_group sends a chosen signal to the whole group, signal to the child alone", "[tree][signal]") {
  const bool windows = !support::exe_suffix().empty();
  // Not a group leader: refused, nothing sent.
  {
    bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
    std::error_code ec;
    c.signal_group(15, ec);
    CHECK(ec == std::errc::invalid_argument);
    CHECK_FALSE(c.try_wait());
    // signal(): SIGHUP ends the child on POSIX; Windows has no such signal.
    c.signal(1, ec);
    if (windows) {
      CHECK(ec == std::errc::not_supported);
      c.signal(15, ec);  // SIGTERM ends it as terminate() does
      CHECK_FALSE(ec);
      CHECK(c.wait().code() == 1);
    } else {
      CHECK_FALSE(ec);
      CHECK(c.wait().signal() == 1);
    }
  }
  auto o = t::probe({"spawn-sleeper", "0", "60000", "sleep", "60000"});
  o.new_process_group = true;
  o.out = bequest::stdio::pipe();
  bequest::child c = bequest::spawn(o);
  leftover grandchild{parse_pid(t::read_line(c.out()))};
  REQUIRE(support::process_alive(grandchild.pid));
  std::error_code ec;
  c.signal_group(15, ec);  // SIGTERM to the group: what ninja forwards to each job
  if (windows) {
    CHECK(ec == std::errc::not_supported);  // only SIGINT / SIGBREAK, as a console event
    c.kill();
    c.wait();
    return;
  }
  REQUIRE_FALSE(ec);
  CHECK(c.wait().signal() == 15);
  CHECK(t::gone_within(grandchild.pid, exit_grace));
  // Waited for: its group id is kept (a zombie leader), sending again reaches nobody else.
  c.signal_group(15, ec);
  CHECK_FALSE(ec);
}

TEST_CASE("destroy_policy::wait lets a running child finish", "[wait][destroy]") {
  bequest::pipe_ends side = bequest::make_pipe();
  {
    auto o = t::probe({"sleep", "300", "write", "side", "finished"});
    o.inherit = {{"side", side.write.get()}};
    o.on_destroy = bequest::destroy_policy::wait;
    bequest::child c = bequest::spawn(o);
  }  // blocks here until the child exits by itself
  side.write.reset();
  CHECK(side.read.read_all() == "finished");
}

TEST_CASE("native_status is the system's own form of an exit status", "[wait][units]") {
  if (support::exe_suffix().empty()) {
    CHECK(bequest::exit_status::exited(3).native_status() == 3 << 8);  // WEXITSTATUS 3
    CHECK(bequest::exit_status::signaled(9).native_status() == 9);     // WTERMSIG 9
    CHECK(bequest::exit_status::signaled(11, true).native_status() == (11 | 0x80));
  } else {
    CHECK(bequest::exit_status::exited(3).native_status() == 3);
    CHECK(static_cast<unsigned>(bequest::exit_status::exited(static_cast<int>(0xC0000005u)).native_status()) ==
          0xC0000005u);
  }
  const auto s = bequest::spawn(t::probe({"exit", "7"})).wait();
  CHECK(s.native_status() == (support::exe_suffix().empty() ? 7 << 8 : 7));
}
