// SPDX-License-Identifier: BSL-1.0
// The conformance suite's one child program. It runs a sequence of commands given on its
// command line, each with a fixed number of arguments:
//
//   exit N            exit with code N at once
//   sleep MS          sleep
//   argv              print argv[0..] one per line (escaped), then stop reading commands
//   env               print the environment, sorted, one escaped entry per line
//   getenv NAME       print the value of NAME, or "<unset>"
//   env-hex PREFIX    print each entry whose name starts with PREFIX in its raw units, in hex,
//                     sorted (probe_os.hpp, environment_hex)
//   cwd               print the current directory
//   fds               print every open handle: "VALUE<TAB>DESCRIPTION"
//   inherited         print bequest::inherited_handles(): "NAME<TAB>VALUE"
//   read NAME         print everything read from inherited handle NAME
//   write NAME TEXT   write TEXT to inherited handle NAME
//   write-value V TEXT  write TEXT to the handle whose value is V (for substituted values)
//   cat               copy stdin to stdout
//   print TEXT        write TEXT to stdout;  eprint TEXT: to stderr
//   flood N           write N bytes ("x") to stdout, 64 KiB at a time
//   eflood N          the same to stderr ("e")
//   squat NAME        connect to the named pipe NAME first, as another local process could,
//                     and report what that gave (probe_os.hpp, squat_pipe); Windows only
//   clear-inherit     bequest::clear_inherit_variable()
//   ppid              print the id of the parent process (on Windows: bequest's helper)
//   spawn-probe ...   spawn this probe with the remaining arguments via bequest, wait, and
//                     exit with its code
//   startup-data      print what bequest::startup_data(ec) gave: "SIZE<TAB>DIGEST<TAB>ERROR",
//                     ERROR being "ok" or "CATEGORY:VALUE" (digest.hpp)
//   startup-echo      write the start-up data to stdout as it is
//   setenv NAME VALUE set an environment variable of this process (forging BEQUEST_INHERIT)
//   startup-attack    try to change the start-up data through its handle and its view; one
//                     line per attempt, "ROUTE<TAB>refused|wrote"
//   startup-reopen    the same through a second, writable handle to the object
//   children-parent   spawn this probe as "ppid" via bequest and print what it printed: the id
//                     of the process that parents this process's children (POSIX: this
//                     process; Windows: its helper)
//   close-stdio       close stdin, stdout and stderr
//   null-stdio        put the null device in place of stdin, stdout and stderr
//   crash             end by a fault (POSIX: SIGSEGV; Windows: access violation, 0xC0000005)
//   spawn-sleeper K MS  spawn this probe as "sleep MS" via bequest, detached (it outlives us),
//                     with kill_on_parent_exit = K (0 or 1); print its pid on a line at once
//   jobserver-make DIR  run `make -C DIR` with the jobserver descriptors named in MAKEFLAGS kept
//                     at their numbers (inherited::target_fd), as a build tool between two
//                     makes does; exit with make's code (POSIX)
//   sigstate N        print signal N's disposition in this process: "ignored", "default" or
//                     "handled", then " blocked" when it is masked (POSIX; "none" on Windows)
//   pgroup            print "own" if this process leads a process group of its own (POSIX:
//                     getpgid() == getpid(); Windows: Ctrl+C is disabled, the documented mark
//                     of CREATE_NEW_PROCESS_GROUP), else "inherited"
//   tty               print terminal_report() (probe_os.hpp): streams, console, size
//   tty-winch         print "ready", wait for a change of the terminal's size, print the size
//   tty-line          read one line of stdin, print "got:LINE"
//   churn N           write N bytes to stdout and N to stderr while reading stdin, in
//                     turns of 64 KiB each, blocking; exit 0 if stdin held exactly N bytes
//                     of the pattern byte[i] = i % 251, 3 if its length differed, 4 if a byte did
//
// Escaping in printed lines: backslash as "\\", bytes below 0x20 and 0x7F as "\xHH".
#include "digest.hpp"
#include "probe_os.hpp"

#include <bequest/bequest.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>

namespace probe {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  static const char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

template <class H = bequest::native_handle>
H handle_from_value(const std::string& text) {
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if constexpr (std::is_pointer_v<H>) {
    return reinterpret_cast<H>(static_cast<std::uintptr_t>(v));
  } else {
    return static_cast<H>(v);
  }
}

template <class H>
unsigned long long value_of(H h) {
  if constexpr (std::is_pointer_v<H>) {
    return static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(h));
  } else {
    return static_cast<unsigned long long>(h);
  }
}

