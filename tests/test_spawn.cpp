// SPDX-License-Identifier: BSL-1.0
#include "common.hpp"

#include <filesystem>

TEST_CASE("exit codes are reported as they are", "[spawn]") {
  for (int code : {0, 1, 3, 42, 255}) {
    bequest::child c = bequest::spawn(t::probe({"exit", std::to_string(code)}));
    const bequest::exit_status s = c.wait();
    CHECK(s.code() == code);
    CHECK(s.success() == (code == 0));
    CHECK_FALSE(s.signal());
  }
}

TEST_CASE("arguments arrive exactly, byte for byte", "[spawn]") {
  const std::vector<std::string> args = {"plain",         "",
                                         "with space",    "tab\there",
                                         "quote\"inside", "\"quoted\"",
                                         "back\\slash",   "trailing\\",
                                         "trailing\\\\",  "\\\"mixed\\\\\"",
                                         "new\nline",     "ünïcödé ✓ 日本",
                                         "*?[glob]",      "$HOME %PATH% !x!",
                                         "  lead",        "'single'"};
  std::vector<std::string> probe_args = {"argv"};
  probe_args.insert(probe_args.end(), args.begin(), args.end());
  const auto got = t::unescaped_lines(t::output_of(t::probe(probe_args)));
  REQUIRE(got.size() == args.size() + 2);
  for (std::size_t i = 0; i < args.size(); ++i) CHECK(got[i + 2] == args[i]);
}

TEST_CASE("argv0 is the program as given unless overridden", "[spawn]") {
  auto o = t::probe({"argv"});
  CHECK(t::unescaped_lines(t::output_of(o)).at(0) == o.program);
  o.argv0 = "custom-name";
  CHECK(t::unescaped_lines(t::output_of(o)).at(0) == "custom-name");
}

TEST_CASE("an empty argument list runs the program with argv0 only", "[spawn]") {
  bequest::child c = bequest::spawn(t::probe({}));
  CHECK(c.wait().success());
}

TEST_CASE("a bare program name is searched on the child's PATH", "[spawn]") {
  const std::string dir = support::temp_dir() + "/pathdir";
  support::copy_probe(dir, "bequest-probe-copy");
  auto o = t::probe({"print", "found"});
  o.program = "bequest-probe-copy";
  o.env = bequest::environment::inherit().set("PATH", dir);
  CHECK(t::output_of(o) == "found");
}

TEST_CASE("PATH search never looks in the current directory", "[spawn]") {
  // The probe sits in the directory the suite runs in.
  const std::string name = std::filesystem::path(support::probe_path()).stem().string();
  REQUIRE(std::filesystem::equivalent(std::filesystem::current_path(),
                                      std::filesystem::path(support::probe_path()).parent_path()));
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.program = name;
  o.env = bequest::environment::inherit().set("PATH", support::missing_path());
  const auto f = t::expect_failure(o);
  CHECK(f.code == std::errc::no_such_file_or_directory);
  CHECK(t::mentions(f.message, "not found"));
}

TEST_CASE("a relative program path is taken from the parent's directory, not cwd", "[spawn]") {
  // "./name" or "..\\dir\\name": a path, so no PATH search is involved.
  const auto relative = (std::filesystem::path(".") / std::filesystem::relative(support::probe_path())).string();
  auto o = t::probe({"print", "ok"});
  o.program = relative;
  o.cwd = support::temp_dir();
  CHECK(t::output_of(o) == "ok");
}

TEST_CASE("cwd sets the child's working directory", "[spawn]") {
  auto o = t::probe({"cwd"});
  o.cwd = support::temp_dir();
  const auto got = t::unescaped_lines(t::output_of(o));
  REQUIRE(got.size() == 1);
  CHECK(std::filesystem::equivalent(got[0], support::temp_dir()));
}

TEST_CASE("a child can spawn a grandchild with bequest", "[spawn]") {
  bequest::child c = bequest::spawn(t::probe({"spawn-probe", "exit", "7"}));
  CHECK(c.wait().code() == 7);
}
