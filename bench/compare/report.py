# SPDX-License-Identifier: BSL-1.0
"""Runs every driver of the comparison, each scenario in a process of its own (so that a peer
that crashes loses only that cell, and says so), and writes docs/compare.md.

  python3 report.py BUILD_DIR OUT.md [README.md] [--windows WIN_BUILD_DIR]      (./dev.sh compare)

With README.md, the summary tables also replace what stands between the README's
<!-- compare:begin --> and <!-- compare:end --> lines. With --windows, the Windows half
(WIN_BUILD_DIR: the windows-compare preset's bench/compare) runs too, under `wine`, in the
Wine environment the caller set up (WINEPREFIX, a running wineserver: dev.sh's wine_env).
"""

import datetime
import os
import platform
import re
import shlex
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

# The Windows half: bequest's Windows build and Boost.Process v2 (built with mingw-w64), and the
# CreateProcessW patterns of peers that cannot be built here for Windows, each written after the
# peer's source (compare_win32.cpp names the files; docs/compare.md says which versions).
WIN_SCENARIOS = [
    ("only-listed", "Only stdio and the listed handle, while two other threads spawn \"inherit everything\" "
                    "(CreateProcessW with bInheritHandles = TRUE and no handle list)"),
    ("leaked", "Handles other code made inheritable (3 canaries)"),
    ("stdio-to-foreign", "The child's stdio pipes reach a child that another thread starts meanwhile"),
    ("bare-name", "A bare program name (NAME, then NAME.exe) is taken from the current directory"),
    ("batch-injection", "Batch-file arguments inject a command (BatBadBut, CVE-2024-24576)"),
    ("kill-after-reap", "kill() after another component reaped the child (POSIX only)"),
]
WIN_PEERS = ["bequest", "boost.process v2", "libuv (pattern)", "rust std::process (pattern)",
             "python subprocess (pattern)"]


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


