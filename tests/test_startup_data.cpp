// SPDX-License-Identifier: BSL-1.0
// Start-up data: bytes that reach the child through anonymous shared memory, the child's checks
// against a forged environment, and the guarantee that nobody changes the bytes once sealed.
#include "common.hpp"

#include "probe/digest.hpp"
#include "inherit_format.hpp"
#include "lowering.hpp"
#include "startup_format.hpp"

#include <cstring>
#include <thread>

using t::mentions;

namespace {

/// What the probe's "startup-data" mode printed.
struct seen {
  std::size_t size = 0;
  std::string digest;
  std::string error;
};

seen parse_seen(const std::string& text) {
  const auto fields = t::lines(text);
  REQUIRE(fields.size() == 1);
  const std::string& line = fields[0];
  const auto tab1 = line.find('\t');
  const auto tab2 = line.find('\t', tab1 + 1);
  REQUIRE(tab2 != std::string::npos);
  return {static_cast<std::size_t>(std::stoull(line.substr(0, tab1))), line.substr(tab1 + 1, tab2 - tab1 - 1),
          line.substr(tab2 + 1)};
}

/// How the probe prints a startup_data_errc.
std::string printed(bequest::startup_data_errc e) {
  return std::string(bequest::startup_data_category().name()) + ":" + std::to_string(static_cast<int>(e));
}

std::string digest_of(const std::string& bytes) { return probe::digest_hex(bytes.data(), bytes.size()); }
std::string digest_of(bequest::byte_view v) { return probe::digest_hex(v.data(), v.size()); }
const std::string empty_digest = probe::digest_hex(nullptr, 0);

/// `n` bytes that are not all alike and include NUL and bytes above 0x7F.
std::string payload(std::size_t n, unsigned seed = 1) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 12345u;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

seen startup_seen(bequest::spawn_options o) {
  o.args.push_back("startup-data");
  return parse_seen(t::output_of(std::move(o)));
}

/// Runs the probe with BEQUEST_INHERIT forged, in the child, before bequest reads it, to
/// announce `value` as its start-up data. With a handle, it is inherited under "forged" and
/// `value` may name it as "{handle:forged}".
seen forged(const std::string& value, bequest::native_handle h = bequest::invalid_native_handle) {
  auto o = t::probe({"setenv", "BEQUEST_INHERIT", "bequest.startup_data=" + value, "startup-data"});
  if (h != bequest::invalid_native_handle) {
    o.inherit = {{"forged", h}};
    o.substitute_handles = true;
  }
  return parse_seen(t::output_of(o));
}

/// A header as the parent writes it, for `payload_size` bytes, followed by `tail`.
std::string header_and(std::uint64_t payload_size, const std::string& tail) {
  std::string bytes(bequest::detail::startup_header_size, '\0');
  bequest::detail::write_startup_header(reinterpret_cast<std::byte*>(bytes.data()), payload_size);
  return bytes + tail;
}

void check_refused(const seen& s, bequest::startup_data_errc expected) {
  CHECK(s.size == 0);
  CHECK(s.digest == empty_digest);
  CHECK(s.error == printed(expected));
}

}  // namespace

TEST_CASE("start-up data reaches the child intact, from 1 byte to 1 MiB", "[startup_data]") {
  for (std::size_t n : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{4095}, std::size_t{4096},
                        std::size_t{4097}, std::size_t{65539}, std::size_t{1} << 20}) {
    INFO("size " << n);
    const std::string bytes = payload(n, static_cast<unsigned>(n));
    auto o = t::probe({});
    o.startup_data = bytes;
    const seen s = startup_seen(o);
    CHECK(s.size == n);
    CHECK(s.digest == digest_of(bytes));
    CHECK(s.error == "ok");
  }
  // Byte for byte, NUL and all.
  auto o = t::probe({"startup-echo"});
  const std::string exact("a\0b\xff\n\r\"%", 9);
  o.startup_data = exact;
  CHECK(t::output_of(o) == exact);
}

