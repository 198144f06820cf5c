// SPDX-License-Identifier: BSL-1.0
// Unit tests of the shared, OS-free pieces.
#include "common.hpp"

#include "spawn_common.hpp"

using bequest::detail::parse_inherit_variable;

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
  for (const char* bad : {"results=5;bequest.start!upata=18", "bequest.a b=1", "log=3;bequest.a/b=4", "bequest.\xc3\xa9=1",
                          "bequest.\x01=2"}) {
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
        "exited with code 0XC0000005");
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
  std::vector<std::string> block;
  bequest::detail::failure f;
  REQUIRE(bequest::detail::build_environment(o, {17}, block, f));
  CHECK(block == std::vector<std::string>{"B=3", "C=17", "BEQUEST_INHERIT=h=17"});
  CHECK(bequest::detail::find_variable(block, "C") == std::string_view("17"));
}
