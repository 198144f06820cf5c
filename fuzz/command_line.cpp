// SPDX-License-Identifier: BSL-1.0
// Fuzz target: Windows command lines (src/windows_command_line.cpp), for programs that split
// them with the C runtime's rules and for batch files run through cmd.exe.
//
// Input: one flags byte, then the argument vector, its strings separated by NUL bytes (a
// string cannot hold NUL: spawn refuses it before any of this runs).
//
// make_command_line(argv), checked against the independent splitter in windows_argv.cpp:
//  C1. It refuses exactly when argv[0] contains '"' (the program name has no escapes), with
//      index 0 and a reason.
//  C2. Otherwise the line splits back into exactly argv, both by the C runtime's rules and
//      by CommandLineToArgvW's (the line never relies on the rule where the two differ).
//  C3. quote_argument leaves an argument unchanged when it is not empty and holds no space,
//      tab, LF, VT, CR or '"'.
//
// make_batch_command_line(comspec, script, args, cd_is_overridden): script = argv[0],
// args = argv[1..]; comspec one of three fixed paths (flags bits 1-2), as it is always an
// existing file's path; cd_is_overridden = flags bit 0. With
//     line = '"' comspec '" /d /e:ON /v:OFF /c "' C '"'
// (cmd.exe /c strips the first and last quote, so C is the command it runs):
//  B1. It refuses exactly when an item is not passable, with the index of the first such item
//      (0 for the interpreter or the script, i for args[i-1]) and a reason. Not passable: a
//      control character (below 0x20 except tab, or 0x7F); '%' while cd_is_overridden; and for
//      index 0, '"' in comspec or script, an empty script or one ending in '\'.
//  B2. An accepted line has the shape above and no control character but tab.
//  B3. cmd.exe's quote state over C (every '"' toggles it; bequest never uses '^'): outside
//      quotes there is nothing but ASCII letters, digits, - _ . / \ : + @ # $ * ? and the
//      single spaces between items — so none of & | < > ( ) ^ % ! , ; = " or a non-ASCII byte —
//      and C ends outside quotes. Hence C is exactly 1 + args.size() cmd.exe parameters.
//  B4. Every '%' in C begins the guard "%%cd:~,%" (and there is none when cd_is_overridden):
//      no variable name can form between two '%'.
//
// find_best_fit_hazard(text, batch, model), with a model of a best-fit code page (U+FF02 -> '"',
// U+FF3C -> '\', U+3000 -> ' ', U+FF06 -> '&', U+0100 -> 'A', nothing else):
//  W1. It reports exactly the first code point whose image splits_command_line names, at its
//      offset.
//  W2. When no argument has a hazard, the command line make_command_line builds, with every
//      character replaced by its image (what an ANSI child reads), splits into the arguments
//      with the same replacement: the child sees as many arguments, each as meant.
//  B5. What cmd.exe hands the script as %* — C with each guard expanded to '%' — splits, by the
//      C runtime's rules, into exactly script, args (a program the script passes %* to gets
//      the arguments unchanged).
#include "check.hpp"
#include "windows_argv.hpp"
#include "windows_command_line.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace wincmd = bequest::detail::wincmd;
using bequest_fuzz::argv_dialect;
using bequest_fuzz::split_windows_command_line;

constexpr std::string_view guard = "%%cd:~,%";

bool has(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

bool is_control(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7F; }

bool has_control(std::string_view s) {
  for (unsigned char c : s) {
    if (is_control(c)) return true;
  }
  return false;
}

bool plain_for_cmd(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("-_./\\:+@#$*?").find(static_cast<char>(c)) != std::string_view::npos;
}

void check_command_line(const std::vector<std::string>& argv) {
  std::string line;
  wincmd::problem bad;
  const bool ok = wincmd::make_command_line(argv, line, bad);
  // C1
  FUZZ_CHECK(ok == !has(argv[0], '"'));
  if (!ok) {
    FUZZ_CHECK(bad.index == 0 && bad.index < argv.size() && !bad.why.empty());
    return;
  }
  // C2
  FUZZ_CHECK(split_windows_command_line(line, argv_dialect::c_runtime) == argv);
  FUZZ_CHECK(split_windows_command_line(line, argv_dialect::command_line_to_argv) == argv);
  // C3
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!a.empty() && a.find_first_of(std::string_view(" \t\n\v\r\"", 6)) == std::string::npos) {
      FUZZ_CHECK(wincmd::quote_argument(a) == a);
    }
  }
}

