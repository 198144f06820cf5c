// SPDX-License-Identifier: BSL-1.0
// <bequest/asio.hpp> under C++17: async_wait with callbacks, futures and cancellation, and
// asynchronous pipes. (Coroutines: test_asio_coro.cpp, built as C++20.)
#include "common.hpp"

#include <bequest/asio.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <future>
#include <map>

using namespace std::chrono_literals;

namespace {

struct outcome {
  bool done = false;
  std::error_code ec;
  std::optional<bequest::exit_status> status;
};

auto record(outcome& o) {
  return [&o](std::error_code ec, bequest::exit_status s) {
    o.done = true;
    o.ec = ec;
    o.status = s;
  };
}

// Runs the context until `pred` holds, at most `limit` (so a broken test fails, not hangs).
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, std::chrono::seconds limit = 120s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    io.run_for(50ms);
    io.restart();
  }
  return true;
}

}  // namespace

TEST_CASE("async_wait completes with the exit status through a callback", "[asio]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(t::probe({"sleep", "100", "exit", "6"}));
  outcome o;
  bequest::async_wait(io, c, record(o));
  CHECK_FALSE(o.done);  // never completes inside the initiating call
  REQUIRE(run_until(io, [&] { return o.done; }));
  CHECK_FALSE(o.ec);
  REQUIRE(o.status);
  CHECK(o.status->code() == 6);
  // The child has been waited for: its status is kept.
  CHECK(c.try_wait() == o.status);
}

TEST_CASE("async_wait works with asio::use_future", "[asio]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(t::probe({"exit", "9"}));
  std::future<bequest::exit_status> f = bequest::async_wait(io.get_executor(), c, asio::use_future);
  std::thread runner([&] { io.run(); });
  const bequest::exit_status s = f.get();
  runner.join();
  CHECK(s.code() == 9);
  // An error arrives as the future's exception.
  bequest::child empty;
  io.restart();
  auto failed = bequest::async_wait(io, empty, asio::use_future);
  io.run();
  CHECK_THROWS_AS(failed.get(), std::system_error);
}

TEST_CASE("async_wait can be cancelled per operation and the child waited for again", "[asio][cancel]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(t::probe({"sleep", "60000"}));
  asio::cancellation_signal cancel;
  outcome first;
  bequest::async_wait(io, c, asio::bind_cancellation_slot(cancel.slot(), record(first)));
  asio::steady_timer timer(io, 200ms);
  timer.async_wait([&](std::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  REQUIRE(run_until(io, [&] { return first.done; }));
  CHECK(first.ec == asio::error::operation_aborted);
  CHECK_FALSE(c.try_wait());  // cancelling the wait left the child alone

  // Partial and total cancellation are accepted too (a wait has nothing to undo).
  outcome second;
  bequest::async_wait(io, c, asio::bind_cancellation_slot(cancel.slot(), record(second)));
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::total); });
  REQUIRE(run_until(io, [&] { return second.done; }));
  CHECK(second.ec == asio::error::operation_aborted);

  outcome third;
  bequest::async_wait(io, c, record(third));
  c.kill();
  REQUIRE(run_until(io, [&] { return third.done; }));
  CHECK_FALSE(third.ec);
  REQUIRE(third.status);
  CHECK_FALSE(third.status->success());
}

TEST_CASE("async_wait for a child that was already waited for completes at once", "[asio]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(t::probe({"exit", "4"}));
  CHECK(c.wait().code() == 4);
  outcome o;
  bequest::async_wait(io, c, record(o));
  CHECK_FALSE(o.done);
  REQUIRE(run_until(
      io, [&] { return o.done; }, 10s));
  CHECK(o.status->code() == 4);
}

TEST_CASE("async_wait takes the executor from a bound handler", "[asio]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(t::probe({"exit", "2"}));
  outcome o;
  bequest::async_wait(c, asio::bind_executor(io, record(o)));
  REQUIRE(run_until(io, [&] { return o.done; }));
  CHECK(o.status->code() == 2);
}

TEST_CASE("many children are waited for at once on one thread", "[asio][threads]") {
  asio::io_context io;
  constexpr int count = 24;
  std::vector<bequest::child> children;
  std::map<int, int> codes;
  for (int i = 0; i < count; ++i)
    children.push_back(bequest::spawn(t::probe({"sleep", std::to_string(i * 10), "exit", std::to_string(i)})));
  for (int i = 0; i < count; ++i) {
    bequest::async_wait(
        io, children[static_cast<std::size_t>(i)],
        [&codes, i](std::error_code ec, bequest::exit_status s) { codes[i] = ec ? -1 : s.code().value_or(-2); });
  }
  REQUIRE(run_until(io, [&] { return codes.size() == count; }));
  for (int i = 0; i < count; ++i) CHECK(codes[i] == i);
}

