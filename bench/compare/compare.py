# SPDX-License-Identifier: BSL-1.0
"""The comparison's Python peer: subprocess, used as its documentation shows (Popen with
PIPE, pass_fds for a listed descriptor, close_fds left at its default), through the same
scenarios as harness.hpp, with the same counts. Rogue threads start "inherit everything"
children with os.posix_spawn (no file actions), holding an inheritable canary each.

  python3 compare.py PROBE SCRATCH_DIR     prints PEER<TAB>SCENARIO<TAB>CELL lines
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

SPAWNS = 30
ROGUES = 2
NAME = "python subprocess"


def emit(scenario, cell):
    print(f"{NAME}\t{scenario}\t{cell}", flush=True)


def fd_target(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def parse_fds(report):
    out = []
    for line in report.splitlines():
        fd, _, target = line.partition(" ")
        out.append((int(fd), target))
    return out


class Rogues:
    def __init__(self, probe, d):
        self.stop_flag = False
        self.reports = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(probe, d, t)) for t in range(ROGUES)]
        for t in self.threads:
            t.start()

    def run(self, probe, d, t):
        canary = f"{d}/rogue-canary-{t}"
        k = 0
        while not self.stop_flag:
            fd = os.open(canary, os.O_RDONLY | os.O_CREAT, 0o644)
            os.set_inheritable(fd, True)  # Python opens non-inheritable; "the classic way" is not
            report = f"{d}/rogue-{t}-{k}.txt"
            pid = os.posix_spawn(probe, [probe, "fds", report], os.environ)
            os.waitpid(pid, 0)
            with self.lock:
                self.reports.append(report)
            os.close(fd)
            k += 1

    def stop(self):
        self.stop_flag = True
        for t in self.threads:
            t.join()
        return self.reports


def only_listed(probe, d):
    path = f"{d}/listed-canary"
    opened = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    listed = os.dup2(opened, 10, inheritable=False)
    os.close(opened)
    extra = arrived = rogue = 0
    others = set()
    r = Rogues(probe, d)
    try:
        for _ in range(SPAWNS):
            # pass_fds keeps the descriptor's number: fd 10 in the child, not 3, so "arrived"
            # is counted where it lands.
            out = subprocess.run([probe, "fds"], stdout=subprocess.PIPE, pass_fds=(listed,), check=True).stdout
            got_extra = False
            for fd, target in parse_fds(out.decode()):
                if fd <= 2:
                    continue
                if fd == listed and target == path:
                    arrived += 1
                else:
                    got_extra = True
                    if "/rogue-canary-" in target:
                        rogue += 1
                    else:
                        others.add(target)
            extra += got_extra
    finally:
        r.stop()
    os.close(listed)
    cell = f"{extra} of {SPAWNS} children got a descriptor besides stdio and the listed one"
    if extra:
        cell += f" ({rogue} rogue canaries" + "".join(", " + o for o in sorted(others)) + ")"
    if arrived != SPAWNS:
        cell += f"; the listed one arrived in {arrived}"
    cell += "; pass_fds keeps the number (fd 10), it cannot move it to 3"
    return cell


def leaked(probe, d):
    paths = [f"{d}/leaked-canary-{i}" for i in range(3)]
    fds = []
    for p in paths:
        fd = os.open(p, os.O_RDONLY | os.O_CREAT, 0o644)
        os.set_inheritable(fd, True)
        fds.append(fd)
    out = subprocess.run([probe, "fds"], stdout=subprocess.PIPE, check=True).stdout.decode()
    targets = {t for _, t in parse_fds(out)}
    crossed = sum(p in targets for p in paths)
    for fd in fds:
        os.close(fd)
    return f"{crossed} of 3 leaked canaries crossed"


def stdio_to_foreign(probe, d):
    pipes = []
    r = Rogues(probe, d)
    try:
        for _ in range(SPAWNS):
            p = subprocess.Popen([probe, "fds"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            pipes.append([fd_target(p.stdin.fileno()), fd_target(p.stdout.fileno()), fd_target(p.stderr.fileno())])
            p.communicate()
    finally:
        reports = r.stop()
    text = ""
    for rep in reports:
        with open(rep) as f:
            text += f.read()
    reached = sum(any(i and f" {i}\n" in text for i in ids) for ids in pipes)
    return f"stdio of {reached} of {SPAWNS} children reached a foreign child ({len(reports)} foreign children)"


def bare_name(probe, d):
    cwd = f"{d}/cwd"
    os.makedirs(cwd, exist_ok=True)
    shutil.copy(probe, f"{cwd}/compare-evil")
    os.chmod(f"{cwd}/compare-evil", 0o755)
    old_cwd, old_path = os.getcwd(), os.environ.get("PATH", "")

    def attempt(path_value, marker):
        if os.path.exists(marker):
            os.unlink(marker)
        os.environ["PATH"] = path_value
        os.chdir(cwd)
        error = ""
        try:
            subprocess.run(["compare-evil", "mark", marker])
        except OSError as e:
            error = str(e)
        finally:
            os.chdir(old_cwd)
            os.environ["PATH"] = old_path
        if os.path.exists(marker):
            return "ran ./compare-evil"
        return f"not run ({error or 'started something else'})"

    plain = attempt("/usr/bin:/bin", f"{d}/marker-plain")
    empty = attempt("/usr/bin::/bin", f"{d}/marker-empty")
    return f"PATH=/usr/bin:/bin: {plain}; PATH with an empty entry: {empty}"


def victim_at(target, probe):
    for _ in range(200):
        try:
            with open("/proc/sys/kernel/ns_last_pid", "w") as f:
                f.write(str(target - 1))
        except OSError:
            return -1
        pid = os.posix_spawn(probe, [probe, "sleep"], os.environ)
        if pid == target:
            return pid
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return -1


def kill_after_reap(probe, d):
    p = subprocess.Popen([probe, "sleep"])
    os.kill(p.pid, signal.SIGTERM)
    os.waitpid(p.pid, 0)  # another component reaps it
    victim = victim_at(p.pid, probe)
    if victim < 0:
        return "not measured: could not place a process at the freed pid (needs root)"
    said = ""
    try:
        p.kill()
    except OSError as e:
        said = str(e)
    time.sleep(0.1)
    pid, status = os.waitpid(victim, os.WNOHANG)
    if pid == victim and os.WIFSIGNALED(status):
        cell = "killed the unrelated process now at its pid"
    else:
        cell = "no signal reached the process now at its pid"
        os.kill(victim, signal.SIGKILL)
        os.waitpid(victim, 0)
    cell += f" (kill said: {said})" if said else " (kill reported success"
    if not said:
        cell += f"; returncode {p.returncode} made up)" if p.returncode is not None else ")"
    return cell


def main():
    probe, base = sys.argv[1], sys.argv[2]
    d = f"{base}/python_subprocess"
    os.makedirs(d, exist_ok=True)
    for name, f in (("only-listed", only_listed), ("leaked", leaked), ("stdio-to-foreign", stdio_to_foreign),
                    ("bare-name", bare_name), ("kill-after-reap", kill_after_reap)):
        try:
            cell = f(probe, d)
        except Exception as e:  # noqa: BLE001 - the cell says what went wrong
            cell = f"error: {e}"
        emit(name, cell)


if __name__ == "__main__":
    main()