void check_batch_line(std::uint8_t flags, const std::vector<std::string>& argv) {
  static const std::string comspecs[] = {R"(C:\Windows\system32\cmd.exe)", R"(C:\Program Files (x86)\my cmd\cmd.exe)",
                                         R"(C:\odd"dir\cmd.exe)", R"(\\server\share\cmd.exe)"};
  const bool cd_overridden = (flags & 1) != 0;
  const std::string& comspec = comspecs[(flags >> 1) & 3];
  const std::string& script = argv[0];
  const std::vector<std::string> args(argv.begin() + 1, argv.end());

  // B1: the first item that cannot be passed, by the rules above.
  auto passable = [&](std::string_view s) { return !has_control(s) && !(cd_overridden && has(s, '%')); };
  std::size_t first_bad = args.size() + 1;  // none
  if (has(comspec, '"') || script.empty() || has(script, '"') || script.back() == '\\' || !passable(script)) {
    first_bad = 0;
  } else {
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (!passable(args[i])) {
        first_bad = i + 1;
        break;
      }
    }
  }

  std::string line;
  wincmd::problem bad;
  const bool ok = wincmd::make_batch_command_line(comspec, script, args, cd_overridden, line, bad);
  FUZZ_CHECK(ok == (first_bad == args.size() + 1));
  if (!ok) {
    FUZZ_CHECK(bad.index == first_bad && bad.index <= args.size() && !bad.why.empty());
    return;
  }

  // B2
  const std::string head = "\"" + comspec + "\" /d /e:ON /v:OFF /c \"";
  FUZZ_CHECK(line.size() >= head.size() + 1 && line.compare(0, head.size(), head) == 0 && line.back() == '"');
  FUZZ_CHECK(!has_control(line));
  const std::string_view c = std::string_view(line).substr(head.size(), line.size() - head.size() - 1);

  // B3
  bool quoted = false;
  std::size_t parameters = 0;
  bool in_parameter = false;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(c[i]);
    if (ch == '"') {
      quoted = !quoted;
    } else if (!quoted && ch == ' ') {
      FUZZ_CHECK(in_parameter);  // exactly one space between items
      in_parameter = false;
      continue;
    } else if (!quoted) {
      FUZZ_CHECK(plain_for_cmd(ch));
    }
    if (!in_parameter) ++parameters;
    in_parameter = true;
  }
  FUZZ_CHECK(!quoted);
  FUZZ_CHECK(parameters == 1 + args.size());

  // B4, and B5's %* text
  std::string expanded;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i] != '%') {
      expanded += c[i];
      continue;
    }
    FUZZ_CHECK(!cd_overridden);
    FUZZ_CHECK(c.substr(i, guard.size()) == guard);
    expanded += '%';
    i += guard.size() - 1;
  }

  // B5
  FUZZ_CHECK(split_windows_command_line(expanded, argv_dialect::c_runtime) == argv);
}

}  // namespace

char model_image(char32_t cp, void*) {
  switch (cp) {
    case 0xFF02: return '"';
    case 0xFF3C: return '\\';
    case 0x3000: return ' ';
    case 0xFF06: return '&';
    case 0x0100: return 'A';
    default: return 0;
  }
}

// Decodes one UTF-8 sequence at `i` the way find_best_fit_hazard does; its length.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  bool whole = i + length <= s.size();
  for (std::size_t k = 1; whole && k < length; ++k) whole = (static_cast<unsigned char>(s[i + k]) & 0xC0u) == 0x80u;
  if (!whole) length = 1;
  cp = c;
  if (c >= 0x80 && length > 1) {
    cp = c & (length == 2 ? 0x1Fu : length == 3 ? 0x0Fu : 0x07u);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  }
  return length;
}

std::string as_ansi_child_reads(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = decode(s, i, cp);
    const char image = n > 1 ? model_image(cp, nullptr) : 0;
    if (image != 0)
      out += image;
    else
      out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

void check_best_fit(const std::vector<std::string>& argv) {
  bool any = false;
  for (const std::string& a : argv) {
    for (const bool batch : {false, true}) {
      const auto hazard = wincmd::find_best_fit_hazard(a, batch, model_image, nullptr);
      // W1
      std::optional<std::size_t> first;
      for (std::size_t i = 0; i < a.size() && !first;) {
        char32_t cp = 0;
        const std::size_t n = decode(a, i, cp);
        if (n > 1) {
          const char image = model_image(cp, nullptr);
          if (image != 0 && wincmd::splits_command_line(image, batch)) first = i;
        }
        i += n;
      }
      FUZZ_CHECK(hazard.has_value() == first.has_value());
      if (hazard) FUZZ_CHECK(hazard->offset == *first && wincmd::splits_command_line(hazard->becomes, batch));
      if (!batch) any = any || hazard.has_value();
    }
  }
  // W2
  std::string line;
  wincmd::problem bad;
  if (any || !wincmd::make_command_line(argv, line, bad)) return;
  std::vector<std::string> expected;
  for (const std::string& a : argv) expected.push_back(as_ansi_child_reads(a));
  FUZZ_CHECK(split_windows_command_line(as_ansi_child_reads(line), argv_dialect::c_runtime) == expected);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  std::vector<std::string> argv(1);
  for (std::size_t i = 1; i < size; ++i) {
    if (data[i] == 0) {
      argv.emplace_back();
    } else {
      argv.back() += static_cast<char>(data[i]);
    }
  }
  check_command_line(argv);
  check_batch_line(flags, argv);
  check_best_fit(argv);
  return 0;
}
