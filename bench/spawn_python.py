# SPDX-License-Identifier: BSL-1.0
"""bench_spawn's Python worker: times subprocess from inside Python.

Started once by bench_spawn (so the interpreter's start-up is not measured), with the tiny
child's path as its argument. One command a line on stdin, one answer a line on stdout:

  state RESIDENT_BYTES EXTRA_FDS  grow to that resident size (memory written, so mapped) and
                                  hold that many extra inheritable descriptors; answers "ok"
  run 1 N                         N timed subprocess.run() calls; answers N times in ns
  run 2 N                         two threads run N each at once; answers ns per spawn of the
                                  turn's wall time
  quit
"""

import mmap
import os
import resource
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
MADV_POPULATE_WRITE = 23  # Linux 5.14; not among the mmap module's constants
blocks = []
extra_fds = []


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def grow_resident(target):
    have = resident_bytes()
    if have >= target:
        return
    n = (target - have + PAGE - 1) // PAGE * PAGE
    block = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    try:
        # Populating in the kernel is several times faster than a page fault per page.
        block.madvise(MADV_POPULATE_WRITE)
    except OSError:
        pass  # before Linux 5.14: the writes below fault every page in
    # Write one byte in every page, so each is really mapped.
    memoryview(block)[::PAGE] = b"\x01" * len(range(0, n, PAGE))
    blocks.append(block)


def set_extra_fds(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    while len(extra_fds) < n:
        fd = os.open("/dev/null", os.O_RDONLY)
        os.set_inheritable(fd, True)  # Python opens non-inheritable; the state is "without O_CLOEXEC"
        extra_fds.append(fd)
    while len(extra_fds) > n:
        os.close(extra_fds.pop())


def spawn_once(child):
    if subprocess.run([child]).returncode != 0:
        raise RuntimeError("the child did not exit with 0")


def run(child, threads, n):
    if threads == 1:
        times = []
        for _ in range(n):
            t0 = time.perf_counter_ns()
            spawn_once(child)
            times.append(time.perf_counter_ns() - t0)
        return times

    errors = []

    def loop():
        try:
            for _ in range(n):
                spawn_once(child)
        except Exception as e:
            errors.append(e)

    t0 = time.perf_counter_ns()
    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return [(time.perf_counter_ns() - t0) // (n * threads)]


def main():
    child = sys.argv[1]
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        words = line.split()
        try:
            if not words or words[0] == "quit":
                return
            if words[0] == "state":
                grow_resident(int(words[1]))
                set_extra_fds(int(words[2]))
                answer = "ok"
            elif words[0] == "run":
                answer = " ".join(str(t) for t in run(child, int(words[1]), int(words[2])))
            else:
                answer = "error unknown command " + words[0]
        except Exception as e:  # reported to bench_spawn, which stops
            answer = "error " + repr(e)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
