// SPDX-License-Identifier: BSL-1.0
// Unit tests of the shared, OS-free pieces.
#include "common.hpp"

#include "error_text.hpp"
#include "inherit_format.hpp"
#include "lowering.hpp"
#include "wtf8.hpp"

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

using bequest::detail::parse_inherit_variable;
using t::mentions;

TEST_CASE("the BEQUEST_INHERIT parser accepts the published form", "[units]") {
  const auto e = parse_inherit_variable("log=3;listen=4;a.b-c_d=18446744073709551615");
  REQUIRE(e.size() == 3);
  CHECK(e[0].first == "log");
  CHECK(e[0].second == 3u);
  CHECK(e[1].first == "listen");
  CHECK(e[2].second == 18446744073709551615ull);
  CHECK(parse_inherit_variable("").empty());
}

TEST_CASE("the BEQUEST_INHERIT parser voids a damaged variable whole", "[units]") {
  for (const char* bad : {"log", "log=", "=3", "log=3;", ";log=3", "log=3;;x=4", "log=03", "log=-3", "log=3x",
                          "log=18446744073709551616", "log=3;log=4", "bad name=3", "log=3;x=4;y", "log= 3"}) {
    INFO(bad);
    CHECK(parse_inherit_variable(bad).empty());
  }
}

TEST_CASE("the BEQUEST_INHERIT parser holds reserved names to the same syntax", "[units]") {
  // Found by the fuzzer (fuzz/regressions/inherit_variable): a name with the reserved prefix
  // skipped the character check, so a damaged variable kept its other entries.
  for (const char* bad : {"results=5;bequest.start!upata=18", "bequest.a b=1", "log=3;bequest.a/b=4",
                          "bequest.\xc3\xa9=1", "bequest.\x01=2"}) {
    INFO(bad);
    CHECK(parse_inherit_variable(bad).empty());
  }
  const auto ok = parse_inherit_variable("results=5;bequest.startup_data=18;bequest.=7");
  REQUIRE(ok.size() == 3);
  CHECK(ok[1].first == "bequest.startup_data");
  CHECK(ok[2].first == "bequest.");
}

TEST_CASE("the BEQUEST_INHERIT parser voids the whole variable for one value above the bound", "[units]") {
  // Issue 16: the child dropped only the entry whose value fit no handle and kept the rest.
  CHECK(parse_inherit_variable("log=3;big=2147483648", 2147483647u).empty());
  CHECK(parse_inherit_variable("big=4294967296;log=3", 4294967295u).empty());
  const auto within = parse_inherit_variable("log=3;big=2147483647", 2147483647u);
  REQUIRE(within.size() == 2);
  CHECK(within[1].second == 2147483647u);
  CHECK(parse_inherit_variable("log=3;big=4294967296").size() == 2);  // unbounded by default
}

TEST_CASE("exit_status formats for people", "[units]") {
  CHECK(fmt::format("{}", bequest::exit_status::exited(3)) == "exited with code 3");
  CHECK(fmt::format("{}", bequest::exit_status::exited(static_cast<int>(0xC0000005u))) ==
        "exited with code 0xC0000005");
  const std::string killed = fmt::format("{}", bequest::exit_status::signaled(9));
  CHECK(killed.rfind("killed by signal 9", 0) == 0);
  CHECK(bequest::exit_status::exited(0).success());
  CHECK_FALSE(bequest::exit_status::signaled(15).success());
  CHECK_FALSE(bequest::exit_status::signaled(15).code());
}

TEST_CASE("inherited names follow the documented rules", "[units]") {
  using bequest::detail::inherited_name_problem;
  CHECK(inherited_name_problem("log") == nullptr);
  CHECK(inherited_name_problem("A-z_0.9") == nullptr);
  CHECK(inherited_name_problem(std::string(64, 'n')) == nullptr);
  CHECK(inherited_name_problem(std::string(65, 'n')) != nullptr);
  CHECK(inherited_name_problem("") != nullptr);
  CHECK(inherited_name_problem("a=b") != nullptr);
  CHECK(inherited_name_problem("bequest.x") != nullptr);
}

TEST_CASE("the child's environment keeps order, applies changes and publishes handles", "[units]") {
  bequest::spawn_options o;
  o.program = "x";
  o.env = bequest::environment::empty().set("B", "1").set("A", "2").set("B", "3").unset("A").set("C", "{handle:h}");
  o.inherit = {{"h", bequest::invalid_native_handle}};
  o.substitute_handles = true;
  const auto block = t::lowered_environment(o, {17});
  CHECK(block == std::vector<std::string>{"B=3", "C=17", "BEQUEST_INHERIT=h=17"});
}