TEST_CASE("an empty string passes nothing, a 0-byte startup_buffer passes an empty payload", "[startup_data]") {
  auto o = t::probe({"getenv", "BEQUEST_INHERIT", "startup-data"});
  o.startup_data = std::string();
  CHECK(t::lines(t::output_of(o)) == std::vector<std::string>{"<unset>", "0\t" + empty_digest + "\tok"});

  o.startup_data = bequest::startup_buffer::create(0);
  const auto out = t::lines(t::output_of(o));
  REQUIRE(out.size() == 2);
  CHECK(out[0].rfind("bequest.startup_data=", 0) == 0);
  CHECK(out[1] == "0\t" + empty_digest + "\tok");
}

TEST_CASE("a startup_buffer is filled in place once and read by several children", "[startup_data]") {
  const std::size_t n = (std::size_t{1} << 20) + 7;
  const std::string bytes = payload(n, 7);
  bequest::startup_buffer buffer = bequest::startup_buffer::create(n);
  REQUIRE(buffer.size() == n);
  REQUIRE(buffer.data() != nullptr);
  CHECK_FALSE(buffer.sealed());
  std::memcpy(buffer.data(), bytes.data(), n);
  const bequest::byte_view before = buffer.view();

  auto o = t::probe({});
  o.startup_data = buffer;
  const seen first = startup_seen(o);
  CHECK(first.size == n);
  CHECK(first.digest == digest_of(bytes));
  // The first spawn sealed it; the view stays where it was, readable.
  CHECK(buffer.sealed());
  CHECK(buffer.data() == nullptr);
  CHECK(buffer.view().data() == before.data());
  CHECK(digest_of(buffer.view()) == digest_of(bytes));

  // Two more children at once, from two threads, through copies of the options and the buffer.
  // The other thread only runs its child (Catch2's checks are for this thread).
  t::printed from_other;
  std::thread other([&] {
    auto copy = o;
    copy.args.push_back("startup-data");
    from_other = t::run_printing(copy);
  });
  const seen third = startup_seen(o);
  other.join();
  CHECK(from_other.status.success());
  const seen second = parse_seen(from_other.text);
  CHECK(second.digest == digest_of(bytes));
  CHECK(third.digest == digest_of(bytes));
}

TEST_CASE("startup_buffer::copy_of is sealed, readable, and passes its bytes", "[startup_data]") {
  const std::string bytes = payload(12345, 3);
  const auto buffer = bequest::startup_buffer::copy_of(bytes);
  CHECK(buffer.sealed());
  CHECK(buffer.size() == bytes.size());
  CHECK(buffer.view().as_string_view() == bytes);
  auto o = t::probe({});
  o.startup_data = buffer;
  CHECK(startup_seen(o).digest == digest_of(bytes));
}

TEST_CASE("1 GiB of start-up data reaches the child", "[startup_data][large]") {
  const std::size_t n = std::size_t{1} << 30;
  bequest::startup_buffer buffer = bequest::startup_buffer::create(n);
  // Filled in place, 8 bytes at a time; the last words differ from the first.
  std::byte* p = buffer.data();
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(p + i, &x, 8);
  }
  buffer.seal();
  const std::string expected = digest_of(buffer.view());
  auto o = t::probe({});
  o.startup_data = buffer;
  const seen s = startup_seen(o);
  CHECK(s.size == n);
  CHECK(s.digest == expected);
  CHECK(s.error == "ok");
}

TEST_CASE("a child given no start-up data sees none and no error", "[startup_data]") {
  const seen s = startup_seen(t::probe({}));
  CHECK(s.size == 0);
  CHECK(s.error == "ok");
}

TEST_CASE("forged start-up data: a value that is not a handle number", "[startup_data][forged]") {
  check_refused(forged("twelve"), bequest::startup_data_errc::bad_variable);
}