/// The value BEQUEST_INHERIT publishes for the start-up data, read the way a forger or a
/// curious child would, without the library (which closes the handle once it has mapped it).
unsigned long long published_startup_value() {
  const std::string key = "bequest.startup_data=";
  for (const std::string& e : environment()) {
    if (e.rfind("BEQUEST_INHERIT=", 0) != 0) continue;
    const std::size_t at = e.find(key);
    if (at != std::string::npos) return std::strtoull(e.c_str() + at + key.size(), nullptr, 10);
  }
  return 0;
}

int fail(const std::string& what) {
  write_stderr("probe: " + what + "\n");
  return 99;
}

}  // namespace

int run(const std::vector<std::string>& args) {
  set_binary_stdio();
  std::string out;
  auto flush = [&] {
    if (!out.empty()) write_stdout(out);
    out.clear();
  };
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& cmd = args[i];
    auto need = [&](std::size_t n) { return i + n < args.size(); };
    if (cmd == "exit" && need(1)) {
      flush();
      return std::atoi(args[++i].c_str());
    } else if (cmd == "sleep" && need(1)) {
      flush();
      sleep_ms(std::atol(args[++i].c_str()));
    } else if (cmd == "argv") {
      for (const std::string& a : args) out += escape(a) + "\n";
      break;
    } else if (cmd == "env") {
      auto env = environment();
      std::sort(env.begin(), env.end());
      for (const std::string& e : env) out += escape(e) + "\n";
    } else if (cmd == "getenv" && need(1)) {
      const std::string& name = args[++i];
      std::string value = "<unset>";
      for (const std::string& e : environment()) {
        if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
          value = e.substr(name.size() + 1);
        }
      }
      out += escape(value) + "\n";
    } else if (cmd == "env-hex" && need(1)) {
      auto env = environment_hex(args[++i]);
      std::sort(env.begin(), env.end());
      for (const std::string& e : env) out += e + "\n";
    } else if (cmd == "cwd") {
      out += escape(current_directory()) + "\n";
    } else if (cmd == "fds") {
      for (const open_handle& h : list_handles()) out += std::to_string(h.value) + "\t" + escape(h.description) + "\n";
    } else if (cmd == "inherited") {
      for (const bequest::inherited& e : bequest::inherited_handles()) {
        out += e.name + "\t" + std::to_string(value_of(e.handle)) + "\n";
      }
    } else if (cmd == "read" && need(1)) {
      auto h = bequest::inherited_handle(args[++i]);
      if (!h) return fail("no inherited handle named " + args[i]);
      bequest::unique_handle owned(*h);
      out += owned.read_all();
    } else if (cmd == "write" && need(2)) {
      flush();  // keep stdout and the inherited handle in command order when they are one pipe
      auto h = bequest::inherited_handle(args[++i]);
      if (!h) return fail("no inherited handle named " + args[i]);
      bequest::unique_handle owned(*h);
      owned.write_all(args[++i]);
    } else if (cmd == "write-value" && need(2)) {
      flush();
      bequest::unique_handle owned(handle_from_value(args[++i]));
      owned.write_all(args[++i]);
    } else if (cmd == "cat") {
      flush();
      write_stdout(read_stdin());
    } else if (cmd == "print" && need(1)) {
      out += args[++i];
    } else if (cmd == "eprint" && need(1)) {
      flush();
      write_stderr(args[++i]);
    } else if ((cmd == "flood" || cmd == "eflood") && need(1)) {
      flush();
      const std::string block(65536, cmd == "flood" ? 'x' : 'e');
      auto write = cmd == "flood" ? write_stdout : write_stderr;
      for (long long left = std::atoll(args[++i].c_str()); left > 0; left -= static_cast<long long>(block.size())) {
        write(left >= static_cast<long long>(block.size()) ? block : block.substr(0, static_cast<std::size_t>(left)));
      }
    } else if (cmd == "squat" && need(1)) {
      flush();
      squat_pipe(args[++i]);
    } else if (cmd == "clear-inherit") {
      bequest::clear_inherit_variable();
    } else if (cmd == "ppid") {
      out += std::to_string(parent_process_id()) + "\n";
    } else if (cmd == "startup-data") {
      std::error_code ec;
      const bequest::byte_view data = bequest::startup_data(ec);
      out += std::to_string(data.size()) + "\t" + digest_hex(data.data(), data.size()) + "\t" +
             (ec ? std::string(ec.category().name()) + ":" + std::to_string(ec.value()) : std::string("ok")) + "\n";
    } else if (cmd == "startup-echo") {
      out += std::string(bequest::startup_data().as_string_view());
    } else if (cmd == "setenv" && need(2)) {
      set_env(args[i + 1], args[i + 2]);
      i += 2;
    } else if (cmd == "startup-attack") {
      const unsigned long long value = published_startup_value();
      for (const std::string& line : attack_startup_handle(value)) out += line + "\n";
      const bequest::byte_view data = bequest::startup_data();
      if (data.empty()) return fail("no start-up data to attack");
      for (const std::string& line : attack_startup_view(data.data(), data.size())) out += line + "\n";
    } else if (cmd == "startup-reopen") {
      for (const std::string& line : attack_startup_reopen(published_startup_value())) out += line + "\n";
    } else if (cmd == "jobserver-make" && need(1)) {
      // What a build tool does with make's jobserver (ninja between two makes): run `make -C
      // DIR` with the descriptors MAKEFLAGS names kept at their numbers, and no BEQUEST_INHERIT.
      flush();
      std::optional<std::string> flags;
      for (const std::string& e : environment()) {
        if (e.rfind("MAKEFLAGS=", 0) == 0) flags = e.substr(10);
      }
      const std::string key = "--jobserver-auth=";
      const std::size_t at = flags ? flags->find(key) : std::string::npos;
      if (at == std::string::npos) return fail("jobserver-make: no --jobserver-auth in MAKEFLAGS");
      const std::size_t comma = flags->find(',', at);
      if (comma == std::string::npos) return fail("jobserver-make: --jobserver-auth is not R,W");
      const std::string r = flags->substr(at + key.size(), comma - at - key.size());
      const std::string w = flags->substr(comma + 1, flags->find(' ', comma) - comma - 1);
      bequest::spawn_options o;
      o.program = "make";
      o.args = {"-C", args[++i]};
      o.inherit = {{"jobserver-read", handle_from_value(r), std::atoi(r.c_str())},
                   {"jobserver-write", handle_from_value(w), std::atoi(w.c_str())}};
      o.set_inherit_variable = false;
      return bequest::spawn(o).wait().code().value_or(128);
    } else if (cmd == "spawn-sleeper" && need(2)) {
      flush();
      bequest::spawn_options o;
      o.program = args[0];
      o.kill_on_parent_exit = args[++i] == "1";
      o.args = {"sleep", args[++i]};
      o.on_destroy = bequest::destroy_policy::detach;
      bequest::child c = bequest::spawn(o);
      write_stdout(std::to_string(c.pid()) + "\n");
    } else if (cmd == "children-parent") {
      bequest::spawn_options o;
      o.program = args[0];
      o.args = {"ppid"};
      o.out = bequest::stdio::pipe();
      bequest::child c = bequest::spawn(o);
      out += c.out().read_all();
      if (!c.wait().success()) return fail("children-parent: the ppid probe failed");
    } else if (cmd == "close-stdio" || cmd == "null-stdio") {
      flush();
      drop_stdio(cmd == "close-stdio");
    } else if (cmd == "crash") {
      flush();
      crash();
    } else if (cmd == "sigstate" && need(1)) {
      out += signal_state(std::atoi(args[++i].c_str())) + "\n";
    } else if (cmd == "pgroup") {
      out += leads_own_process_group() ? "own\n" : "inherited\n";
    } else if (cmd == "tty") {
      out += terminal_report();
    } else if (cmd == "tty-winch") {
      flush();
      write_stdout(await_resize() + "\n");
    } else if (cmd == "tty-line") {
      flush();
      write_stdout("got:" + read_line() + "\n");
    } else if (cmd == "churn" && need(1)) {
      flush();
      const long long n = std::atoll(args[++i].c_str());
      std::string out_block(65536, 'o'), err_block(65536, 'e');
      long long to_out = n, to_err = n, got = 0;
      bool in_open = true, pattern_ok = true;
      std::string chunk;
      while (to_out > 0 || to_err > 0 || in_open) {
        if (to_out > 0) {
          const auto k = static_cast<std::size_t>(std::min<long long>(to_out, 65536));
          write_stdout(k == out_block.size() ? out_block : out_block.substr(0, k));
          to_out -= static_cast<long long>(k);
        }
        if (to_err > 0) {
          const auto k = static_cast<std::size_t>(std::min<long long>(to_err, 65536));
          write_stderr(k == err_block.size() ? err_block : err_block.substr(0, k));
          to_err -= static_cast<long long>(k);
        }
        if (in_open) {
          in_open = read_stdin_some(chunk, 65536);
          for (unsigned char c : chunk) {
            if (c != static_cast<unsigned char>(got % 251)) pattern_ok = false;
            ++got;
          }
        }
      }
      if (got != n) return 3;
      return pattern_ok ? 0 : 4;
    } else if (cmd == "spawn-probe") {
      flush();
      bequest::spawn_options o;
      o.program = args[0];
      o.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      return bequest::spawn(o).wait().code().value_or(98);
    } else {
      return fail("bad command or missing argument: " + cmd);
    }
  }
  flush();
  return 0;
}

}  // namespace probe
