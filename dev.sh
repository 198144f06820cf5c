#!/usr/bin/env bash
# bequest's developer entry point. On a fresh Debian 12 machine, as root:
#   ./dev.sh demo   build and run the examples on Linux and on Windows (mingw-w64 + Wine)
#   ./dev.sh test   build and run the whole suite: Linux; Linux again on the generic POSIX
#                   fallbacks, under ASan+UBSan and under TSan; the fuzzers, 60 s each;
#                   then Windows under Wine. This includes the soak, the consumer test (bequest installed and used by
#                   another project, on both platforms) and the API reference check (Doxygen)
#   ./dev.sh bench  build optimised, run bench/ on Linux and under Wine, write
#                   build/bench/summary.csv and draw docs/bench.png
#   ./dev.sh check  the fast inner loop: format check, Linux build, the Linux suite without the
#                   soak and the consumer test (about a minute once built)
#   ./dev.sh docs   build the API reference into build/docs/html
#   ./dev.sh fuzz [SECONDS]  the libFuzzer targets alone, SECONDS each (600 by default);
#                   ./dev.sh test runs them for 60 s each after the Linux suite
# Each installs the Debian packages it needs when they are missing.
set -uo pipefail
cd "$(dirname "$0")"

packages=(cmake ninja-build g++ clang-format pkg-config libfmt-dev libasio-dev catch2 libboost-dev libboost-filesystem-dev
          g++-mingw-w64-x86-64-posix mingw-w64-tools wine wine64 doxygen clang-14 libclang-rt-14-dev)

ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "dev.sh: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
    exit 2
  fi
  apt-get update -q || exit 2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || exit 2
}

jobs=$(nproc 2>/dev/null || echo 2)

wine_env() {
  export WINEDEBUG=-all
  export WINEPREFIX="$PWD/build/windows/wineprefix"
  unset DISPLAY
  mkdir -p build/windows
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "==> creating the Wine prefix (once, 10-20 s)"
    wineboot -i >/dev/null 2>&1 || true
  fi
  # One wineserver for the whole run, or every test pays its start-up again.
  wineserver -p
  # Start Wine's services (services.exe, rpcss, winedevice...) now, with nothing to inherit
  # but /dev/null. Otherwise the first Wine program of the run starts them, and they keep
  # that program's stdout pipe open for as long as the server lives: the caller (CTest's
  # test discovery, a test) then waits for end of file forever. Seen with a prefix that
  # already existed, so that wineboot -i above did not run.
  wineboot </dev/null >/dev/null 2>&1 || true
  trap 'wineserver -k 2>/dev/null || true' EXIT
}

build() {  # build PRESET
  echo "==> configure and build: $1"
  cmake --preset "$1" >/dev/null || return 1
  cmake --build --preset "$1" -j "$jobs" || return 1
}

run_suite() {  # run_suite PRESET [ctest args...]
  local preset=$1
  shift
  build "$preset" || { echo "==> $preset: build FAILED"; return 1; }
  echo "==> tests: $preset"
  ctest --preset "$preset" -j "$jobs" "$@"
}

