// SPDX-License-Identifier: BSL-1.0
// bequest_hold_desktop.exe FILE: keeps Wine's desktop process running for a whole test run.
//
// Under Wine, the first program that needs a desktop makes Wine start its desktop process
// (explorer.exe /desktop), which then holds that program's standard handles. When that program
// is the conhost of a pseudoconsole (spawn_options::terminal), they are the terminal's output
// pipe, and out() reaches end of file only once explorer exits: a test or an example waits for
// it (docs/windows.md, the Wine table). ./dev.sh runs this program first, on /dev/null, so the
// desktop process is started holding nothing of anyone's; and a desktop that has a user is not
// closed, so it stays until `wineserver -k` ends both. Once connected it creates FILE (empty),
// which dev.sh waits for. (A plain `wine explorer.exe /desktop` does under Wine 8, but under
// Wine 10 without a display driver it exits at once.)
// Not a test and not part of the library: real Windows has its desktop before any program runs.
#include <windows.h>

int wmain(int argc, wchar_t** argv) {
  if (argc != 2) return 2;
  if (!::GetDesktopWindow()) return 1;  // connects this process to the desktop, starting it if need be
  const HANDLE ready = ::CreateFileW(argv[1], GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (ready == INVALID_HANDLE_VALUE) return 1;
  ::CloseHandle(ready);
  ::Sleep(INFINITE);
  return 0;
}
