# SPDX-License-Identifier: BSL-1.0
"""bench_fleet's Python run: N children with asyncio, all awaited at once.

  python3 fleet_python.py FLEET_CHILD N

The same run as fleet_common.hpp's, in Python: N asyncio.create_subprocess_exec() children
with stdin the read end of the "go" pipe and stdout the write end of the "ready" pipe; once
all run, ONE_BY_ONE extra children exit one at a time (a byte on the go pipe lets one go once
the previous exit has been delivered), then the go pipe is closed and the run ends when every
proc.wait() has returned (fleet_common.hpp describes the same run). The child
watcher is the one asyncio picks by default (Python 3.11: ThreadedChildWatcher, a thread per
child blocked in waitpid). Prints the line bench_fleet parses:
  fleet N DELIVERY_US CPU_RUN_US CPU_DELIVERY_US FDS_PER_CHILD BYTES_PER_CHILD SPAWN_S ONE_US
"""

import asyncio
import os
import resource
import sys
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
ONE_BY_ONE = 50  # as fleet_common.hpp


def cpu_us():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return (u.ru_utime + u.ru_stime) * 1e6


def open_fds():
    return len(os.listdir("/proc/self/fd")) - 1  # listdir's own descriptor


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


async def fleet(child, n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * n + 200), hard))
    total = n + ONE_BY_ONE
    go_r, go_w = os.pipe()
    ready_r, ready_w = os.pipe()
    fds0, rss0, cpu0, t_start = open_fds(), resident_bytes(), cpu_us(), time.perf_counter()
    procs = []
    for _ in range(total):
        procs.append(await asyncio.create_subprocess_exec(child, stdin=go_r, stdout=ready_w))
    spawn_s = time.perf_counter() - t_start
    fds_per_child = (open_fds() - fds0) / total
    bytes_per_child = (resident_bytes() - rss0) / total
    os.close(go_r)
    os.close(ready_w)
    got = 0
    while got < total:
        b = os.read(ready_r, 4096)
        if not b:
            sys.exit(f"fleet_python: {got} of {total} children said they run")
        got += len(b)
    os.close(ready_r)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    state = {"exited": 0, "t_go": 0.0, "cpu_go": 0.0, "one_us": 0.0, "failed": False}
    t_one = time.perf_counter()

    def exited(task):
        state["failed"] |= task.result() != 0
        state["exited"] += 1
        if state["exited"] < ONE_BY_ONE:
            os.write(go_w, b"g")
        elif state["exited"] == ONE_BY_ONE:
            state["one_us"] = (time.perf_counter() - t_one) * 1e6 / ONE_BY_ONE
            state["cpu_go"], state["t_go"] = cpu_us(), time.perf_counter()
            os.close(go_w)
        elif state["exited"] == total:
            done.set_result((time.perf_counter() - state["t_go"]) * 1e6)

    for p in procs:
        asyncio.ensure_future(p.wait()).add_done_callback(exited)
    os.write(go_w, b"g")
    delivery_us = await done
    cpu_end = cpu_us()
    if state["failed"]:
        sys.exit("fleet_python: a child of the fleet failed")
    print(f"fleet {n} {delivery_us:.1f} {cpu_end - cpu0:.1f} {cpu_end - state['cpu_go']:.1f} "
          f"{fds_per_child:.3f} {bytes_per_child:.0f} {spawn_s:.3f} {state['one_us']:.1f}", flush=True)


if __name__ == "__main__":
    asyncio.run(fleet(sys.argv[1], int(sys.argv[2])))
