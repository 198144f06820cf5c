// SPDX-License-Identifier: BSL-1.0
// The conformance suite's one child program. It runs a sequence of commands given on its
// command line, each with a fixed number of arguments:
//
//   exit N            exit with code N at once
//   sleep MS          sleep
//   argv              print argv[0..] one per line (escaped), then stop reading commands
//   env               print the environment, sorted, one escaped entry per line
//   getenv NAME       print the value of NAME, or "<unset>"
//   cwd               print the current directory
//   fds               print every open handle: "VALUE<TAB>DESCRIPTION"
//   inherited         print bequest::inherited_handles(): "NAME<TAB>VALUE"
//   read NAME         print everything read from inherited handle NAME
//   write NAME TEXT   write TEXT to inherited handle NAME
//   write-value V TEXT  write TEXT to the handle whose value is V (for substituted values)
//   cat               copy stdin to stdout
//   print TEXT        write TEXT to stdout;  eprint TEXT: to stderr
//   flood N           write N bytes to stdout
//   clear-inherit     bequest::clear_inherit_variable()
//   spawn-probe ...   spawn this probe with the remaining arguments via bequest, wait, and
//                     exit with its code
//
// Escaping in printed lines: backslash as "\\", bytes below 0x20 and 0x7F as "\xHH".
#include "probe_os.hpp"

#include <bequest/bequest.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <cstdlib>
#include <string>

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
    } else if (cmd == "flood" && need(1)) {
      flush();
      const std::string block(65536, 'x');
      for (long long left = std::atoll(args[++i].c_str()); left > 0; left -= static_cast<long long>(block.size())) {
        write_stdout(left >= static_cast<long long>(block.size()) ? block : block.substr(0, static_cast<std::size_t>(left)));
      }
    } else if (cmd == "clear-inherit") {
      bequest::clear_inherit_variable();
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
