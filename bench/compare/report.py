# SPDX-License-Identifier: BSL-1.0
"""Runs every driver of the comparison, each scenario in a process of its own (so that a peer
that crashes loses only that cell, and says so), and writes docs/compare.md.

  python3 report.py BUILD_DIR OUT.md [README.md]      (./dev.sh compare)

With README.md, the summary table also replaces what stands between the README's
<!-- compare:begin --> and <!-- compare:end --> lines.
"""

import datetime
import os
import platform
import re
import subprocess
import sys

SCENARIOS = [
    ("only-listed", "Only stdio and the listed descriptor, while two other threads spawn \"inherit everything\""),
    ("leaked", "Descriptors other code leaked without O_CLOEXEC (3 canaries)"),
    ("stdio-to-foreign", "The child's stdio pipes reach a child that another thread starts meanwhile"),
    ("bare-name", "A bare program name is taken from the current directory"),
    ("batch-injection", "Batch-file arguments inject a command (Windows)"),
    ("kill-after-reap", "kill() after another component reaped the child and its pid was reused"),
]
PEERS = ["bequest", "boost.process v1", "boost.process v2", "libuv", "python subprocess", "rust std::process",
         "posix_spawn", "fork+exec"]
WORKERS = {"python subprocess", "rust std::process"}  # drivers of their own, all scenarios in one run


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)
    cells = {}
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            cells[(parts[0], parts[1])] = parts[2]
    return p.returncode, cells, p.stderr


def collect(build, scratch):
    probe = f"{build}/compare_probe"
    cells = {}
    for peer in PEERS:
        for scenario, _ in SCENARIOS:
            if scenario == "batch-injection":
                cells[(peer, scenario)] = "n/a on Linux"
                continue
            if peer in WORKERS:
                continue
            if peer == "boost.process v2":
                cmd = [f"{build}/compare_boost_v2", probe, scratch, scenario]
            else:
                cmd = [f"{build}/compare_native", probe, scratch, peer, scenario]
            rc, got, err = run(cmd)
            cells.update(got)
            if (peer, scenario) not in got:
                why = f"killed by signal {-rc}" if rc < 0 else f"exit {rc}"
                cells[(peer, scenario)] = f"the driver crashed ({why}) {err.strip()[:200]}".strip()
    for peer, cmd in (("python subprocess", [sys.executable, os.path.join(os.path.dirname(__file__), "compare.py")]),
                      ("rust std::process", [f"{build}/compare_rust"])):
        rc, got, err = run(cmd + [probe, scratch])
        cells.update(got)
        for scenario, _ in SCENARIOS:
            cells.setdefault((peer, scenario), f"the driver failed (exit {rc}) {err.strip()[:200]}")
    return cells


def verdict(scenario, cell):
    """A short form for the summary table."""
    if cell.startswith("n/a"):
        return "n/a"
    if "crashed" in cell or cell.startswith("error") or "failed" in cell:
        return "crashed" if "crashed" in cell else "error"
    m = re.match(r"(?:stdio of )?(\d+) of (\d+)", cell)
    if m:
        return f"{m.group(1)} of {m.group(2)}"
    if scenario == "bare-name":
        plain, _, empty = cell.partition("; PATH with an empty entry: ")
        if "ran" in plain:
            return "runs ./NAME"
        return "with an empty PATH entry" if "ran" in empty else "never"
    if scenario == "kill-after-reap":
        return "kills the new process" if cell.startswith("killed") else "no signal sent"
    return cell