TEST_CASE("an async pipe streams a child's output line by line while it runs", "[asio][pipes]") {
  asio::io_context io;
  auto o = t::probe({"print", "first\n", "sleep", "200", "print", "second\n", "eprint", "on stderr\n"});
  o.out = bequest::stdio::async_pipe();
  o.err = bequest::stdio::async_pipe();
  bequest::child c = bequest::spawn(o);
  auto out = bequest::make_readable_pipe(io.get_executor(), std::move(c.out()));
  auto err = bequest::make_readable_pipe(io.get_executor(), std::move(c.err()));
  CHECK_FALSE(c.out());  // taken over by the Asio pipe

  std::vector<std::string> lines;
  std::string buffer, err_text;
  bool out_done = false, err_done = false;
  std::function<void()> next_line = [&] {
    asio::async_read_until(out, asio::dynamic_buffer(buffer), '\n', [&](std::error_code ec, std::size_t n) {
      if (ec) {
        out_done = true;
        CHECK(bequest::is_end_of_pipe(ec));
        return;
      }
      lines.push_back(buffer.substr(0, n - 1));
      buffer.erase(0, n);
      next_line();
    });
  };
  next_line();
  asio::async_read(err, asio::dynamic_buffer(err_text), [&](std::error_code ec, std::size_t) {
    CHECK(bequest::is_end_of_pipe(ec));
    err_done = true;
  });
  outcome exit;
  bequest::async_wait(io, c, record(exit));
  REQUIRE(run_until(io, [&] { return out_done && err_done && exit.done; }));
  CHECK(lines == std::vector<std::string>{"first", "second"});
  CHECK(err_text == "on stderr\n");
  CHECK(exit.status->success());
}