TEST_CASE("forged start-up data: a handle value that is not open", "[startup_data][forged]") {
  // A multiple of 4 (Windows ignores a handle's low bits), far above any handle or fd in use.
  check_refused(forged("16777212"), bequest::startup_data_errc::bad_handle);
}

TEST_CASE("forged start-up data: a pipe", "[startup_data][forged]") {
  bequest::pipe_ends p = bequest::make_pipe();
  check_refused(forged("{handle:forged}", p.read.get()), bequest::startup_data_errc::not_shared_memory);
}

TEST_CASE("forged start-up data: a regular file", "[startup_data][forged]") {
  support::canary file = support::make_canary("regular");
  file.handle.write_all("this is a regular file, not start-up data\n");
  const bequest::unique_handle readable = bequest::open_file(file.path, bequest::file_mode::read);
  const seen s = forged("{handle:forged}", readable.get());
  // Where objects are sealed the child tells a file apart by its type; on the generic POSIX
  // path (an shm object is a file like any other) only the header can give it away.
  check_refused(s, bequest::startup_data_sealed() ? bequest::startup_data_errc::not_shared_memory
                                                  : bequest::startup_data_errc::bad_magic);
}

TEST_CASE("forged start-up data: an object smaller than its header says", "[startup_data][forged]") {
  // Claims 1 MiB, holds 100 bytes: more than a page short, so Windows' page rounding cannot hide it.
  const auto object = support::make_shared_memory(header_and(std::uint64_t{1} << 20, payload(100)));
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::too_small);
}

TEST_CASE("forged start-up data: an announced size that overflows", "[startup_data][forged]") {
  const auto object = support::make_shared_memory(header_and(~std::uint64_t{0}, payload(100)));
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::too_small);
}

TEST_CASE("forged start-up data: wrong magic", "[startup_data][forged]") {
  std::string bytes = header_and(100, payload(100));
  bytes[3] = 'X';
  const auto object = support::make_shared_memory(bytes);
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::bad_magic);
}

TEST_CASE("forged start-up data: an unknown format version", "[startup_data][forged]") {
  std::string bytes = header_and(100, payload(100));
  bytes[8] = 2;  // the version field, little- or big-endian alike a different number
  const auto object = support::make_shared_memory(bytes);
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::bad_version);
}

TEST_CASE("forged start-up data: a wrong header size or non-zero reserved bytes", "[startup_data][forged]") {
  std::string bytes = header_and(100, payload(100));
  bytes[12] = 32;  // the header size field
  auto object = support::make_shared_memory(bytes);
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::bad_header);
  bytes = header_and(100, payload(100));
  bytes[63] = 1;  // the last reserved byte
  object = support::make_shared_memory(bytes);
  check_refused(forged("{handle:forged}", object.get()), bequest::startup_data_errc::bad_header);
}

TEST_CASE("forged start-up data: a well-formed object passes the same checks", "[startup_data][forged]") {
  // The control for the cases above: the forging itself is not what they refuse.
  const std::string bytes = payload(100, 9);
  const auto object = support::make_shared_memory(header_and(bytes.size(), bytes));
  const seen s = forged("{handle:forged}", object.get());
  CHECK(s.size == bytes.size());
  CHECK(s.digest == digest_of(bytes));
  CHECK(s.error == "ok");
}

TEST_CASE("a child cannot change start-up data through its handle or its view", "[startup_data]") {
  const std::string bytes = payload(65536, 11);
  bequest::startup_buffer buffer = bequest::startup_buffer::create(bytes.size());
  std::memcpy(buffer.data(), bytes.data(), bytes.size());
  auto o = t::probe({"startup-attack"});
  o.startup_data = buffer;
  const auto attempts = t::lines(t::output_of(o));
  CHECK(attempts.size() >= 2);
  for (const std::string& a : attempts) {
    INFO(a);
    CHECK(a.substr(a.find('\t') + 1) == "refused");
  }
  CHECK(digest_of(buffer.view()) == digest_of(bytes));
  // And what the next child maps is the original too.
  auto again = t::probe({});
  again.startup_data = buffer;
  CHECK(startup_seen(again).digest == digest_of(bytes));
}