def version_of(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return "?"


def main():
    build, out = sys.argv[1], sys.argv[2]
    build = os.path.abspath(build)
    scratch = os.path.join(build, "scratch")
    subprocess.run(["rm", "-rf", scratch])
    cells = collect(build, scratch)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "include/bequest/version.hpp")) as f:
        v = dict(re.findall(r"#define BEQUEST_VERSION_(MAJOR|MINOR|PATCH) (\d+)", f.read()))
    with open(os.path.join(root, "build/boost-1.81/usr/include/boost/version.hpp")) as f:
        boost2 = re.search(r'#define BOOST_LIB_VERSION "([^"]+)"', f.read()).group(1).replace("_", ".")
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = [
        ("bequest", f"{v['MAJOR']}.{v['MINOR']}.{v['PATCH']} (this tree)"),
        ("Boost.Process v1", "Boost " + version_of(["dpkg-query", "-W", "-f=${Version}", "libboost1.74-dev"]) + " (Debian's libboost1.74-dev)"),
        ("Boost.Process v2", f"Boost {boost2} headers (Debian's libboost1.81-dev, unpacked into the build tree)"),
        ("libuv", version_of(["pkg-config", "--modversion", "libuv"])),
        ("Python subprocess", platform.python_version()),
        ("Rust std::process", version_of(["rustc", "--version"])),
        ("posix_spawn, fork+exec", "glibc " + os.confstr("CS_GNU_LIBC_VERSION").split()[-1]),
    ]
    lines = [
        "# How the peers handle inheritance: measured",
        "",
        "Generated by `./dev.sh compare` (bench/compare/); do not edit by hand. "
        f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} x {cpu}, Linux {platform.release()}.",
        "",
        "Every peer starts the same probe child (`compare_probe`, which lists its open descriptors) "
        "through its own API, used as its documentation shows, in the same scenarios, with the same counts; "
        "bench/compare/harness.hpp (C++ peers) and compare.py (Python) are the code. "
        "\"Rogue\" threads start \"inherit everything\" children (`posix_spawn` without file actions, "
        "as any `fork`+`exec` does) throughout the concurrent scenarios, each holding a canary file of its own "
        "open without `O_CLOEXEC` while it spawns. The raw `posix_spawn` and `fork`+`exec` rows make their "
        "pipes with `O_CLOEXEC` and `dup2` them in the child: the careful use of the primitive.",
        "",
        "Versions: " + "; ".join(f"{a} {b}" for a, b in versions) + ".",
        "",
        "## Summary",
        "",
        "| | " + " | ".join(short for _, short in [(s, s) for s, _ in SCENARIOS]) + " |",
        "|---|" + "---|" * len(SCENARIOS),
    ]
    for peer in PEERS:
        lines.append(f"| **{peer}** | " + " | ".join(verdict(s, cells[(peer, s)]) for s, _ in SCENARIOS) + " |")
    lines += ["", "Columns: " + "; ".join(f"`{s}`: {d}" for s, d in SCENARIOS) + ".", ""]
    for scenario, description in SCENARIOS:
        if scenario == "batch-injection":
            continue
        lines += [f"## {scenario}: {description}", "", "| peer | what happened |", "|---|---|"]
        for peer in PEERS:
            lines.append(f"| {peer} | {cells[(peer, scenario)]} |")
        lines.append("")
    lines += [
        "## Notes",
        "",
        "- Boost.Process v2's `only-listed` crash: Boost 1.81's `posix::bind_fd::on_setup` (the documented way "
        "to pass a descriptor) ends without a `return` statement, which is undefined behaviour; built with -O3 "
        "here, the program dies with SIGSEGV on the first spawn that binds a descriptor.",
        "- Boost.Process v2's `leaked`: its child closes descriptors with `close_range` around a sorted "
        "whitelist (stdio and its error-report pipe), but 1.81's loop compares each entry with itself "
        "(`next = whitelist[idx]`), so nothing between stdio and the error pipe is closed: descriptors "
        "numbered below that pipe, like the canaries, reach the child. Its `stdio-to-foreign`: `process_stdio` "
        "pipes are made without `O_CLOEXEC` and only the parent's end gets it afterwards, so the child's end is "
        "inheritable while the spawn runs.",
        "- Boost.Process v1's `bare-name` uses `bp::search_path`, as its tutorial says; a bare name given to "
        "`bp::child` as is is a path relative to the current directory, so `bp::child(\"compare-evil\")` runs "
        "`./compare-evil` whatever PATH says.",
        "- `bare-name`, \"with an empty PATH entry\": POSIX reads an empty PATH entry as the current directory; "
        "every peer but bequest follows that. bequest searches PATH itself and skips empty entries.",
        "- `kill-after-reap`: the pid is made free by a `waitpid` of the driver's own (\"another component\"), "
        "and an unrelated process is put at that pid through `/proc/sys/kernel/ns_last_pid` (root only), as a "
        "busy system does on its own sooner or later. Python's `Popen.kill()` polls first, but the new process is "
        "the driver's child too, so the poll finds it running and the signal goes to it.",
        "- Python's `pass_fds` keeps a descriptor's number in the child; the scenario counts it where it lands. "
        "Rust's stable std has no way to pass a descriptor.",
        "",
        "## Not measured yet",
        "",
        "- Windows under Wine: Boost.Process v2 built with mingw-w64, and the raw `CreateProcessW` patterns of "
        "libuv, Rust's std and Python, with the batch-file scenario.",
        "",
    ]
    with open(out, "w") as f:
        f.write("\n".join(lines))
    if len(sys.argv) > 3:
        start, end = lines.index("## Summary") + 2, lines.index("## Summary") + 4 + len(PEERS)
        summary = lines[start:end]
        with open(sys.argv[3]) as f:
            readme = f.read()
        begin, finish = "<!-- compare:begin -->\n", "<!-- compare:end -->"
        a, b = readme.index(begin) + len(begin), readme.index(finish)
        stamp = lines[2].split("do not edit by hand. ")[1]
        block = "\n".join(summary) + f"\n\nMeasured by `./dev.sh compare` on Linux, {stamp} Each cell, in full: " \
            "[docs/compare.md](docs/compare.md).\n"
        with open(sys.argv[3], "w") as f:
            f.write(readme[:a] + block + readme[b:])


if __name__ == "__main__":
    main()
