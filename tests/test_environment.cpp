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

// Issue 16, finding 4: Windows folded only ASCII, so "PEER_äßö" and "PEER_ÄßÖ" became two
// variables of the child, which the child's own lookups then could not tell apart.
TEST_CASE("names that differ only in case, beyond ASCII too, are one variable on Windows and two on POSIX", "[env]") {
  const bool windows = !support::exe_suffix().empty();
  const std::string lower = "PEER_\u00e4\u00df\u00f6", upper = "PEER_\u00c4\u00df\u00d6";  // äßö, ÄßÖ
  auto o = t::probe({"env"});
  o.env = bequest::environment::inherit().set(lower, "1").set(upper, "2");
  auto env = child_env(o);
  if (windows) {
    CHECK(has_entry(env, lower + "=2"));  // one variable: the first spelling, the last value
    CHECK_FALSE(has_name(env, upper));
  } else {
    CHECK(has_entry(env, lower + "=1"));
    CHECK(has_entry(env, upper + "=2"));
  }
  o.env = bequest::environment::inherit().set(lower, "1").unset(upper);
  env = child_env(o);
  CHECK(has_name(env, lower) == !windows);

  // A variable the child inherits, set and then removed under the other spelling.
  const support::scoped_variable parent(lower, "parent");
  o.env = bequest::environment::inherit().set(upper, "child");
  env = child_env(o);
  if (windows) {
    CHECK(has_entry(env, lower + "=child"));
    CHECK_FALSE(has_name(env, upper));
  } else {
    CHECK(has_entry(env, lower + "=parent"));
    CHECK(has_entry(env, upper + "=child"));
  }
  o.env = bequest::environment::inherit().unset(upper);
  env = child_env(o);
  CHECK(has_entry(env, lower + "=parent") == !windows);
}

// Issue 16, finding 5: on Windows the parent's variables went through UTF-8, so an unpaired
// surrogate reached every child as U+FFFD. POSIX passes bytes as they are.
TEST_CASE("an inherited variable that is not valid text reaches the child bit for bit", "[env]") {
  const support::variable_not_text parent("BQ_RAW_");
  auto o = t::probe({"env-hex", "BQ_RAW_"});
  // Inherited as it is (the parent's environment passed whole) ...
  CHECK(t::lines(t::output_of(o)) == std::vector<std::string>{parent.hex()});
  // ... and inherited with another variable set, so that the child's block is built anew.
  o.env = bequest::environment::inherit().set("BQ_OTHER", "1");
  CHECK(t::lines(t::output_of(o)) == std::vector<std::string>{parent.hex()});
}

namespace {
std::string hex_of_bytes(const std::string& bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}
}  // namespace

// What the caller sets is text it chose: on Windows it must be UTF-8 (there is no other way
// to say UTF-16 in the API), and an encoded surrogate, which the parent's own variables may
// carry (WTF-8), is not. POSIX passes the bytes.
TEST_CASE("a variable the caller sets that is not UTF-8 is refused by name on Windows and passed as bytes on POSIX",
          "[env][errors]") {
  const bool windows = !support::exe_suffix().empty();
  t::handle_count_guard guard;
  for (const std::string& value : {std::string("a\xFF"
                                               "b"),
                                   std::string("a\xED\xA0\x80"
                                               "b")}) {
    INFO(hex_of_bytes(value));
    auto o = t::probe({"env-hex", "BQ_BYTES"});
    o.env = bequest::environment::inherit().set("BQ_FINE", "1").set("BQ_BYTES", value);
    if (windows) {
      const auto f = t::expect_failure(o);
      CHECK(f.code == std::errc::illegal_byte_sequence);
      CHECK(t::mentions(f.message, "env change 1 (\"BQ_BYTES\")"));
      CHECK(t::mentions(f.message, "not valid UTF-8"));
    } else {
      CHECK(t::output_of(o) == hex_of_bytes("BQ_BYTES=" + value) + "\n");
    }
  }
}