TEST_CASE("a child cannot reopen start-up data for writing", "[startup_data]") {
  const std::string bytes = payload(65536, 13);
  bequest::startup_buffer buffer = bequest::startup_buffer::create(bytes.size());
  std::memcpy(buffer.data(), bytes.data(), bytes.size());
  auto o = t::probe({"startup-reopen"});
  o.startup_data = buffer;
  const auto attempts = t::lines(t::output_of(o));
  REQUIRE(attempts.size() == 1);
  // The generic POSIX path has no seals: its mode-0400 object stops an unprivileged reopen
  // only (docs/startup-data.md). Everywhere else nothing can reopen it for writing.
  const bool protected_here = bequest::startup_data_sealed() || !support::bypasses_file_permissions();
  INFO(attempts[0]);
  CHECK((attempts[0].substr(attempts[0].find('\t') + 1) == "refused") == protected_here);
  CHECK((digest_of(buffer.view()) == digest_of(bytes)) == protected_here);
}

TEST_CASE("start-up data leaves no handle behind, after a spawn or a failed one", "[startup_data][errors]") {
  bequest::startup_buffer buffer = bequest::startup_buffer::copy_of(payload(4096));
  (void)t::output_of(t::probe({}));  // Windows makes its helper process on the first spawn
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.startup_data = payload(1 << 20);
  CHECK(startup_seen(o).size == std::size_t{1} << 20);
  o.program = support::missing_path();
  t::expect_failure(o);
  o.startup_data = buffer;
  t::expect_failure(o);
  o.program = support::make_non_executable(support::temp_dir(), "not-a-program" + support::exe_suffix());
  t::expect_failure(o);
}

TEST_CASE("clear_inherit_variable hides start-up data from grandchildren, the child keeps it", "[startup_data]") {
  const std::string bytes = payload(5000, 17);
  auto o = t::probe({"clear-inherit", "startup-data", "getenv", "BEQUEST_INHERIT", "spawn-probe", "startup-data"});
  o.startup_data = bytes;
  const auto out = t::lines(t::output_of(o));
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "5000\t" + digest_of(bytes) + "\tok");
  CHECK(out[1] == "<unset>");
  CHECK(out[2] == "0\t" + empty_digest + "\tok");
}

TEST_CASE("start-up data is not an inherited handle and leaves the inherit entries alone", "[startup_data]") {
  bequest::pipe_ends p = bequest::make_pipe();
  auto o = t::probe({"inherited", "write", "pipe", "through the pipe"});
  o.inherit = {{"pipe", p.write.get()}};
  o.startup_data = "data";
  const auto out = t::lines(t::output_of(o));
  REQUIRE(out.size() == 1);
  CHECK(out[0].rfind("pipe\t", 0) == 0);
  p.write.reset();
  CHECK(p.read.read_all() == "through the pipe");
  // Its reserved name cannot be looked up as an inherited handle.
  auto lookup = t::probe({"read", "bequest.startup_data"});
  lookup.startup_data = "data";
  lookup.err = bequest::stdio::null();
  CHECK(bequest::spawn(lookup).wait().code() == 99);
}

TEST_CASE("an empty startup_buffer is refused, and startup_buffer reports errors both ways", "[startup_data][errors]") {
  t::handle_count_guard guard;
  auto o = t::probe({});
  o.startup_data = bequest::startup_buffer();
  const auto f = t::expect_failure(o);
  CHECK(f.code == std::errc::invalid_argument);
  CHECK(mentions(f.message, "startup_data"));

  std::error_code ec;
  auto huge = bequest::startup_buffer::create(~std::size_t{0}, ec);
  CHECK(ec == std::errc::value_too_large);
  CHECK_FALSE(huge.valid());
  CHECK(huge.data() == nullptr);
  CHECK(huge.view().empty());
  try {
    (void)bequest::startup_buffer::create(~std::size_t{0});
    FAIL("create did not throw");
  } catch (const bequest::error& e) {
    CHECK(e.code() == std::errc::value_too_large);
    CHECK(mentions(e.what(), "startup_buffer::create"));
  }
  bequest::startup_buffer empty;
  empty.seal(ec);
  CHECK(ec == std::errc::invalid_argument);
}

