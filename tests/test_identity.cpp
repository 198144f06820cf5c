// SPDX-License-Identifier: BSL-1.0
// Process identity: bequest never waits for, reaps or signals a process that is not its child,
// even when other code reaps its children and the system gives their ids to other processes.
// On Linux each scenario runs as process 1 of a pid namespace of its own, where the test hands
// a freed id out again at will (support::in_pid_namespace, give_next_process_id); the body of
// a scenario cannot use Catch2 there, so it collects what failed as text. docs/security.md has
// a row per scenario.
#include "common.hpp"

#include <mutex>
#include <shared_mutex>

using namespace std::chrono_literals;

namespace {

/// What failed in a scenario, one line each; empty when everything held.
struct expectations {
  std::string failed;
  void operator()(bool ok, const std::string& what) {
    if (!ok) failed += "  " + what + "\n";
  }
};

std::string text(const std::optional<bequest::exit_status>& s, const std::error_code& ec) {
  if (ec) return "error: " + ec.message();
  return s ? s->to_string() : std::string("running");
}

bool lost(const std::error_code& ec) { return ec == std::errc::no_child_process; }

/// True when this build pins a child by a pidfd (Linux), false where it knows it by id only
/// (generic POSIX, or with posix.identify_by_pid_only). Windows: true (the process handle).
bool identity_pinned() {
  bequest::child c = bequest::spawn(t::probe({"exit", "0"}));
  const bool pinned = c.native_process() != bequest::invalid_native_handle;
  c.wait();
  return pinned;
}

}  // namespace