TEST_CASE("an async pipe carries what the parent writes to the child's stdin", "[asio][pipes]") {
  asio::io_context io;
  auto o = t::probe({"cat"});
  o.in = bequest::stdio::async_pipe();
  o.out = bequest::stdio::async_pipe();
  bequest::child c = bequest::spawn(o);
  auto in = bequest::make_writable_pipe(io.get_executor(), std::move(c.in()));
  auto out = bequest::make_readable_pipe(io.get_executor(), std::move(c.out()));
  // More than a pipe holds, so the write has to wait for the child to read.
  std::string data(1u << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  bool written = false, read = false;
  asio::async_write(in, asio::buffer(data), [&](std::error_code ec, std::size_t n) {
    CHECK_FALSE(ec);
    CHECK(n == data.size());
    in.close();  // end of file for the child
    written = true;
  });
  std::string echoed;
  asio::async_read(out, asio::dynamic_buffer(echoed), [&](std::error_code ec, std::size_t) {
    CHECK(bequest::is_end_of_pipe(ec));
    read = true;
  });
  REQUIRE(run_until(io, [&] { return written && read; }));
  CHECK(echoed == data);
  CHECK(c.wait().success());
}

TEST_CASE("the blocking API works on async pipe ends", "[asio][pipes]") {
  auto o = t::probe({"cat"});
  o.in = bequest::stdio::async_pipe();
  o.out = bequest::stdio::async_pipe();
  bequest::child c = bequest::spawn(o);
  const std::string data(300000, 'q');  // more than a pipe holds: write_all must wait
  std::thread writer([&] {
    c.in().write_all(data);
    c.in().reset();
  });
  const std::string echoed = c.out().read_all();
  writer.join();
  CHECK(echoed == data);
  CHECK(c.wait().success());
}

TEST_CASE("make_async_pipe gives an asynchronous end and an ordinary end to pass on", "[asio][pipes][inherit]") {
  asio::io_context io;
  bequest::pipe_ends p = bequest::make_async_pipe(bequest::pipe_end::read);
  auto o = t::probe({"write", "report", "through an inherited pipe"});
  o.inherit = {{"report", p.write.get()}};
  bequest::child c = bequest::spawn(o);
  p.write.reset();  // the child holds the only write end now
  auto reader = bequest::make_readable_pipe(io.get_executor(), std::move(p.read));
  std::string text;
  bool done = false;
  asio::async_read(reader, asio::dynamic_buffer(text), [&](std::error_code ec, std::size_t) {
    CHECK(bequest::is_end_of_pipe(ec));
    done = true;
  });
  REQUIRE(run_until(io, [&] { return done; }));
  CHECK(text == "through an inherited pipe");
  CHECK(c.wait().success());

  // The other way round: the parent writes asynchronously, the child reads an ordinary end.
  bequest::pipe_ends q = bequest::make_async_pipe(bequest::pipe_end::write);
  auto o2 = t::probe({"read", "feed"});
  o2.inherit = {{"feed", q.read.get()}};
  o2.out = bequest::stdio::pipe();
  bequest::child c2 = bequest::spawn(o2);
  q.read.reset();
  auto writer = bequest::make_writable_pipe(io.get_executor(), std::move(q.write));
  bool sent = false;
  asio::async_write(writer, asio::buffer(std::string_view("fed asynchronously")), [&](std::error_code ec, std::size_t) {
    CHECK_FALSE(ec);
    writer.close();
    sent = true;
  });
  REQUIRE(run_until(io, [&] { return sent; }));
  CHECK(c2.out().read_all() == "fed asynchronously");
  CHECK(c2.wait().success());
}

TEST_CASE("an async pipe admits only this logon session, to read and write", "[asio][pipes][windows-only]") {
  // Issue 16: the pipe had a named pipe's default DACL, which lets Everyone and the anonymous
  // account read it. Now one entry admits our logon session, with FILE_GENERIC_READ |
  // FILE_GENERIC_WRITE (0x12019f) and nothing else, and the label, at our own integrity
  // level, refuses lower levels reading and writing (NO_WRITE_UP | NO_READ_UP, 0x3). Wine
  // keeps and reports both (its logon SID is S-1-5-5-0-0, its level High).
  for (const auto end : {bequest::pipe_end::read, bequest::pipe_end::write}) {
    bequest::pipe_ends p = bequest::make_async_pipe(end);
    // The ordinary end is the client, opened for reading or writing: either includes
    // READ_CONTROL, which reading the security needs.
    const bequest::unique_handle& client = end == bequest::pipe_end::read ? p.write : p.read;
    const auto entries = support::security_entries(client.get());
    std::string all;
    for (const auto& e : entries) all += e + "\n";
    INFO(all);
    REQUIRE_FALSE(entries.empty());
    CHECK(entries[0] == "allow\t" + support::own_logon_sid() + "\t0x12019f");
    REQUIRE(entries.size() == 2);
    CHECK(entries[1] == "label\t" + support::own_integrity_sid() + "\t0x3");
  }
}

TEST_CASE("a process that connects to an async pipe first gets none of its data and stops no spawn",
          "[asio][pipes][windows-only]") {
  // Another local process that lists the pipes and connects to a new one before bequest does
  // (support::pipe_squatting: the first pipe of each stream, the hook makes sure it wins).
  // bequest drops that pipe and makes another, so the squatter holds a pipe that ends at once
  // and carries nothing, and what it writes reaches no one.
  support::pipe_squatting squatting;
  bequest::run_options ro;
  ro.input = "for the child only";
  const auto r = bequest::run(t::probe({"cat", "eprint", "to err"}), ro);
  const auto reports = squatting.reports();
  std::string all;
  for (const auto& e : reports) all += e + "\n";
  INFO(all);
  CHECK(r.status.success());
  CHECK(r.out == *ro.input);
  CHECK(r.err == "to err");
  REQUIRE(reports.size() == 3);  // one squatter each on stdin's, stdout's and stderr's first pipe
  // stdin's pipe is the one the parent writes: the squatter reads from it and gets nothing.
  CHECK(reports[0] == "connected read / read 0 bytes");
  // stdout's and stderr's: the squatter may write into a pipe that is already dropped.
  for (std::size_t i = 1; i < reports.size(); ++i) CHECK(reports[i].rfind("connected write / ", 0) == 0);
}

TEST_CASE("a process of our session that wins every race for an async pipe makes the spawn fail cleanly",
          "[asio][pipes][windows-only]") {
  // The documented limit (docs/security.md): a process of our own logon session, which the
  // DACL admits, that connects first every time makes bequest give up after four pipes. The
  // spawn then fails with ERROR_PIPE_BUSY, naming the stream, and leaves nothing behind.
  t::handle_count_guard guard;
  std::vector<std::string> reports;
  {
    support::pipe_squatting squatting(1);
    auto o = t::probe({"print", "x"});
    o.out = bequest::stdio::async_pipe();
    const auto f = t::expect_failure(o);
    CHECK(f.code == std::error_code(231, std::system_category()));  // ERROR_PIPE_BUSY
    CHECK(t::mentions(f.message, "create the stdout pipe"));
    reports = squatting.reports();
  }
  std::string all;
  for (const auto& e : reports) all += e + "\n";
  INFO(all);
  CHECK(reports.size() == 4);  // four pipes made, four taken
  for (const auto& line : reports) CHECK(line.rfind("connected write / ", 0) == 0);
}