TEST_CASE("startup_data_errc values compare with error codes and say what was wrong", "[startup_data][units]") {
  const std::error_code ec = bequest::startup_data_errc::too_small;
  CHECK(ec == bequest::startup_data_errc::too_small);
  CHECK(ec.category() == bequest::startup_data_category());
  CHECK(mentions(ec.message(), "smaller than its header says"));
  const std::error_code other = bequest::startup_data_errc::not_shared_memory;
  CHECK(mentions(other.message(), "not a sealed shared-memory"));
}

TEST_CASE("the start-up header check accepts what the parent writes and refuses every damage",
          "[startup_data][units]") {
  using bequest::startup_data_errc;
  using bequest::detail::check_startup_bytes;
  const std::string good = header_and(100, payload(100));
  auto check = [](const std::string& bytes, std::size_t n) {
    // A copy of exactly n bytes, so that a read past the end is a read past the allocation.
    std::unique_ptr<std::byte[]> copy(new std::byte[n ? n : 1]);
    std::memcpy(copy.get(), bytes.data(), n);
    return check_startup_bytes(copy.get(), n);
  };
  auto v = check(good, good.size());
  REQUIRE(v.ok());
  CHECK(v.payload_offset == 64);
  CHECK(v.payload_size == 100);
  // Windows rounds to pages: more bytes than announced are fine and ignored.
  CHECK(check(good + std::string(4000, '\0'), good.size() + 4000).payload_size == 100);
  CHECK(check_startup_bytes(nullptr, 0).error == startup_data_errc::too_small);
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to " << n);
    CHECK(check(good, n).error == startup_data_errc::too_small);
  }
  for (std::size_t i = 0; i < 64; ++i) {
    INFO("byte " << i << " changed");
    std::string bad = good;
    // The payload size's bytes are set to 0xFF, which makes it larger in either byte order.
    bad[i] = i >= 16 && i < 24 ? '\xff' : static_cast<char>(bad[i] ^ 0x40);
    const auto e = check(bad, bad.size()).error;
    if (i < 8)
      CHECK(e == startup_data_errc::bad_magic);
    else if (i < 12)
      CHECK(e == startup_data_errc::bad_version);
    else if (i < 16 || i >= 24)
      CHECK(e == startup_data_errc::bad_header);
    else
      CHECK(e == startup_data_errc::too_small);  // the payload size, now far larger
  }
  // Random bytes, with and without the magic in front: never accepted unless well-formed.
  std::string noise = payload(256, 23);
  for (std::size_t n = 0; n <= noise.size(); n += 7) CHECK_FALSE(check(noise, n).ok());
  std::memcpy(noise.data(), bequest::detail::startup_magic, 8);
  for (std::size_t n = 0; n <= noise.size(); n += 7) CHECK_FALSE(check(noise, n).ok());
}

TEST_CASE("start-up data is published as the last, reserved entry of BEQUEST_INHERIT", "[startup_data][units]") {
  bequest::spawn_options o;
  o.program = "x";
  o.env = bequest::environment::empty();
  o.inherit = {{"h", bequest::invalid_native_handle}};
  auto block = t::lowered_environment(o, {17}, std::uint64_t{18});
  CHECK(block == std::vector<std::string>{"BEQUEST_INHERIT=h=17;bequest.startup_data=18"});
  o.inherit.clear();
  block = t::lowered_environment(o, {}, std::uint64_t{3});
  CHECK(block == std::vector<std::string>{"BEQUEST_INHERIT=bequest.startup_data=3"});
  const auto parsed = bequest::detail::parse_inherit_variable("h=17;bequest.startup_data=18");
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[1].first == "bequest.startup_data");
}
