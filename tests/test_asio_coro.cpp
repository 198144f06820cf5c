// SPDX-License-Identifier: BSL-1.0
// <bequest/asio.hpp> under C++20: coroutines with asio::use_awaitable.
#include "common.hpp"

#include <bequest/asio.hpp>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>

static_assert(__cplusplus >= 202002L, "this file tests the C++20 side of <bequest/asio.hpp>");

using namespace std::chrono_literals;

namespace {

// Runs `coro` to its end on a fresh io_context; rethrows what it threw.
template <class Make>
void run_coroutine(Make make) {
  asio::io_context io;
  std::exception_ptr failure;
  bool finished = false;
  asio::co_spawn(io, make(), [&](std::exception_ptr e) {
    failure = e;
    finished = true;
  });
  io.run_for(120s);
  REQUIRE(finished);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("co_await async_wait and an async pipe with use_awaitable", "[asio][coroutines]") {
  run_coroutine([]() -> asio::awaitable<void> {
    auto o = t::probe({"print", "one\n", "sleep", "100", "print", "two\n", "exit", "5"});
    o.out = bequest::stdio::async_pipe();
    bequest::child c = bequest::spawn(o);
    auto ex = co_await asio::this_coro::executor;
    auto out = bequest::make_readable_pipe(ex, std::move(c.out()));
    std::string buffer;
    std::vector<std::string> lines;
    while (true) {
      auto [ec, n] = co_await asio::async_read_until(out, asio::dynamic_buffer(buffer), '\n',
                                                     asio::experimental::as_tuple(asio::use_awaitable));
      if (ec) {
        CHECK(bequest::is_end_of_pipe(ec));
        break;
      }
      lines.push_back(buffer.substr(0, n - 1));
      buffer.erase(0, n);
    }
    CHECK(lines == std::vector<std::string>{"one", "two"});
    // The executor comes from the coroutine: no first argument needed.
    const bequest::exit_status s = co_await bequest::async_wait(c, asio::use_awaitable);
    CHECK(s.code() == 5);
  });
}

TEST_CASE("a timeout races async_wait with awaitable operators, which cancel the loser", "[asio][coroutines][cancel]") {
  using namespace asio::experimental::awaitable_operators;
  run_coroutine([]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    bequest::child slow = bequest::spawn(t::probe({"sleep", "60000"}));
    asio::steady_timer timer(ex, 200ms);
    // operator|| cancels the operation that did not finish first (terminal cancellation).
    auto winner =
        co_await (bequest::async_wait(ex, slow, asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
    CHECK(winner.index() == 1);
    CHECK_FALSE(slow.try_wait());
    slow.kill();
    const bequest::exit_status s = co_await bequest::async_wait(ex, slow, asio::use_awaitable);
    CHECK_FALSE(s.success());

    bequest::child quick = bequest::spawn(t::probe({"exit", "0"}));
    timer.expires_after(60s);
    auto first =
        co_await (bequest::async_wait(ex, quick, asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
    REQUIRE(first.index() == 0);
    CHECK(std::get<0>(first).success());
  });
}
