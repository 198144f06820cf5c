// SPDX-License-Identifier: BSL-1.0
// Unit tests of the shared, OS-free pieces.
#include "common.hpp"

#include "error_text.hpp"
#include "inherit_format.hpp"
#include "lowering.hpp"

#include <cerrno>

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
  using bequest::detail::env_names_equal;
  CHECK(env_names_equal("Path", "PATH", true));
  CHECK_FALSE(env_names_equal("Path", "PATH", false));
  CHECK_FALSE(env_names_equal("PATH", "PATH2", true));
  bequest::detail::env_pairs env(true, {{"Path", "a"}, {"HOME", "h"}});
  env.set("PATH", bequest::detail::handle_template("b"));
  REQUIRE(env.entries().size() == 2);
  CHECK(env.entries()[0].first == "Path");  // the first spelling stays, with the last value
  CHECK(env.text_of("path") == std::string_view("b"));
  env.erase("home");
  CHECK(env.entries().size() == 1);
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