TEST_CASE("kill_tree, kill and wait after wait reach only the child's own tree, though a new tree may want its id",
          "[identity][tree]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    auto first_options = t::probe({"exit", "0"});
    first_options.process_tree = true;
    bequest::child first = bequest::spawn(first_options);
    const bequest::pid_type first_pid = first.pid();
    expect(first.wait().success(), "the first tree's leader exits 0");
    // Where ids can be chosen, the first tree's id (also its group's) goes to the next process
    // if it is free: as soon as a wait reaps the leader, the next tree would have it.
    (void)support::give_next_process_id(first_pid);
    // The second tree echoes its input: if it answers after first.kill_tree(), it was not
    // killed (a SIGKILL sent is acted on before the process runs again).
    auto second_options = t::probe({"cat"});
    second_options.in = bequest::stdio::pipe();
    second_options.out = bequest::stdio::pipe();
    second_options.process_tree = true;
    bequest::child second = bequest::spawn(second_options);
    const std::string which =
        " (first tree " + std::to_string(first_pid) + ", second " + std::to_string(second.pid()) + ")";
    std::error_code ec;
    first.kill_tree(ec);
    expect(!ec, "first.kill_tree() after wait succeeds: " + ec.message());
    first.kill(ec);
    expect(!ec, "first.kill() after wait succeeds: " + ec.message());
    first.terminate(ec);
    expect(!ec, "first.terminate() after wait succeeds: " + ec.message());
    const bequest::exit_status again = first.wait(ec);
    expect(!ec && again.success(), "first.wait() again gives the same status: " + text(again, ec));
    first = bequest::child();
    second.in().write_all("alive\n", ec);
    second.in().reset();
    const std::string answer = second.out().read_all(ec);
    const bequest::exit_status ended = second.wait(ec);
    expect(answer == "alive\n" && !ec && ended.success(),
           "the second tree was not touched" + which + ": it answered \"" + answer + "\" and " + text(ended, ec));
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE("a waited-for group leader keeps its id, and its group's, until the child is destroyed or detached",
          "[identity][tree][posix-only]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    for (const char* how : {"process_tree", "new_process_group", "posix.new_session"}) {
      for (const bool detach : {false, true}) {
        const std::string name = std::string(how) + (detach ? ", detached" : ", destroyed");
        auto o = t::probe({"exit", "3"});
        o.process_tree = how[0] == 'p' && how[1] == 'r';
        o.new_process_group = how[0] == 'n';
        o.posix.new_session = how[0] == 'p' && how[1] == 'o';
        bequest::child c = bequest::spawn(o);
        const bequest::pid_type pid = c.pid();
        const auto s = c.wait();
        expect(s.code() == 3, name + ": exits 3: " + s.to_string());
        // The leader is still our zombie: its id is not free.
        expect(support::peek_child(pid) == "exited 3", name + ": a zombie after wait: " + support::peek_child(pid));
        (void)support::give_next_process_id(pid);
        const bequest::pid_type stranger = support::start_stranger(0);
        expect(stranger != pid, name + ": the id stays reserved after wait, yet went to a new process");
        (void)support::reap_child(stranger);
        if (detach) {
          c.detach();
        } else {
          c = bequest::child();
        }
        expect(support::peek_child(pid) == "not our child",
               name + ": reaped when the child object goes: " + support::peek_child(pid));
        (void)support::give_next_process_id(pid);
        const bequest::pid_type next = support::start_stranger(0);
        expect(next == pid, name + ": the id is free then (the namespace gave " + std::to_string(next) + ")");
        (void)support::reap_child(next);
      }
    }
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE("a child whose status someone else took is lost for good, and a process that got its id is left alone",
          "[identity][wait][posix-only]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    enum reuse { none, by_running, by_exited };
    for (const bool by_pid : {false, true}) {
      for (const reuse r : {none, by_running, by_exited}) {
        const std::string name = std::string(by_pid ? "identify_by_pid_only, " : "") +
                                 (r == none         ? "id not reused"
                                  : r == by_running ? "id reused by a running process"
                                                    : "id reused by an unreaped zombie");
        auto o = t::probe({"exit", "7"});
        o.posix.identify_by_pid_only = by_pid;
        bequest::child c = bequest::spawn(o);
        const bool pinned = c.native_process() != bequest::invalid_native_handle;
        expect(!by_pid || !pinned, name + ": no pidfd is held");
        // Foreign code reaps our child.
        const std::string taken = support::reap_child(c.pid());
        expect(taken == "exited 7", name + ": the foreign reap got " + taken);
        bequest::pid_type stranger = 0;
        if (r != none) {
          (void)support::give_next_process_id(c.pid());
          stranger = support::start_stranger(r == by_exited ? 42 : -1);
          expect(stranger == c.pid(), name + ": (set-up) the stranger has the id");
          while (r == by_exited && support::peek_child(stranger) == "running") std::this_thread::sleep_for(1ms);
        }
        std::error_code ec;
        if (pinned || r == none) {
          auto s = c.try_wait(ec);
          expect(lost(ec) && !s, name + ": try_wait: " + text(s, ec));
          s = c.wait_for(1ms, ec);
          expect(lost(ec) && !s, name + ": wait_for: " + text(s, ec));
          for (int i = 0; i < 2; ++i) {
            const bequest::exit_status w = c.wait(ec);
            expect(lost(ec), name + ": wait: " + text(w, ec));
          }
          c.kill(ec);
          expect(lost(ec), name + ": kill: " + ec.message());
          c.terminate(ec);
          expect(lost(ec), name + ": terminate: " + ec.message());
          const auto again = c.try_wait(ec);
          expect(lost(ec) && !again, name + ": try_wait after kill: " + text(again, ec));
          c = bequest::child();  // the destructor leaves the id alone too
          if (stranger != 0) {
            const std::string state = support::end_stranger(stranger);
            expect(state == (r == by_exited ? "exited 42" : "untouched"), name + ": the stranger: " + state);
            stranger = 0;
          }
        } else {
          // By id alone the stranger, a child of this process too, cannot be told from ours:
          // what docs/posix.md says the generic path cannot keep.
          if (r == by_running) {
            const auto s = c.try_wait(ec);
            expect(!ec && !s, name + ": (documented) try_wait sees the stranger running: " + text(s, ec));
            c.kill(ec);
            expect(!ec, name + ": (documented) kill signals the stranger: " + ec.message());
            const bequest::exit_status w = c.wait(ec);
            expect(!ec && w.signal() == 9, name + ": (documented) wait reaps the stranger: " + text(w, ec));
          } else {
            const bequest::exit_status w = c.wait(ec);
            expect(!ec && w.code() == 42, name + ": (documented) wait reports the stranger's status: " + text(w, ec));
            expect(support::peek_child(stranger) == "not our child", name + ": (documented) and reaped it");
          }
          stranger = 0;
        }
        if (stranger != 0) (void)support::end_stranger(stranger);
      }
    }
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE(
    "with SIGCHLD ignored a child is lost, never given a made-up status, and its id's next owner is not signalled",
    "[identity][wait][posix-only]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    for (const bool killed : {false, true}) {
      std::optional<support::sigchld_ignored> ignored;
      ignored.emplace();  // the system reaps every child the moment it exits
      const std::string name = killed ? "killed child" : "child that exits";
      bequest::child c = bequest::spawn(
          t::probe(killed ? std::vector<std::string>{"sleep", "60000"} : std::vector<std::string>{"exit", "3"}));
      std::error_code ec;
      if (killed) {
        c.kill(ec);
        expect(!ec, name + ": kill while it runs: " + ec.message());
      }
      bequest::exit_status w = c.wait(ec);
      expect(lost(ec), name + ": wait: " + text(w, ec));
      w = c.wait(ec);
      expect(lost(ec), name + ": wait again: " + text(w, ec));
      const auto s = c.try_wait(ec);
      expect(lost(ec) && !s, name + ": try_wait: " + text(s, ec));
      // The system reaps it, and frees the id a moment after the exit is seen: then the next
      // process gets the id.
      bequest::pid_type stranger = 0;
      for (int attempt = 0; attempt < 1000; ++attempt) {
        (void)support::give_next_process_id(c.pid());
        stranger = support::start_stranger();
        if (stranger == c.pid()) break;
        support::kill_process(stranger);  // and the system reaps it
        std::this_thread::sleep_for(1ms);
      }
      expect(stranger == c.pid(), name + ": (set-up) the stranger has the id");
      c.kill(ec);
      expect(lost(ec), name + ": kill: " + ec.message());
      c.terminate(ec);
      expect(lost(ec), name + ": terminate: " + ec.message());
      c = bequest::child();
      // SIGCHLD back to its default: a stranger that a stray signal of ours ended has been
      // reaped by the system, one that is still there ends now and stays to be reaped.
      ignored.reset();
      const std::string state = support::end_stranger(stranger);
      expect(state == "untouched", name + ": the stranger: " + state);
    }
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE(
    "a foreign waitpid(-1) while four threads spawn, kill and wait: every status is the child's own or "
    "no_child_process",
    "[identity][threads][posix-only]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    // With a pidfd, the reaper hands the ids it frees out again, but only between spawns:
    // inside spawn(), between posix_spawn and pidfd_open, glibc before 2.39 cannot tell a
    // reused id from its own child (docs/posix.md), and moving the allocator back while a
    // spawn runs would let it walk onto such an id. By id alone (generic POSIX) reuse cannot
    // be survived at all (docs/posix.md), so ids are left to run on there.
    const bool pinned = identity_pinned();
    std::mutex m;
    std::shared_mutex spawns;
    support::foreign_reaper reaper(pinned ? &spawns : nullptr);
    std::string wrong;
    int own = 0, lost_ones = 0;
    constexpr int per_thread = 40;
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th) {
      threads.emplace_back([&, th] {
        for (int i = 0; i < per_thread; ++i) {
          // Even threads' children exit with a code of their own; odd threads' children are
          // killed. A kill that reached another thread's child would show as signal 9 there.
          const bool kill_it = th % 2 == 1;
          const int code = 1 + (th * per_thread + i) % 200;
          std::error_code ec;
          std::string message;
          bequest::child c;
          {
            std::shared_lock<std::shared_mutex> spawning(spawns);
            c = bequest::spawn(t::probe(kill_it ? std::vector<std::string>{"sleep", "60000"}
                                                : std::vector<std::string>{"exit", std::to_string(code)}),
                               ec, message);
          }
          std::string bad;
          if (ec) {
            bad = "spawn: " + message;
          } else {
            if (kill_it) {
              c.kill(ec);
              if (ec && !lost(ec)) bad = "kill: " + ec.message();
            }
            const bequest::exit_status s = c.wait(ec);
            const bool right = kill_it ? s.signal() == 9 : s.code() == code;
            if (ec ? !lost(ec) : !right)
              bad += " wait: " + text(s, ec) + " (expected " + (kill_it ? "signal 9" : "exit " + std::to_string(code)) +
                     ")";
            std::error_code after;
            c.kill(after);  // after the wait: nothing may be sent
            if (after && !lost(after)) bad += " kill after wait: " + after.message();
            std::lock_guard<std::mutex> lock(m);
            (ec ? lost_ones : own) += 1;
          }
          if (!bad.empty()) {
            std::lock_guard<std::mutex> lock(m);
            wrong += "    thread " + std::to_string(th) + " child " + std::to_string(i) + ": " + bad + "\n";
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    expect(wrong.empty(), "statuses that were not the child's own:\n" + wrong);
    expect(own + lost_ones == 4 * per_thread, "every child was waited for");
    expect(reaper.reaped() > 0, "the foreign reaper took some children");
    if (pinned) expect(reaper.handed_out() > 0, "the foreign reaper handed ids out again");
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE("at the descriptor limit a spawn that cannot have the child's pidfd fails, says so, and leaves no process",
          "[identity][errors][faults][posix-only]") {
  const std::string failed = support::in_pid_namespace([] {
    expectations expect;
    const bool pinned = identity_pinned();
    std::error_code ec;
    std::string message;
    bequest::child c;
    {
      // Stdio inherited and nothing passed: the pidfd is the one descriptor the spawn makes.
      support::handle_exhaustion exhausted;
      c = bequest::spawn(t::probe({"sleep", "60000"}), ec, message);
    }
    if (pinned) {
      expect(ec == support::out_of_handles_error(), "the spawn fails with EMFILE: " + ec.message() + ": " + message);
      expect(t::mentions(message, "pidfd"), "the message names the pidfd: " + message);
      expect(!c.valid(), "no child is returned");
      expect(support::no_children(), "no process and no zombie is left");
    } else {
      // By id alone no pidfd is needed. Another step may still want a descriptor here (the
      // generic path copies stdio out of the way of the target fds), but a failure then
      // leaves no process either.
      expect(!t::mentions(message, "pidfd"), "no pidfd is wanted: " + message);
      if (ec) {
        expect(support::no_children(), "a failed spawn leaves no process: " + message);
      } else {
        c.kill(ec);
        const bequest::exit_status s = c.wait(ec);
        expect(!ec && s.signal() == 9, "the child is killed: " + text(s, ec));
      }
    }
    return expect.failed;
  });
  INFO(failed);
  CHECK(failed.empty());
}

TEST_CASE("posix.identify_by_pid_only holds no descriptor for the child", "[identity][posix-only]") {
  const bool pinned = identity_pinned();
  const std::size_t before = support::open_handle_count();
  for (const bool by_pid : {false, true}) {
    INFO("identify_by_pid_only = " << by_pid);
    auto o = t::probe({"sleep", "60000"});
    o.posix.identify_by_pid_only = by_pid;
    bequest::child c = bequest::spawn(o);
    CHECK(support::open_handle_count() == before + (pinned && !by_pid ? 1 : 0));
    CHECK((c.native_process() != bequest::invalid_native_handle) == (pinned && !by_pid));
    c.kill();
    CHECK(c.wait().signal() == 9);
    // Our own reap is never followed by a signal, pidfd or not.
    std::error_code ec;
    c.kill(ec);
    CHECK_FALSE(ec);
  }
  CHECK(support::open_handle_count() == before);
}
