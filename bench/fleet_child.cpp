// SPDX-License-Identifier: BSL-1.0
// The child of the fleet benchmark (bench_fleet.cpp): says it is running by writing one byte
// to its stdout, then stays alive until it can read one byte from its stdin, or its stdin
// reaches end of file — the moment the parent closes the last write end of the pipe that every
// child of the fleet reads — and exits with 0.
// Linked statically, like tiny_child, so that the parent's cost is what is measured.
#include <unistd.h>

int main() {
  const char ready = 'r';
  if (::write(1, &ready, 1) != 1) return 2;
  char c;
  while (::read(0, &c, 1) < 0) {
  }
  return 0;
}