def wine_path(path):
    """A Linux path as Wine's Z: drive shows it."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def collect_windows(build, scratch, wine):
    """Every Windows cell, each driver started by the command `wine` (a list)."""
    probe = wine_path(f"{build}/compare_probe.exe")
    cells = {}
    for peer in WIN_PEERS:
        for scenario, _ in WIN_SCENARIOS:
            if scenario == "kill-after-reap":
                cells[(peer, scenario)] = "n/a on Windows (a process handle names one process for good)"
                continue
            if peer == "boost.process v2":
                cmd = wine + [f"{build}/compare_boost_v2_win32.exe", probe, wine_path(scratch), scenario]
            else:
                cmd = wine + [f"{build}/compare_win32.exe", probe, wine_path(scratch), peer, scenario]
            rc, got, err = run(cmd)
            cells.update(got)
            if (peer, scenario) not in got:
                why = f"exit code {rc:#x}" if rc > 255 else f"exit {rc}"
                cells[(peer, scenario)] = f"the driver crashed ({why}) {err.strip()[:200]}".strip()
    return cells


def verdict(scenario, cell):
    """A short form for the summary table."""
    if cell.startswith("n/a"):
        return "n/a"
    if scenario == "batch-injection" and not cell.startswith("the driver"):
        quote_case, _, variable_case = cell.partition("; `%CMPINJ%`")
        ran = [name for name, part in (("`\"&`", quote_case), ("`%VAR%`", variable_case)) if "ran echo" in part]
        if ran:
            return "runs the injected command (" + ", ".join(ran) + ")"
        return "refuses" if "refused" in cell else "nothing injected"
    if scenario == "bare-name" and cell.startswith("`compare-evil`"):
        plain, _, exe = cell[len("`compare-evil`: "):].partition("; `compare-evil.exe`: ")
        if plain.startswith("ran") and exe.startswith("ran"):
            return "runs .\\NAME.exe"
        if plain.startswith("ran") or exe.startswith("ran"):
            return "runs .\\NAME.exe given " + ("NAME" if plain.startswith("ran") else "NAME.exe")
        return "never (name as given)" if "does not compile" in cell else "never"
    if "crashed" in cell or cell.startswith("error") or "failed" in cell:
        return "crashed" if "crashed" in cell else "error"
    m = re.match(r"(?:stdio of )?(\d+) of (\d+)", cell)
    if m:
        return f"{m.group(1)} of {m.group(2)}"
    if scenario == "bare-name":
        plain, _, empty = cell.partition("; PATH with an empty entry: ")
        if "ran" in plain:
            return "runs ./NAME"
        if "PATH with an empty entry" not in cell:
            return "never (name as given)" if "does not compile" in cell else "never"
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
    args = sys.argv[1:]
    win_build = None
    wine10 = None
    if "--windows" in args:
        i = args.index("--windows")
        win_build = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if "--wine10" in args:
        i = args.index("--wine10")
        wine10 = shlex.split(args[i + 1])
        del args[i:i + 2]
    build, out = args[0], args[1]
    readme = args[2] if len(args) > 2 else None
    build = os.path.abspath(build)
    scratch = os.path.join(build, "scratch")
    subprocess.run(["rm", "-rf", scratch])
    cells = collect(build, scratch)
    win_cells = win10_cells = None
    if win_build:
        win_scratch = os.path.join(win_build, "scratch")
        subprocess.run(["rm", "-rf", win_scratch])
        win_cells = collect_windows(win_build, win_scratch, ["wine"])
        if wine10:
            win10_scratch = os.path.join(win_build, "scratch-wine10")
            subprocess.run(["rm", "-rf", win10_scratch])
            win10_cells = (version_of(wine10 + ["--version"]), collect_windows(win_build, win10_scratch, wine10))
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
    ]
    if win_cells is None:
        lines += ["## Not measured in this run", "", "- Windows under Wine (`report.py --windows`, as `./dev.sh compare` runs it).", ""]
    else:
        lines += windows_section(win_cells, win_build, win10_cells)
    with open(out, "w") as f:
        f.write("\n".join(lines))
    if readme:
        start = lines.index("## Summary") + 2
        summary = lines[start:start + 2 + len(PEERS)]
        with open(readme) as f:
            text = f.read()
        begin, finish = "<!-- compare:begin -->\n", "<!-- compare:end -->"
        a, b = text.index(begin) + len(begin), text.index(finish)
        stamp = lines[2].split("do not edit by hand. ")[1]
        block = "Linux:\n\n" + "\n".join(summary) + "\n"
        if win_cells is not None:
            w = lines.index("## Windows summary") + 2
            block += f"\nWindows, under {WINE_VERSION[0]}:\n\n" + "\n".join(lines[w:w + 2 + len(WIN_PEERS)]) + "\n"
        if win10_cells is not None:
            block += "\n" + wine10_differences(win_cells, win10_cells) + "\n"
        block += f"\nMeasured by `./dev.sh compare`, {stamp} Each cell, in full, and how each peer was used: " \
            "[docs/compare.md](docs/compare.md).\n"
        with open(readme, "w") as f:
            f.write(text[:a] + block + text[b:])


WINE_VERSION = ["Wine"]


def wine10_differences(cells, wine10):
    """One sentence: the summary cells whose meaning differs between Wine 8 and Wine 10 (a count
    that is zero under one and not under the other, or another outcome), or that none does."""
    def meaning(scenario, cell):
        v = verdict(scenario, cell)
        m = re.match(r"(\d+) of \d+$", v)
        return ("none" if m.group(1) == "0" else "some") if m else v
    version, cells10 = wine10
    diffs = [f"{peer} `{s}` ({verdict(s, cells[(peer, s)])} under Wine 8, {verdict(s, cells10[(peer, s)])})"
             for peer in WIN_PEERS for s, _ in WIN_SCENARIOS
             if meaning(s, cells[(peer, s)]) != meaning(s, cells10[(peer, s)])]
    name = version.replace("wine-", "Wine ")
    if not diffs:
        return f"Under {name} every cell means the same (counts vary from run to run, zero stays zero)."
    return f"Under {name} these cells differ: " + "; ".join(diffs) + "."


def windows_section(cells, build, wine10=None):
    """The Windows part of docs/compare.md; `wine10`: None or (its version, its cells)."""
    wine = version_of(["wine", "--version"]) or "wine ?"
    WINE_VERSION[0] = wine.replace("wine-", "Wine ")
    if wine10:
        w10 = wine10[0].replace("wine-", "Wine ")
        second = (f"and again under Debian 13's {wine10[0]} in the Debian 13 tree that `./dev.sh test` makes (the "
                  "second summary table, and a column of each scenario's table)")
    else:
        second = ("Wine 10 (Debian 13's) is left out of this run: there was no Debian 13 tree (`./dev.sh test` "
                  "makes it, and `./dev.sh compare` then uses it)")
    gcc = version_of(["x86_64-w64-mingw32-g++-posix", "-dumpfullversion"])
    lines = [
        f"# Windows, under {WINE_VERSION[0]}" + (f" and {w10}" if wine10 else ""),
        "",
        f"The same scenarios on Windows: the drivers are built with mingw-w64 (GCC {gcc}, the `windows-compare` "
        f"preset, `{build_rel(build)}`) and run under Debian 12's {wine}, {second}. The probe (`compare_probe_win32.cpp`) "
        "lists the handles it holds from the system's handle table, as the test suite's probe does, naming a file "
        "by its path and a pipe by its name (the same at both ends); canaries are uniquely named files. \"Rogue\" "
        "threads start children with `CreateProcessW(bInheritHandles = TRUE)` and no handle list, each holding an "
        "inheritable canary of its own while it spawns (3 ms apart: Wine's wineserver does not take rogues "
        "spawning flat out). The harness is `harness_win32.hpp`.",
        "",
        "Peers: bequest's Windows build; Boost.Process v2 (Boost 1.81 headers, Debian's libboost1.81-dev, built "
        "header-only with mingw-w64 and `BOOST_PROCESS_USE_STD_FS`, linked with ws2_32, mswsock, ntdll and bcrypt); "
        "and three peers that cannot be built for Windows here, so their `CreateProcessW` use is written out "
        "after their sources (`compare_win32.cpp`), step by step, in our own code:",
        "",
        "- **libuv (pattern)**: libuv v1.x `src/win/process.c` and `src/win/process-stdio.c` (the program search, "
        "the quoting and the stdio handles as they stand since v1.x's early releases; read at libuv commit "
        "b489fc34), with the handle list of libuv#5100 (merged 2026-03: a `PROC_THREAD_ATTRIBUTE_HANDLE_LIST` "
        "of the child's stdio handles, as the pull request describes it). Each stdio slot "
        "is an inheritable handle: a named pipe `\\\\.\\pipe\\uv\\...` whose client end is opened inheritable, "
        "or an inheritable duplicate of what it inherits; extra slots (the listed handle as fd 3) likewise, "
        "passed to the C runtime in `lpReserved2`; `bInheritHandles = TRUE` with the list. Program search: "
        "the current directory first, then PATH (`search_path`). Arguments quoted by `quote_cmd_arg`; a "
        "`.bat` is started as any program, so `CreateProcessW` hands it to `cmd.exe`.",
        "- **rust std::process (pattern)**: rust-lang/rust `library/std/src/sys/process/windows.rs` "
        "(`Command::spawn`, `resolve_exe`, `search_paths`; commit 050ad7a0), `sys/pal/windows/pipe.rs` "
        "(`anon_pipe`) and `sys/args/windows.rs` (`append_arg`, `make_bat_command_line`, after the "
        "CVE-2024-24576 fix of 1.77.2; commit 24a41186). "
        "Stdio: inheritable duplicates, or named pipes whose child end is inheritable; `bInheritHandles = TRUE` "
        "and no handle list, under a process-wide lock (`CREATE_PROCESS_LOCK`) that only other Rust spawns take. "
        "No way to pass another handle in stable std. Program search: the application's directory, the system "
        "directories, then PATH, never the current directory. A `.bat`/`.cmd` runs as "
        "`cmd.exe /e:ON /v:OFF /d /c \"...\"` with its own quoting (every `%` made inert with `%%cd:~,`).",
        "- **python subprocess (pattern)**: CPython `Lib/subprocess.py` (`Popen._get_handles`, `_execute_child`, "
        "`_filter_handle_list`, `list2cmdline`; 3.12-3.14) and `Modules/_winapi.c` (`CreateProcess` with "
        "`handle_list`). With any stream redirected, all three std handles become inheritable duplicates and, "
        "`close_fds` being true, go into a handle list with the caller's `startupinfo.lpAttributeList[\"handle_list\"]` "
        "entries, which must be inheritable (the documented way to pass a handle): made so for the spawn and "
        "not afterwards here, the most careful use. Nothing redirected: `bInheritHandles = FALSE`. The "
        "executable is left to `CreateProcessW`'s own search (the application's directory, the current "
        "directory, the system directories, PATH); a `.bat` goes to `cmd.exe` the same way.",
        "",
        "Versions: " + "; ".join([
            "bequest (this tree, Windows build)",
            "Boost.Process v2 Boost 1.81 headers",
            "libuv v1.x with libuv#5100 (pattern)",
            "Rust std of 2025-26, rust-lang/rust 050ad7a0 and 24a41186 (pattern)",
            "CPython 3.12-3.14 (pattern)",
            wine,
        ] + ([wine10[0]] if wine10 else [])) + ".",
        "",
        "## Windows summary",
        "",
        "| | " + " | ".join(s for s, _ in WIN_SCENARIOS) + " |",
        "|---|" + "---|" * len(WIN_SCENARIOS),
    ]
    for peer in WIN_PEERS:
        lines.append(f"| **{peer}** | " + " | ".join(verdict(s, cells[(peer, s)]) for s, _ in WIN_SCENARIOS) + " |")
    lines += ["", "Columns: " + "; ".join(f"`{s}`: {d}" for s, d in WIN_SCENARIOS) + ".", ""]
    if wine10:
        lines += [f"## Windows summary, under {w10}", "",
                  "| | " + " | ".join(s for s, _ in WIN_SCENARIOS) + " |", "|---|" + "---|" * len(WIN_SCENARIOS)]
        for peer in WIN_PEERS:
            lines.append(f"| **{peer}** | " +
                         " | ".join(verdict(s, wine10[1][(peer, s)]) for s, _ in WIN_SCENARIOS) + " |")
        lines.append("")
    for scenario, description in WIN_SCENARIOS:
        if scenario == "kill-after-reap":
            continue
        lines += [f"## Windows {scenario}: {description}", ""]
        if wine10:
            lines += [f"| peer | under {WINE_VERSION[0]} | under {w10} |", "|---|---|---|"]
        else:
            lines += ["| peer | what happened |", "|---|---|"]
        for peer in WIN_PEERS:
            row = f"| {peer} | {cells[(peer, scenario)].replace('|', '/')} |"
            if wine10:
                row += f" {wine10[1][(peer, scenario)].replace('|', '/')} |"
            lines.append(row)
        lines.append("")
    lines += [
        "## Windows notes",
        "",
        "- `only-listed` also counts the rogue children that received the listed handle: a handle list "
        "requires its handles to be inheritable, so while a peer's spawn runs, every `bInheritHandles = TRUE` "
        "spawn elsewhere takes them too. bequest's handles are never inheritable in the parent: it duplicates "
        "them into a suspended helper process and lists them there.",
        "- Boost.Process v2 on Windows: `process_stdio` makes each std handle inheritable in the parent (the "
        "parent's own std handles stay so) and sets `inherit_handles`, so `CreateProcessW` runs with "
        "`bInheritHandles = TRUE` and no handle list. `posix::bind_fd` has no Windows counterpart. "
        "`environment::find_executable`, the documented way to start a program by name, does not compile for "
        "Windows in 1.81 (`process_environment`'s initializer-list constructors pass a string literal where "
        "`build_env` takes an `enable_if` pointer), so `bare-name` gives the name to `process` as is, which "
        "hands it to `CreateProcessW` as `lpApplicationName`, which Windows completes from the current directory "
        "without appending `.exe`: `compare-evil.exe` runs `.\\compare-evil.exe`, `compare-evil` finds nothing. "
        "One of its headers includes `<Windows.h>`: "
        "mingw-w64 has `<windows.h>` on a case-sensitive file system, so the build adds a forwarding header.",
        "- `batch-injection`: the script prints one line and never looks at its arguments, so any `INJECTED` "
        "in the output was run by `cmd.exe` from its command line. Case 1, `\"&echo INJECTED`: a quote that "
        "the C runtime's rules escape with a backslash ends cmd.exe's quoted string, and `&` starts a command. "
        "Case 2, `%CMPINJ%` with the variable holding `\"&echo INJECTED-BY-VARIABLE&\"`: real `cmd.exe` expands "
        "variables before it splits the line, so the expansion's quote and `&` inject too; the `cmd.exe` of "
        "Wine 8 and of Wine 10 expands the variable but does not split at the `&` it produced (checked by hand: "
        "`cmd /c \"echo [%V%]\"` with V=`\"&echo X&\"` prints the text), so case 2 cannot show an injection under "
        "Wine for any peer. bequest escapes both cases for `cmd.exe` (docs/windows.md) and refuses "
        "arguments it cannot pass safely.",
        "- A driver that crashes loses only its cell, which says so with its exit code; none did in this run "
        "unless a cell above says otherwise.",
        "",
    ]
    return lines


def build_rel(build):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.relpath(build, root)


if __name__ == "__main__":
    main()
