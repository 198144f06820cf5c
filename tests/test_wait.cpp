// SPDX-License-Identifier: BSL-1.0
#include "common.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

using namespace std::chrono_literals;

namespace {
// The status a kill() produces: SIGKILL on POSIX, exit code 1 from TerminateProcess on Windows.
void check_killed(const bequest::exit_status& s, int posix_signal) {
  INFO(s.to_string());
  CHECK_FALSE(s.success());
  if (s.signal()) {
    CHECK(*s.signal() == posix_signal);
  } else {
    CHECK(s.code() == 1);
  }
}
}  // namespace

TEST_CASE("wait returns the status, and again on a second call", "[wait]") {
  bequest::child c = bequest::spawn(t::probe({"exit", "5"}));
  CHECK(c.wait().code() == 5);
  CHECK(c.wait().code() == 5);
  CHECK(c.try_wait()->code() == 5);
}

TEST_CASE("try_wait does not block and sees the exit", "[wait]") {
  bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
  CHECK_FALSE(c.try_wait());
  c.kill();
  const bequest::exit_status s = c.wait();
  CHECK(c.try_wait() == s);
}

TEST_CASE("wait_for times out on a running child and succeeds once it exits", "[wait]") {
  bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
  CHECK_FALSE(c.wait_for(50ms));
  c.kill();
  const auto s = c.wait_for(60s);
  REQUIRE(s);
  check_killed(*s, 9);
}

TEST_CASE("wait_for on a quick child returns its status", "[wait]") {
  bequest::child c = bequest::spawn(t::probe({"exit", "4"}));
  const auto s = c.wait_for(60s);
  REQUIRE(s);
  CHECK(s->code() == 4);
}

TEST_CASE("kill and terminate end the child and say so", "[wait]") {
  bequest::child killed = bequest::spawn(t::probe({"sleep", "60000"}));
  killed.kill();
  check_killed(killed.wait(), 9);
  bequest::child terminated = bequest::spawn(t::probe({"sleep", "60000"}));
  terminated.terminate();
  check_killed(terminated.wait(), 15);
}

TEST_CASE("kill after the child exited or was waited for is harmless", "[wait]") {
  bequest::child c = bequest::spawn(t::probe({"exit", "0"}));
  while (!c.try_wait()) std::this_thread::sleep_for(1ms);
  std::error_code ec;
  c.kill(ec);
  CHECK_FALSE(ec);
  c.terminate(ec);
  CHECK_FALSE(ec);
  CHECK(c.wait().success());
}

TEST_CASE("destroying a running child kills it (the default policy)", "[wait][lifetime]") {
  bequest::pid_type pid;
  {
    bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
    pid = c.pid();
    REQUIRE(support::process_alive(pid));
  }
  CHECK_FALSE(support::process_alive(pid));
}

TEST_CASE("a detached child keeps running", "[wait][lifetime]") {
  bequest::pid_type pid;
  {
    auto o = t::probe({"sleep", "3000"});
    o.on_destroy = bequest::destroy_policy::detach;
    bequest::child c = bequest::spawn(o);
    pid = c.pid();
  }
  CHECK(support::process_alive(pid));
  bequest::child d = bequest::spawn(t::probe({"sleep", "3000"}));
  const bequest::pid_type pid2 = d.pid();
  d.detach();
  CHECK_FALSE(d.valid());
  CHECK(support::process_alive(pid2));
}

TEST_CASE("move-assigning over a running child applies its policy", "[wait][lifetime]") {
  bequest::child a = bequest::spawn(t::probe({"sleep", "60000"}));
  const bequest::pid_type first = a.pid();
  a = bequest::spawn(t::probe({"exit", "0"}));
  CHECK_FALSE(support::process_alive(first));
  CHECK(a.wait().success());
  bequest::child moved = std::move(a);
  CHECK_FALSE(a.valid());  // NOLINT: checking the moved-from state on purpose
  CHECK(moved.wait().success());
}