TEST_CASE("exec errors are described by what they mean", "[units]") {
  using bequest::detail::describe_exec_error;
  CHECK(mentions(describe_exec_error(E2BIG, "/x"), "ARG_MAX"));
  CHECK(mentions(describe_exec_error(E2BIG, "/x"), "startup_data"));
  CHECK(mentions(describe_exec_error(ENOEXEC, "/x"), "#! line"));
  CHECK(mentions(describe_exec_error(ENOENT, "/x"), "interpreter was not found"));
  CHECK(describe_exec_error(EACCES, "/bin/x") == "execute \"/bin/x\"");
}

TEST_CASE("CreateProcess errors are described by what they mean, elevation included", "[units]") {
  using bequest::detail::describe_create_process_error;
  namespace code = bequest::detail::win32_code;
  const std::string path = "C:\\x\\tool.exe";
  CHECK(mentions(describe_create_process_error(code::bad_exe_format, path), "not a Windows program"));
  CHECK(mentions(describe_create_process_error(code::exe_machine_type_mismatch, path), "not a Windows program"));
  const std::string elevation = describe_create_process_error(code::elevation_required, path);
  CHECK(mentions(elevation, "requires elevation"));
  CHECK_FALSE(mentions(elevation, "cwd"));
  CHECK(mentions(describe_create_process_error(code::directory, path), "cwd is not a valid directory"));
  CHECK(describe_create_process_error(5, path) == "execute \"C:\\x\\tool.exe\" (CreateProcess)");
}

TEST_CASE("handle placeholders are found once and rendered with the child's values", "[units]") {
  using bequest::detail::handle_template;
  const std::vector<bequest::inherited> inherit = {{"log", bequest::invalid_native_handle},
                                                   {"sock", bequest::invalid_native_handle}};
  handle_template t;
  std::string problem;
  REQUIRE(handle_template::parse("--log={handle:log} --s={handle:sock}{handle:log}", inherit, t, problem));
  CHECK(t.render({7, 12}) == "--log=7 --s=127");
  CHECK(t.text() == "--log={handle:log} --s={handle:sock}{handle:log}");
  CHECK_FALSE(handle_template::parse("{handle:nope}", inherit, t, problem));
  CHECK(mentions(problem, "names no entry"));
  CHECK_FALSE(handle_template::parse("x{handle:log", inherit, t, problem));
  CHECK(mentions(problem, "unterminated"));
  CHECK(handle_template("{handle:log}").render({1, 2}) == "{handle:log}");
}

TEST_CASE("environment names compare as the platform does", "[units]") {
  using bequest::detail::os::env_names_equal;
  const bool windows = !support::exe_suffix().empty();
  CHECK(env_names_equal("PATH", "PATH"));
  CHECK_FALSE(env_names_equal("PATH", "PATH2"));
  CHECK_FALSE(env_names_equal("PATH", "PAT"));
  // Windows: ordinal and without regard to case, beyond ASCII too (CompareStringOrdinal with
  // bIgnoreCase, as the system's own environment does); POSIX: the bytes.
  CHECK(env_names_equal("Path", "PATH") == windows);
  CHECK(env_names_equal("PEER_\u00e4\u00df\u00f6", "PEER_\u00c4\u00df\u00d6") == windows);  // äßö, ÄßÖ
  CHECK(env_names_equal("\u03a9mega_\u0416", "\u03c9MEGA_\u0436") == windows);              // Ωmega_Ж, ωMEGA_ж
  // One unit is never two: ß is not SS.
  CHECK_FALSE(env_names_equal("PEER_\u00df", "PEER_SS"));
  // An unpaired surrogate (in its WTF-8 form, as current_environment gives it) is equal to
  // itself only; the letters around it still fold.
  CHECK(env_names_equal("X\xED\xA0\x80", "x\xED\xA0\x80") == windows);
  CHECK_FALSE(env_names_equal("X\xED\xA0\x80", "X\xED\xA0\x81"));
  CHECK_FALSE(env_names_equal("X\xED\xA0\x80", "X\xEF\xBF\xBD"));  // nor U+FFFD, what it used to become
}

namespace {
/// A test double for another platform's rule: names equal without regard to the case of ASCII
/// and of the Latin-1 letters À..Þ / à..þ (UTF-8 C3 80..9E / C3 A0..BE), so that shared code is
/// seen to use the rule it is given, on either platform.
std::string latin1_folded(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c + 32);
    if (c == 0xC3 && i + 1 < out.size()) {
      const auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 32);
      ++i;
    }
  }
  return out;
}
bool latin1_ignoring_case(std::string_view a, std::string_view b) { return latin1_folded(a) == latin1_folded(b); }
bool same_bytes(std::string_view a, std::string_view b) { return a == b; }
}  // namespace