# The libFuzzer targets (fuzz/, docs/fuzzing.md): build them, replay the seeds and every past
# finding (fuzz/regressions), then fuzz each target for SECONDS. A finding fails the run; its
# input is left in build/linux-fuzz/fuzz-runs/TARGET/findings/ — fix the bug, then add the input
# to fuzz/regressions/TARGET/, where ctest --preset linux-fuzz replays it from then on.
run_fuzz() {  # run_fuzz SECONDS
  local seconds=$1 start=$SECONDS failed=0
  echo "==> fuzz: libFuzzer targets, ${seconds} s each"
  build linux-fuzz || { echo "==> fuzz: build FAILED"; return 1; }
  ctest --preset linux-fuzz || failed=1
  local exe name out log runs
  for exe in build/linux-fuzz/fuzz/fuzz_*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    name=${exe##*/fuzz_}
    out=build/linux-fuzz/fuzz-runs/$name   # corpus/ grows here; fuzz/corpus/ holds the seeds
    log=$out/last.log
    mkdir -p "$out/corpus" "$out/findings"
    if "$exe" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$out/findings/" \
         "$out/corpus" "fuzz/corpus/$name" >"$log" 2>&1; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
      echo "==> fuzz: $name: $runs executions in $seconds s, no finding"
    else
      tail -n 40 "$log"
      echo "==> fuzz: $name: FINDING, input in $out/findings/ (log: $log)"
      failed=1
    fi
  done
  echo "==> fuzz: $((SECONDS - start)) s in all"
  return $failed
}

cmd_fuzz() {  # cmd_fuzz SECONDS
  ensure_packages "${packages[@]}"
  run_fuzz "$1"
}

# What the soak printed (tests/test_concurrency.cpp): the figures it checked, for the log.
soak_figures() {  # soak_figures BUILD_DIR
  local log=$1/Testing/Temporary/LastTest.log
  [ -f "$log" ] && grep -a '^soak: [0-9]* s;\|^soak: crossings\|^soak: open handles' "$log" | sed 's/^/    /'
  return 0
}

# The suites ./dev.sh test runs, in order, each timed. linux-generic is the same suite on the
# fallbacks for POSIX systems other than Linux (no pidfd, no closefrom, shm_open start-up data;
# docs/posix.md), built on Linux so that they are tested. It and the sanitizer builds leave out
# the soak (the plain build soaks 10,000 spawns; a sanitizer slows each spawn several-fold) and
# the consumer test (it builds and installs a separate copy of bequest). TSan also leaves out
# the 1 GiB start-up data test: one thread in each process, nothing for TSan to find, and 97 s
# of instrumented hashing in the child (ASan runs it). The fuzzers run for a fixed time on one
# core each, so they run while mingw-w64 compiles the Windows build on the others; their output
# follows once both are done.
cmd_test() {
  ensure_packages "${packages[@]}"
  local failed=0 start=$SECONDS t timings="" fuzz_pid
  check_format || failed=1
  t=$SECONDS; run_suite linux || failed=1; soak_figures build/linux; timings+=" linux $((SECONDS - t)) s,"
  t=$SECONDS; run_suite linux-generic -LE 'consumer|soak' || failed=1; timings+=" linux-generic $((SECONDS - t)) s,"
  t=$SECONDS; run_suite linux-asan -LE 'consumer|soak' || failed=1; timings+=" linux-asan $((SECONDS - t)) s,"
  t=$SECONDS; run_suite linux-tsan -LE 'consumer|soak' -E '^1 GiB of start-up data' || failed=1
  timings+=" linux-tsan $((SECONDS - t)) s,"
  t=$SECONDS
  mkdir -p build
  run_fuzz 60 > build/fuzz.log 2>&1 &
  fuzz_pid=$!
  wine_env
  local windows_built=1
  build windows || { echo "==> windows: build FAILED"; windows_built=0; failed=1; }
  wait "$fuzz_pid" || failed=1
  cat build/fuzz.log
  timings+=" fuzz and the Windows build $((SECONDS - t)) s,"
  t=$SECONDS
  if [ $windows_built -eq 1 ]; then
    echo "==> tests: windows"
    ctest --preset windows -j "$jobs" || failed=1
    soak_figures build/windows
  fi
  timings+=" windows $((SECONDS - t)) s"
  echo "==> dev.sh test:${timings}; $((SECONDS - start)) s in all"
  if [ $failed -ne 0 ]; then echo "==> dev.sh test: FAILED"; else echo "==> dev.sh test: all suites passed"; fi
  return $failed
}

# The sources clang-format checks (.clang-format at the root; clang-format 14, Debian 12's).
format_sources() {
  git ls-files -- 'include/*.hpp' 'src/*.hpp' 'src/*.cpp' 'tests/*.hpp' 'tests/*.cpp'
}

check_format() {
  echo "==> format: clang-format --dry-run -Werror"
  local files
  mapfile -t files < <(format_sources)
  if clang-format --dry-run -Werror "${files[@]}"; then
    echo "==> format: ${#files[@]} files clean"
  else
    echo "==> format: FAILED (run: git ls-files -- 'include/*.hpp' 'src/*.[ch]pp' 'tests/*.[ch]pp' | xargs clang-format -i)"
    return 1
  fi
}

# The fast inner loop: what most changes need checked before ./dev.sh test.
cmd_check() {
  ensure_packages "${packages[@]}"
  local failed=0 start=$SECONDS
  check_format || failed=1
  run_suite linux -LE 'consumer|soak' || failed=1
  echo "==> dev.sh check: $((SECONDS - start)) s"
  if [ $failed -ne 0 ]; then echo "==> dev.sh check: FAILED"; else echo "==> dev.sh check: passed"; fi
  return $failed
}

cmd_demo() {
  ensure_packages "${packages[@]}"
  local failed=0
  build linux || failed=1
  if [ $failed -eq 0 ]; then
    echo "==> examples on Linux"
    ctest --test-dir build/linux -L example --output-on-failure -V 2>&1 | grep -E '^\s*[0-9]+: |tests passed|tests failed' || failed=1
  fi
  wine_env
  if build windows; then
    echo "==> examples on Windows (Wine)"
    ctest --test-dir build/windows -L example --output-on-failure -V 2>&1 | grep -E '^\s*[0-9]+: |tests passed|tests failed' || failed=1
  else
    failed=1
  fi
  return $failed
}

# What the benchmarks need beyond the build: the peers they measure (libuv; Boost.Process is
# in libboost-dev; Python and Rust as the machine has them, Debian's when it has none) and gnuplot.
bench_packages=(libuv1-dev gnuplot-nox fonts-dejavu-core)
command -v python3 >/dev/null 2>&1 || bench_packages+=(python3)
command -v rustc >/dev/null 2>&1 || bench_packages+=(rustc)

# bench_spawn's Linux rows as a gnuplot table: cases x implementations. (The Wine panel's
# table, of means, is written by bench_spawn.exe --plot.)
bench_plot_table() {  # bench_plot_table LINUX_CSV LINUX_OUT
  awk -F, '
    NR == 1 { next }
    {
      if (!($1 in seen_case)) { seen_case[$1] = 1; cases[++nc] = $1 }
      if (!($2 in seen_impl)) { seen_impl[$2] = 1; impls[++ni] = $2 }
      v[$1, $2] = $3
      if ($2 == "bequest") ratio[$1] = $5
    }
    END {
      printf "case"
      for (j = 1; j <= ni; ++j) printf "\t%s", impls[j]
      printf "\tbequest/posix_spawn\n"
      for (i = 1; i <= nc; ++i) {
        printf "%s", cases[i]
        for (j = 1; j <= ni; ++j) printf "\t%s", ((cases[i], impls[j]) in v) ? v[cases[i], impls[j]] : "-"
        printf "\t%s\n", (cases[i] in ratio) ? ratio[cases[i]] : "-"
      }
    }' "$1" > "$2"
}

cmd_bench() {
  ensure_packages "${packages[@]}" "${bench_packages[@]}"
  local start=$SECONDS failed=0 out=build/bench
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  build release || return 1
  wine_env
  build windows-release || return 1
  mkdir -p "$out"
  rm -f "$out"/*.csv "$out"/*.dat
  local exe name
  for exe in build/release/bench/bench_*; do
    [ -x "$exe" ] || continue
    name=$(basename "$exe")
    echo "==> $name (Linux)"
    # shellcheck disable=SC2086  # BEQUEST_BENCH_ARGS="--scale 0.2" for a quick look
    "$exe" --csv "$out/$name.csv" ${BEQUEST_BENCH_ARGS:-} || failed=1
  done
  for exe in build/windows-release/bench/bench_*.exe; do
    [ -f "$exe" ] || continue
    name=$(basename "$exe" .exe)
    echo "==> $name (Windows, under Wine)"
    # shellcheck disable=SC2086
    local plot_args=()
    [ "$name" = bench_spawn ] && plot_args=(--plot "$out/plot_wine.dat")
    wine "$exe" --csv "$out/wine_$name.csv" "${plot_args[@]}" ${BEQUEST_BENCH_ARGS:-} || failed=1
  done
  local load_after
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)

  # One header, then every benchmark's rows.
  local first=1 csv
  : > "$out/summary.csv"
  for csv in "$out"/bench_*.csv "$out"/wine_bench_*.csv; do
    [ -f "$csv" ] || continue
    if [ $first -eq 1 ]; then head -n1 "$csv" >> "$out/summary.csv"; first=0; fi
    tail -n +2 "$csv" >> "$out/summary.csv"
  done
  echo
  echo "==> build/bench/summary.csv"
  column -t -s, -o '  ' "$out/summary.csv"

  local cpu machine
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  machine="$(nproc) x ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r), $(wine --version 2>/dev/null); $(date -u '+%Y-%m-%d %H:%M UTC'); load average ${load_before} before, ${load_after} after"
  echo "$machine" > "$out/machine.txt"
  bench_plot_table "$out/bench_spawn.csv" "$out/plot_linux.dat"
  local columns
  columns=$(head -n1 "$out/plot_linux.dat" | awk -F'\t' '{print NF}')
  if gnuplot -e "linux='$out/plot_linux.dat'; wine='$out/plot_wine.dat'; columns=$columns; out='docs/bench.png'; footer='$machine'" bench/plot.gp; then
    echo "==> docs/bench.png ($machine)"
  else
    echo "==> gnuplot FAILED"; failed=1
  fi
  echo "==> dev.sh bench: $((SECONDS - start)) s"
  return $failed
}

cmd_docs() {
  ensure_packages doxygen
  mkdir -p build/docs
  echo "==> API reference (Doxygen): build/docs/html/index.html"
  local version
  version=$(sed -n 's/^#define BEQUEST_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' include/bequest/version.hpp | paste -sd.)
  BEQUEST_DOCS_OUT=build/docs BEQUEST_VERSION="$version" doxygen docs/Doxyfile
}

case "${1:-}" in
  test) cmd_test ;;
  demo) cmd_demo ;;
  check) cmd_check ;;
  bench) cmd_bench ;;
  docs) cmd_docs ;;
  fuzz) cmd_fuzz "${2:-600}" ;;
  *) echo "usage: ./dev.sh demo | test | check | bench | docs | fuzz [SECONDS]" >&2; exit 2 ;;
esac