TEST_CASE("one thread waits while another kills", "[wait][threads]") {
  for (int round = 0; round < 20; ++round) {
    bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
    std::optional<bequest::exit_status> seen;
    std::thread waiter([&] { seen = c.wait(); });
    std::this_thread::sleep_for(2ms);
    c.kill();
    waiter.join();
    REQUIRE(seen);
    check_killed(*seen, 9);
  }
}

TEST_CASE("an empty child reports errors instead of crashing", "[wait]") {
  bequest::child c;
  std::error_code ec;
  (void)c.wait(ec);
  CHECK(ec == std::errc::no_child_process);
  c.kill(ec);
  CHECK(ec);
  CHECK_THROWS_AS(c.wait(), bequest::error);
  CHECK_FALSE(c.out());
}

TEST_CASE("a child that crashes or is killed by someone else reports how it ended", "[wait][faults]") {
  const bool posix = support::exe_suffix().empty();
  // A fault of its own: SIGSEGV on POSIX; on Windows the exception code of an unhandled
  // access violation, kept bit for bit.
  bequest::child crashed = bequest::spawn(t::probe({"crash"}));
  const bequest::exit_status fault = crashed.wait();
  INFO(fault.to_string());
  CHECK_FALSE(fault.success());
  if (posix) {
    CHECK(fault.signal() == 11);
    CHECK_FALSE(fault.core_dumped());  // the probe turned core dumps off
    CHECK(fault.to_string() == "killed by signal 11 (SIGSEGV)");
  } else {
    CHECK(fault.code() == static_cast<int>(0xC0000005u));
    CHECK(fault.to_string() == "exited with code 0xC0000005");
  }
  // Ended from outside, not through child::kill: SIGKILL / TerminateProcess(1) by process id.
  bequest::child victim = bequest::spawn(t::probe({"sleep", "60000"}));
  REQUIRE(support::kill_process(victim.pid()));
  const bequest::exit_status killed = victim.wait();
  INFO(killed.to_string());
  if (posix) {
    CHECK(killed.signal() == 9);
  } else {
    CHECK(killed.code() == 1);
  }
  // Killing or waiting again afterwards changes nothing.
  std::error_code ec;
  victim.kill(ec);
  CHECK_FALSE(ec);
  CHECK(victim.wait() == killed);
  CHECK(crashed.wait() == fault);
}

TEST_CASE("children moved to other threads are waited for, killed and destroyed there",
          "[wait][threads][lifetime][faults]") {
  // Each child is started here and handed over: a waiter, a killer that then lets the object
  // go, a destroyer of a running child (the kill policy), and several threads that wait for
  // one child at once and must all see the same status.
  std::vector<bequest::pid_type> pids;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int round = 0; round < 5; ++round) {
    bequest::child exits = bequest::spawn(t::probe({"exit", "7"}));
    bequest::child sleeps = bequest::spawn(t::probe({"sleep", "60000"}));
    bequest::child dropped = bequest::spawn(t::probe({"sleep", "60000"}));
    pids.insert(pids.end(), {exits.pid(), sleeps.pid(), dropped.pid()});
    threads.emplace_back([c = std::move(exits), &wrong]() mutable {
      if (c.wait().code() != 7 || c.wait().code() != 7) ++wrong;
    });
    threads.emplace_back([c = std::move(sleeps), &wrong]() mutable {
      c.kill();
      if (c.wait().success()) ++wrong;
      c.kill();  // already waited for: nothing to do
      bequest::child gone = std::move(c);
      if (c.valid()) ++wrong;  // NOLINT: checking the moved-from state on purpose
    });
    threads.emplace_back([c = std::move(dropped)]() mutable { bequest::child last = std::move(c); });
    CHECK_FALSE(exits.valid());  // NOLINT: moved from on purpose
  }
  auto shared = std::make_shared<bequest::child>(bequest::spawn(t::probe({"sleep", "300"})));
  std::vector<std::optional<bequest::exit_status>> seen(4);
  for (auto& s : seen) threads.emplace_back([&s, shared] { s = shared->wait(); });
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  for (const auto& s : seen) {
    REQUIRE(s);
    CHECK(*s == bequest::exit_status::exited(0));
  }
  for (bequest::pid_type pid : pids) CHECK_FALSE(support::process_alive(pid));
}
