// SPDX-License-Identifier: BSL-1.0
#include "common.hpp"

#include "platform.hpp"

namespace {
std::vector<std::string> child_env(const bequest::spawn_options& o) { return t::unescaped_lines(t::output_of(o)); }
bool has_entry(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}
bool has_name(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}
}  // namespace

TEST_CASE("the parent's environment is inherited by default", "[env]") {
  const auto env = child_env(t::probe({"env"}));
  for (const auto& [name, value] : bequest::detail::os::current_environment()) {
    if (name == bequest::inherit_variable) continue;
    INFO(name);
    CHECK(has_entry(env, name + "=" + value));
  }
}

// The variables Wine puts into every new process's environment, whatever block it was given
// (docs/windows.md, the Wine table): Wine 8 WINE*, SystemRoot, windir and SystemDrive; Wine 10
// PROCESSOR_ARCHITECTURE as well. Windows adds none.
bool added_by_wine(const std::string& name) {
  const int wine = support::wine_major_version();
  if (wine == 0) return false;
  if (name.rfind("WINE", 0) == 0 || name == "SystemRoot" || name == "windir" || name == "SystemDrive") return true;
  return wine >= 10 && name == "PROCESSOR_ARCHITECTURE";
}

TEST_CASE("an empty environment holds only what is set", "[env]") {
  auto o = t::probe({"env"});
  o.env = bequest::environment::empty().set("ONLY_ME", "1");
  const auto env = child_env(o);
  CHECK(has_entry(env, "ONLY_ME=1"));
  // Nothing else, not even one of ours: what is there must be Wine's own.
  for (const std::string& entry : env) {
    if (entry == "ONLY_ME=1") continue;
    INFO(entry);
    CHECK(added_by_wine(entry.substr(0, entry.find('=', 1))));
  }
}

TEST_CASE("set, unset and the order of changes", "[env]") {
  auto o = t::probe({"env"});
  o.env = bequest::environment::inherit()
              .set("BQ_A", "1")
              .set("BQ_B", "2")
              .unset("BQ_B")
              .set("BQ_C", "x")
              .set("BQ_C", "y")
              .set("BQ_EMPTY", "")
              .set("BQ_UTF8", "ünï ✓");
  const auto env = child_env(o);
  CHECK(has_entry(env, "BQ_A=1"));
  CHECK_FALSE(has_name(env, "BQ_B"));
  CHECK(has_entry(env, "BQ_C=y"));
  CHECK_FALSE(has_entry(env, "BQ_C=x"));
  CHECK(has_entry(env, "BQ_EMPTY="));
  CHECK(has_entry(env, "BQ_UTF8=ünï ✓"));
}

TEST_CASE("a stale BEQUEST_INHERIT never reaches a child that inherits nothing", "[env][inherit]") {
  auto o = t::probe({"getenv", "BEQUEST_INHERIT"});
  o.env = bequest::environment::inherit().set("BEQUEST_INHERIT", "log=3");
  CHECK(t::output_of(o) == "<unset>\n");
}
