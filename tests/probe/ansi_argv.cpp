// SPDX-License-Identifier: BSL-1.0
// A child whose C runtime builds argv from the ANSI command line, as every Windows program
// with `main` does (the probe itself uses wmain): prints argv[1..], one per line. On POSIX it
// prints its argv as it is.
#include <cstdio>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) std::printf("%s\n", argv[i]);
  return 0;
}
