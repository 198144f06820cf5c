// SPDX-License-Identifier: BSL-1.0
// spawn_options::terminal: a child whose standard streams are a new terminal.
#include "common.hpp"

#include <bequest/asio.hpp>

#include <asio/io_context.hpp>
#include <asio/write.hpp>

#include <csignal>
#include <functional>
#include <sstream>
#include <string>

namespace {

bequest::spawn_options on_terminal(std::vector<std::string> args, bequest::terminal_size size = {}) {
  bequest::spawn_options o = t::probe(std::move(args));
  o.terminal = size;
  return o;
}

/// Reads the terminal's output until `marker` has appeared (or the output ends).
std::string read_until(bequest::child& c, const std::string& marker, std::string text = {}) {
  char buffer[4096];
  while (text.find(marker) == std::string::npos) {
    const std::size_t n = c.out().read_some(buffer, sizeof buffer);
    if (n == 0) break;
    text.append(buffer, n);
  }
  return text;
}

/// The description of fd / handle `value` in a probe's `fds` listing, or empty.
std::string described(const std::string& listing, const std::string& value) {
  for (const std::string& line : t::lines(listing)) {
    if (line.rfind(value + "\t", 0) == 0) return line.substr(value.size() + 1);
  }
  return {};
}

/// What each handle in a probe's `fds` listing is, without values or numbers (a pipe's inode,
/// a terminal's number), sorted: two listings of the same kinds of handle compare equal.
std::vector<std::string> kinds(const std::string& listing) {
  std::vector<std::string> out;
  for (const std::string& line : t::lines(listing)) {
    std::string kind;
    for (char ch : line.substr(line.find('\t') + 1)) {
      if (ch < '0' || ch > '9') kind += ch;
    }
    out.push_back(kind);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("terminal: the child's standard streams are the terminal", "[terminal]") {
  bequest::child c = bequest::spawn(on_terminal({"tty"}));
  CHECK_FALSE(c.err());
  const std::string text = c.out().read_all();  // to the end, which must not be an error
  INFO(text);
  // Wine does not connect a pseudoconsole child's standard handles (docs/windows.md); the
  // console itself is there all the same.
  CHECK(t::mentions(text, support::running_under_wine() ? "streams n n n" : "streams y y y"));
  CHECK(t::mentions(text, "console y"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: a child with kill_on_parent_exit is on the terminal too", "[terminal]") {
  // POSIX starts such a child by clone rather than posix_spawn: the same steps, done by hand.
  bequest::spawn_options o = on_terminal({"tty"}, {33, 99});
  o.kill_on_parent_exit = true;
  bequest::child c = bequest::spawn(o);
  const std::string text = c.out().read_all();
  INFO(text);
  CHECK(t::mentions(text, support::running_under_wine() ? "streams n n n" : "streams y y y"));
  CHECK(t::mentions(text, "console y"));
  CHECK(t::mentions(text, "size 33 99"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: the child sees the size it was given", "[terminal]") {
  bequest::child c = bequest::spawn(on_terminal({"tty"}, {30, 100}));
  const std::string text = c.out().read_all();
  INFO(text);
  CHECK(t::mentions(text, "size 30 100"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: resize_terminal reaches the child", "[terminal]") {
  bequest::child c = bequest::spawn(on_terminal({"tty-winch"}, {24, 80}));
  std::string text = read_until(c, "ready");
  std::error_code ec;
  c.resize_terminal({40, 120}, ec);
  if (support::running_under_wine()) {
    // Wine's ResizePseudoConsole is E_NOTIMPL (docs/windows.md): a clear error, not silence.
    INFO(ec.message());
    CHECK(ec);
    CHECK_THROWS_AS(c.resize_terminal({40, 120}), bequest::error);
    c.kill();
  } else {
    REQUIRE_FALSE(ec);
    text = read_until(c, "size 40 120", text);
    INFO(text);
    CHECK(t::mentions(text, "size 40 120"));
    CHECK(c.wait().success());
  }
}

TEST_CASE("terminal: input written to in() reaches the child", "[terminal]") {
  bequest::child c = bequest::spawn(on_terminal({"tty", "tty-line"}));
  // Once the child is reading its terminal (it has reported it): input typed before a child
  // opened the console was seen to go nowhere under Wine 8, and the child waited for ever.
  std::string text = read_until(c, "size");
  c.in().write_all("hello there\r");
  text += c.out().read_all();
  INFO(text);
  CHECK(t::mentions(text, "got:hello there"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: ^C written to the input ends the child's group with SIGINT", "[terminal][posix-only]") {
  bequest::child c = bequest::spawn(on_terminal({"print", "ready\n", "sleep", "60000"}));
  (void)read_until(c, "ready");
  c.in().write_all("\x03");
  const bequest::exit_status s = c.wait();
  CHECK(s.signal() == std::optional<int>(SIGINT));
}

TEST_CASE("terminal: out() reaches end of file once the child has exited", "[terminal]") {
  bequest::child c = bequest::spawn(on_terminal({"tty", "print", "bye"}));
  std::error_code ec;
  const std::string text = c.out().read_all(ec);
  CHECK_FALSE(ec);
  CHECK(t::mentions(text, "bye"));
  CHECK(c.wait().success());
  // And it stays at the end: no EIO from the master afterwards either.
  char byte;
  REQUIRE(c.out());
  CHECK(c.out().read_some(&byte, 1, ec) == 0);
  CHECK_FALSE(ec);
}

TEST_CASE("terminal: no terminal handle reaches the child, a second child or a rogue spawner's child",
          "[terminal][inherit]") {
  t::handle_count_guard guard;
  // What a plain child of ours and a careless spawner's child hold before any terminal exists...
  const std::vector<std::string> second_before = kinds(t::output_of(t::probe({"fds"})));
  const std::vector<std::string> rogue_before = kinds(support::rogue_spawn({"fds"}));
  bequest::child c = bequest::spawn(on_terminal({"tty", "fds", "print", "listed\n", "tty-line"}));
  const std::string listing = read_until(c, "listed");
  INFO("terminal child:\n" << listing);
  CHECK_FALSE(t::mentions(listing, "ptmx"));
  // ...and while one is open: the same kinds of handle, not one more.
  const std::string second = t::output_of(t::probe({"fds"}));
  const std::string rogue = support::rogue_spawn({"fds"});
  INFO("second child:\n" << second << "rogue's child:\n" << rogue);
  CHECK(kinds(second) == second_before);
  CHECK(kinds(rogue) == rogue_before);
  CHECK_FALSE(t::mentions(second + rogue, "ptmx"));
  c.in().write_all("done\r");
  CHECK(t::mentions(c.out().read_all(), "got:done"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: the terminal child's streams are the terminal and nothing else",
          "[terminal][inherit][posix-only]") {
  bequest::child c = bequest::spawn(on_terminal({"fds"}));
  const std::string listing = c.out().read_all();
  INFO(listing);
  const std::string terminal = described(listing, "0");
  CHECK(t::mentions(terminal, "/dev/pts/"));
  CHECK(described(listing, "1") == terminal);
  CHECK(described(listing, "2") == terminal);
  // Nothing else, where inheritance is exact. Without it (the generic POSIX build has no
  // closefrom action) the documented weaker guarantee: what the process that started the
  // suite left us without FD_CLOEXEC may arrive too, and nothing more.
  std::size_t extra = 0;
  if (!bequest::exact_inheritance()) {
    for (const auto& [fd, what] : support::inherited_from_caller()) {
      std::ostringstream number;  // an fd here; the test does not run on Windows
      number << fd << '\t';
      if (t::mentions("\n" + listing, "\n" + number.str())) ++extra;
    }
  }
  CHECK(t::lines(listing).size() == 3 + extra);
  CHECK_FALSE(t::mentions(listing, "ptmx"));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: a terminal child with an inherit entry receives exactly that entry", "[terminal][inherit]") {
  support::canary canary = support::make_canary("term");
  support::canary other = support::make_canary("termother");
  bequest::spawn_options o = on_terminal({"tty", "inherited", "fds"});
  o.inherit = {{"canary", canary.handle.get()}};
  std::error_code ec;
  std::string message;
  bequest::child c = bequest::spawn(o, ec, message);
  if (support::running_under_wine() && ec) {
    // Wine refuses PARENT_PROCESS together with PSEUDOCONSOLE (docs/windows.md).
    INFO(message);
    CHECK(t::mentions(message, "terminal"));
    return;
  }
  REQUIRE_FALSE(ec);
  const std::string listing = c.out().read_all();
  INFO(listing);
  CHECK(t::mentions(listing, "canary\t"));
  CHECK(t::mentions(listing, canary.tag));
  CHECK_FALSE(t::mentions(listing, other.tag));
  CHECK(c.wait().success());
}

TEST_CASE("terminal: handles other code made inheritable do not reach a terminal child", "[terminal][inherit]") {
  support::canary leaky = support::make_leaky_canary("termleak");
  support::canary ours = support::make_canary("termours");
  support::make_inheritable(ours.handle.get());  // one of ours, flipped by someone else
  // Wide enough that no path in the listing is wrapped (a Windows console wraps at its width),
  // and tall enough that no line scrolls off (a conhost that renders frames may skip those).
  bequest::child c = bequest::spawn(on_terminal({"tty", "fds", "print", "listed\n"}, {200, 1000}));
  // Up to the marker rather than to the end of the output, which does not depend on us alone
  // on Windows (docs/windows.md, A child on a terminal).
  const std::string listing = read_until(c, "listed");
  INFO(listing);
  CHECK(t::mentions(listing, "console y"));
  // Where the platform cannot close foreign descriptors (exact_inheritance() is false), the
  // documented weaker guarantee: they do arrive.
  CHECK(t::mentions(listing, leaky.tag) == !bequest::exact_inheritance());
  CHECK(t::mentions(listing, ours.tag) == !bequest::exact_inheritance());
  CHECK(c.wait().success());
}

TEST_CASE("terminal: bad combinations are errors naming the option", "[terminal][errors]") {
  t::handle_count_guard guard;
  struct bad {
    const char* stream;
    bequest::spawn_options o;
  };
  std::vector<bad> cases;
  cases.push_back({"stdin", on_terminal({"exit", "0"})});
  cases.back().o.in = bequest::stdio::pipe();
  cases.push_back({"stdout", on_terminal({"exit", "0"})});
  cases.back().o.out = bequest::stdio::null();
  cases.push_back({"stderr", on_terminal({"exit", "0"})});
  cases.back().o.err = bequest::stdio::to_stdout();
  for (const bad& b : cases) {
    const t::spawn_failure f = t::expect_failure(b.o);
    INFO(f.message);
    CHECK(f.code == std::errc::invalid_argument);
    CHECK(t::mentions(f.message, b.stream));
    CHECK(t::mentions(f.message, "terminal"));
  }
  const t::spawn_failure f = t::expect_failure(on_terminal({"exit", "0"}, {0, 80}));
  INFO(f.message);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(t::mentions(f.message, "terminal"));

  bequest::child plain = bequest::spawn(t::probe({"exit", "0"}));
  std::error_code ec;
  plain.resize_terminal({30, 90}, ec);
  CHECK(ec == std::errc::invalid_argument);
  CHECK_THROWS_AS(plain.resize_terminal({30, 90}), bequest::error);
  CHECK(plain.wait().success());
}

TEST_CASE("terminal: in() and out() work with Asio", "[terminal][asio]") {
  asio::io_context io;
  bequest::child c = bequest::spawn(on_terminal({"tty", "tty-line"}));
  auto in = bequest::make_writable_pipe(io, std::move(c.in()));
  auto out = bequest::make_readable_pipe(io, std::move(c.out()));
  const std::string line = "async hello\r";
  bool written = false;
  asio::async_write(in, asio::buffer(line), [&](std::error_code ec, std::size_t) { written = !ec; });
  std::string text;
  char buffer[1024];
  std::function<void(std::error_code, std::size_t)> on_read = [&](std::error_code ec, std::size_t n) {
    text.append(buffer, n);
    if (!ec && !t::mentions(text, "got:async hello")) out.async_read_some(asio::buffer(buffer), on_read);
  };
  out.async_read_some(asio::buffer(buffer), on_read);
  io.run();
  INFO(text);
  CHECK(written);
  CHECK(t::mentions(text, "got:async hello"));
  CHECK(c.wait().success());
}
