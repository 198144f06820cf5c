// SPDX-License-Identifier: BSL-1.0
// The child every benchmark starts: it exits with 0 at once. Linked statically, so its own
// start-up (no dynamic loader, no shared libraries) adds as little as possible to what is
// measured, which is the cost of starting a process and waiting for it.
int main() { return 0; }
