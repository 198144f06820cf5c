#!/bin/sh
# The Windows build's CMAKE_CROSSCOMPILING_EMULATOR: runs PROGRAM ARGS... under Wine and gives
# back its output and exit status, as plain `wine` does, but through files.
#
# Wine lets a process that it failed to start (CreateProcess reported ERROR_INTERNAL_ERROR, the
# new process stuck before its first instruction), or a helper left suspended when the server
# crashed, live on holding the Unix descriptors it inherited: with plain `wine` those are
# CTest's output pipes, and CTest then waits for them until the test's timeout, long after the
# test itself has ended (docs/windows.md, the Wine table; seen with the soak: 963 s for a test
# that had crashed in seconds). Here they are files of ours, and the test ends when it ends.
out=$(mktemp) || exit 125
err=$(mktemp) || { rm -f "$out"; exit 125; }
# A program started with & would read /dev/null: it gets our standard input, through fd 3.
exec 3<&0
wine "$@" <&3 3<&- >"$out" 2>"$err" &
pid=$!
# CTest ends a test that outlived its timeout by signalling us: pass it on to the program.
trap 'kill "$pid" 2>/dev/null' HUP INT TERM
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break  # a signal interrupted the wait: wait again
done
cat "$out"
cat "$err" >&2
rm -f "$out" "$err"
exit "$rc"