TEST_CASE("the environment's names are one variable when the rule says so, under the first spelling", "[units]") {
  bequest::detail::env_pairs env({{"Path", "a"}, {"HOME", "h"}, {"PEER_\u00e4\u00df\u00f6", "p"}},
                                 latin1_ignoring_case);
  env.set("PATH", bequest::detail::handle_template("b"));
  env.set("PEER_\u00c4\u00df\u00d6", bequest::detail::handle_template("q"));
  REQUIRE(env.entries().size() == 3);
  CHECK(env.entries()[0].first == "Path");  // the first spelling stays, with the last value
  CHECK(env.text_of("path") == std::string_view("b"));
  CHECK(env.entries()[2].first == "PEER_\u00e4\u00df\u00f6");
  CHECK(env.text_of("peer_\u00c4\u00df\u00d6") == std::string_view("q"));
  env.erase("home");
  CHECK(env.entries().size() == 2);

  // The same through lowering, with each rule: the changes as the caller made them.
  bequest::spawn_options o;
  o.program = "x";
  o.env = bequest::environment::empty()
              .set("PEER_\u00e4\u00df\u00f6", "1")
              .set("PEER_\u00c4\u00df\u00d6", "2")
              .set("Other", "x")
              .unset("OTHER");
  CHECK(t::lowered_environment(o, {}, {}, latin1_ignoring_case) ==
        std::vector<std::string>{"PEER_\u00e4\u00df\u00f6=2"});
  CHECK(t::lowered_environment(o, {}, {}, same_bytes) ==
        std::vector<std::string>{"PEER_\u00e4\u00df\u00f6=1", "PEER_\u00c4\u00df\u00d6=2", "Other=x"});
}

TEST_CASE("WTF-8 carries any UTF-16 units and gives them back unit for unit", "[units]") {
  namespace wtf8 = bequest::detail::wtf8;
  using units = std::u16string;
  CHECK(wtf8::encode(std::u16string_view(u"plain \u00e4\u20ac")) == "plain \xC3\xA4\xE2\x82\xAC");
  CHECK(wtf8::encode(std::u16string_view(u"\U0001F600")) == "\xF0\x9F\x98\x80");  // a pair: UTF-8's 4 bytes
  const units lone = {u'a', 0xD800, u'b', 0xDC00};                                // unpaired lead, unpaired trail
  CHECK(wtf8::encode(std::u16string_view(lone)) ==
        "a\xED\xA0\x80"
        "b\xED\xB0\x80");
  const units trail_then_lead = {0xDC00, 0xD800};  // not a pair: the order is wrong
  CHECK(wtf8::encode(std::u16string_view(trail_then_lead)) == "\xED\xB0\x80\xED\xA0\x80");

  // Every single unit, and every lead or trail beside every kind of neighbour, round-trips.
  units out;
  for (std::uint32_t u = 0; u <= 0xFFFF; ++u) {
    const units one(1, static_cast<char16_t>(u));
    REQUIRE(wtf8::decode(wtf8::encode(std::u16string_view(one)), out));
    REQUIRE(out == one);
  }
  for (char16_t a : {u'x', char16_t(0xD800), char16_t(0xDBFF), char16_t(0xDC00), char16_t(0xDFFF), char16_t(0xFFFF)}) {
    for (char16_t b :
         {u'x', char16_t(0xD800), char16_t(0xDBFF), char16_t(0xDC00), char16_t(0xDFFF), char16_t(0xE000)}) {
      const units two = {a, b};
      INFO(static_cast<unsigned>(a) << " " << static_cast<unsigned>(b));
      CHECK((wtf8::decode(wtf8::encode(std::u16string_view(two)), out) && out == two));
    }
  }

  // Not WTF-8: a pair written as two 3-byte forms (its one form is 4 bytes), and what is not
  // UTF-8 either.
  for (const char* bad : {"\xED\xA0\xBD\xED\xB8\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\x80",
                          "\xFF", "\xED\xA0"}) {
    INFO(bad);
    CHECK_FALSE(wtf8::decode(bad, out));
  }
  REQUIRE(
      wtf8::decode("a\xED\xA0\x80"
                   "b",
                   out));
  CHECK(out == units{u'a', 0xD800, u'b'});
}

TEST_CASE("UTF-8 is checked to the letter", "[units]") {
  using bequest::detail::is_valid_utf8;
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80"));  // ä € 😀
  CHECK_FALSE(is_valid_utf8("\xc3"));                            // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));                        // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));                    // overlong, three bytes
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));                    // a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                // past U+10FFFF
  CHECK_FALSE(is_valid_utf8("\x80"));                            // a lone continuation byte
}

TEST_CASE("the stream names come from one table", "[units]") {
  CHECK(std::string(bequest::detail::stdio_name(0)) == "stdin");
  CHECK(std::string(bequest::detail::stdio_name(1)) == "stdout");
  CHECK(std::string(bequest::detail::stdio_name(2)) == "stderr");
}
