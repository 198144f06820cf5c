// SPDX-License-Identifier: BSL-1.0
// Fuzz target: the child's check of the start-up data header (src/startup_format.cpp).
//
// The header (docs/startup-data.md): 64 bytes in the machine's byte order — magic
// "\x89BEQSTD\x1a" at 0, version 1 (u32) at 8, header size 64 (u32) at 12, payload size (u64)
// at 16, 40 zero bytes at 24 — then the payload.
//
// Properties:
//  1. check_startup_bytes reads only inside the range it is given: the input is copied into
//     a heap block of exactly its size, so AddressSanitizer reports any read past its end.
//  2. Its verdict is exactly the format's: ok if and only if an independent reading of the
//     bytes finds every field right and the announced payload inside the range; an ok
//     verdict has payload_offset 64 and payload_offset + payload_size <= available, with
//     payload_size the announced size; a rejection carries the error of the first field
//     that is wrong and no range.
//  3. A header written by write_startup_header for a payload size drawn from the input, in
//     front of that many bytes (and maybe spare bytes after them), is accepted with exactly
//     that size; one byte fewer is too_small; a header alone announcing a payload is too_small.
//  4. Changing any one header byte outside the payload-size field makes it rejected with the
//     error of that field; changing the size field changes the announced size and nothing else.
#include "check.hpp"
#include "startup_format.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {

using bequest::startup_data_errc;
using bequest::detail::check_startup_bytes;
using bequest::detail::startup_verdict;

constexpr std::size_t header_size = 64;

std::uint64_t read_u64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint32_t read_u32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The format read independently: the error a conforming checker reports first (magic, then
// size, then version, header size, reserved bytes, payload size), or none with the payload size.
struct expectation {
  bool ok = false;
  startup_data_errc error{};
  std::uint64_t payload = 0;
};

expectation expect(const unsigned char* p, std::size_t n) {
  static const unsigned char magic[8] = {0x89, 'B', 'E', 'Q', 'S', 'T', 'D', 0x1a};
  auto fail = [](startup_data_errc error) {
    expectation e;
    e.error = error;
    return e;
  };
  if (n < sizeof magic) return fail(startup_data_errc::too_small);
  if (std::memcmp(p, magic, sizeof magic) != 0) return fail(startup_data_errc::bad_magic);
  if (n < header_size) return fail(startup_data_errc::too_small);
  if (read_u32(p + 8) != 1) return fail(startup_data_errc::bad_version);
  if (read_u32(p + 12) != header_size) return fail(startup_data_errc::bad_header);
  for (std::size_t i = 24; i < header_size; ++i) {
    if (p[i] != 0) return fail(startup_data_errc::bad_header);
  }
  const std::uint64_t payload = read_u64(p + 16);
  if (payload > n - header_size) return fail(startup_data_errc::too_small);
  expectation e;
  e.ok = true;
  e.payload = payload;
  return e;
}

// Checks `n` bytes copied to a block of exactly that size, and the verdict against the
// independent reading (properties 1 and 2).
startup_verdict check_exact(const unsigned char* bytes, std::size_t n) {
  std::unique_ptr<std::byte[]> block(new std::byte[n]);
  if (n) std::memcpy(block.get(), bytes, n);
  const startup_verdict v = check_startup_bytes(block.get(), n);
  const expectation e = expect(bytes, n);
  FUZZ_CHECK(v.ok() == e.ok);
  if (v.ok()) {
    FUZZ_CHECK(v.payload_offset == header_size);
    FUZZ_CHECK(v.payload_offset <= n && v.payload_size <= n - v.payload_offset);
    FUZZ_CHECK(v.payload_size == e.payload);
  } else {
    FUZZ_CHECK(v.error == e.error);
    FUZZ_CHECK(v.payload_offset == 0 && v.payload_size == 0);
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // 1 and 2: the input as everything the child could map.
  check_exact(data, size);
  FUZZ_CHECK(check_startup_bytes(nullptr, 0).error == startup_data_errc::too_small);

  // 3: a header the parent writes.
  FuzzedDataProvider in(data, size);
  const std::uint64_t announced = in.ConsumeIntegral<std::uint64_t>();
  {
    std::vector<unsigned char> alone(header_size);
    bequest::detail::write_startup_header(reinterpret_cast<std::byte*>(alone.data()), announced);
    const startup_verdict v = check_exact(alone.data(), alone.size());
    FUZZ_CHECK(v.ok() == (announced == 0));
  }
  const std::size_t payload = in.ConsumeIntegralInRange<std::size_t>(0, 1 << 16);
  const std::size_t spare = in.ConsumeIntegralInRange<std::size_t>(0, 64);
  std::vector<unsigned char> object(header_size + payload + spare);
  bequest::detail::write_startup_header(reinterpret_cast<std::byte*>(object.data()), payload);
  const std::vector<unsigned char> fill = in.ConsumeBytes<unsigned char>(payload + spare);
  std::copy(fill.begin(), fill.end(), object.begin() + header_size);

  startup_verdict v = check_exact(object.data(), object.size());
  FUZZ_CHECK(v.ok() && v.payload_offset == header_size && v.payload_size == payload);
  v = check_exact(object.data(), header_size + payload);
  FUZZ_CHECK(v.ok() && v.payload_size == payload);
  if (payload > 0) {
    v = check_exact(object.data(), header_size + payload - 1);
    FUZZ_CHECK(v.error == startup_data_errc::too_small);
  }

  // 4: one header byte changed.
  const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, header_size - 1);
  const unsigned char flip = in.ConsumeIntegralInRange<unsigned char>(1, 255);
  object[at] = static_cast<unsigned char>(object[at] ^ flip);
  v = check_exact(object.data(), object.size());
  if (at < 8) {
    FUZZ_CHECK(v.error == startup_data_errc::bad_magic);
  } else if (at < 12) {
    FUZZ_CHECK(v.error == startup_data_errc::bad_version);
  } else if (at < 16 || at >= 24) {
    FUZZ_CHECK(v.error == startup_data_errc::bad_header);
  } else {
    const std::uint64_t now = read_u64(object.data() + 16);
    FUZZ_CHECK(v.ok() == (now <= object.size() - header_size));
    if (v.ok()) FUZZ_CHECK(v.payload_size == now);
  }
  return 0;
}
