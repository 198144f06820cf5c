// SPDX-License-Identifier: BSL-1.0
// The child of the terminal benchmark (bench_terminal.cpp): writes MIB mebibytes of text to its
// standard output, in blocks of 64 KiB, and exits with 0.
//
//   flood_child MIB pipe|terminal
//
// The text is lines of 63 printable ASCII characters and a newline, shorter than the
// terminal's 80 columns, so that a terminal passes every byte (a control character would be
// interpreted, a long line wrapped) and the bytes are those of a build log or a test runner's
// output rather than of a binary file. The second argument says what the benchmark gave the
// child; the child checks it (exit code 3 when its output is not what it was told), so that
// the terminal row cannot quietly measure a pipe.
//
// Windows: Wine does not connect a pseudoconsole child's standard handles to the console
// (docs/windows.md, the Wine table; Windows does): on a terminal whose stdout is no console,
// the child opens CONOUT$ itself and writes there, as the test probe does.
// Exit codes: 0 written; 2 bad arguments; 3 not the output it was told; 4 a write failed.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <cerrno>
#  include <unistd.h>
#endif

namespace {

#if defined(_WIN32)
using output = HANDLE;

bool is_console(HANDLE h) {
  DWORD mode = 0;
  return h != nullptr && h != INVALID_HANDLE_VALUE && ::GetConsoleMode(h, &mode) != FALSE;
}

/// Where the bytes go, or INVALID_HANDLE_VALUE when it is not the kind of output expected.
HANDLE open_output(bool terminal) {
  HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  if (terminal && !is_console(out)) {
    // A console handle wants read and write access, whichever way it is used.
    out = ::CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                        OPEN_EXISTING, 0, nullptr);
  }
  return is_console(out) == terminal ? out : INVALID_HANDLE_VALUE;
}

bool valid(HANDLE out) { return out != INVALID_HANDLE_VALUE; }

bool write_block(HANDLE out, const char* p, std::size_t n) {
  while (n > 0) {
    DWORD k = 0;
    if (!::WriteFile(out, p, static_cast<DWORD>(n), &k, nullptr) || k == 0) return false;
    p += k;
    n -= k;
  }
  return true;
}
#else
using output = int;

int open_output(bool terminal) { return (::isatty(1) == 1) == terminal ? 1 : -1; }

bool valid(int out) { return out >= 0; }

bool write_block(int out, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::write(out, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}
#endif

constexpr std::size_t line_bytes = 64;
constexpr std::size_t block_bytes = std::size_t{64} << 10;

/// One block: lines of 63 characters from a rotating alphabet, each ending in '\n'.
std::string make_block() {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string block(block_bytes, '\n');
  for (std::size_t i = 0; i < block_bytes; ++i) {
    if (i % line_bytes != line_bytes - 1) block[i] = alphabet[(i / line_bytes + i) % (sizeof alphabet - 1)];
  }
  return block;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[2], "pipe") != 0 && std::strcmp(argv[2], "terminal") != 0)) {
    std::fprintf(stderr, "usage: flood_child MIB pipe|terminal\n");
    return 2;
  }
  char* end = nullptr;
  const unsigned long long mib = std::strtoull(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0') {
    std::fprintf(stderr, "flood_child: MIB must be a whole number, not \"%s\"\n", argv[1]);
    return 2;
  }
  const bool terminal = std::strcmp(argv[2], "terminal") == 0;
  const output out = open_output(terminal);
  if (!valid(out)) {
    std::fprintf(stderr, "flood_child: told its output is a %s, but it is not\n", argv[2]);
    return 3;
  }
  const std::string block = make_block();
  const unsigned long long blocks = mib * ((std::size_t{1} << 20) / block_bytes);
  for (unsigned long long i = 0; i < blocks; ++i) {
    if (!write_block(out, block.data(), block.size())) return 4;
  }
  return 0;
}
