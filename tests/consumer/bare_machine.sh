#!/bin/sh
# SPDX-License-Identifier: BSL-1.0
# A packager's plain build on a machine with only a compiler and CMake:
#
#   cmake -S . -B build && cmake --build build && cmake --install build
#
# run in a private mount namespace (unshare) that shows this machine without any package a
# part of bequest could use: /usr/include without fmt, Asio, Catch2, Boost, Google Benchmark
# and libuv, and no CMake or pkg-config package files at all. /usr/local is a fresh tmpfs
# there, so `cmake --install build` installs where a packager's would, and nothing of it
# outlives the test. Then a program that uses bequest is built against the installed
# package and run, in the same view.
#
#   bare_machine.sh SOURCE_DIR WORK_DIR
set -eu
source_dir=$1
work=$2

if [ "${BEQUEST_BARE_VIEW:-}" != 1 ]; then
  rm -rf "$work"
  mkdir -p "$work"
  exec unshare --mount --map-root-user env BEQUEST_BARE_VIEW=1 sh "$0" "$@"
fi

# The view.
mkdir -p "$work/orig-include" "$work/include-view"
mount --bind /usr/include "$work/orig-include"
for entry in "$work/orig-include"/*; do
  name=$(basename "$entry")
  case $name in
    fmt | asio | asio.hpp | catch2 | boost | benchmark | uv | uv.h) ;;
    *) ln -s "$entry" "$work/include-view/$name" ;;
  esac
done
mount --bind "$work/include-view" /usr/include
for dir in /usr/lib/x86_64-linux-gnu/cmake /usr/lib/cmake /usr/share/cmake /usr/lib/x86_64-linux-gnu/pkgconfig \
           /usr/share/pkgconfig /usr/local; do
  if [ -d "$dir" ]; then mount -t tmpfs bare "$dir"; fi
done
for gone in /usr/include/fmt/format.h /usr/include/asio.hpp /usr/include/catch2/catch.hpp /usr/include/boost/process.hpp \
            /usr/lib/x86_64-linux-gnu/cmake/fmt /usr/lib/cmake/Catch2; do
  if [ -e "$gone" ]; then echo "bare machine: $gone is still visible"; exit 1; fi
done
test -e /usr/include/stdio.h || { echo "bare machine: the C library's headers went missing"; exit 1; }

# The packager's commands, as the README gives them (in a copy of the checkout: a build/
# directory must not appear in the sources).
mkdir -p "$work/src"
cp -R "$source_dir/CMakeLists.txt" "$source_dir/LICENSE" "$source_dir/cmake" "$source_dir/include" "$source_dir/src" \
      "$source_dir/tests" "$source_dir/examples" "$source_dir/bench" "$source_dir/fuzz" "$work/src/"
cd "$work/src"
export CMAKE_BUILD_PARALLEL_LEVEL="${JOBS:-2}"
cmake -S . -B build > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; echo "bare machine: configure FAILED"; exit 1; }
cat "$work/configure.log"
grep -q "bequest: the tests skipped: fmt, Catch2 v2, Asio, Boost.Process (Boost >= 1.74 with Boost.Filesystem) not found" \
  "$work/configure.log" || { echo "bare machine: no line saying the tests are skipped and why"; exit 1; }
grep -q "bequest: the Asio examples skipped: Asio not found" "$work/configure.log" ||
  { echo "bare machine: no line saying the Asio examples are skipped"; exit 1; }
cmake --build build > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "bare machine: build FAILED"; exit 1; }
cmake --install build > "$work/install.log" 2>&1 || { cat "$work/install.log"; echo "bare machine: install FAILED"; exit 1; }
for f in /usr/local/include/bequest/bequest.hpp /usr/local/lib/libbequest.a /usr/local/lib/cmake/bequest/bequestConfig.cmake \
         /usr/local/lib/pkgconfig/bequest.pc; do
  test -e "$f" || { echo "bare machine: $f was not installed"; exit 1; }
done
echo "bare machine: configure, build and install: ok"

# A user of the installed package, on the same machine.
mkdir -p "$work/user"
cat > "$work/user/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(user LANGUAGES CXX)
find_package(bequest CONFIG REQUIRED)
add_executable(user user.cpp)
target_link_libraries(user PRIVATE bequest::bequest)
CMAKE
cat > "$work/user/user.cpp" <<'CPP'
#include <bequest/bequest.hpp>
#include <cstdio>
int main(int argc, char** argv) {
  if (argc > 1) return 5;
  bequest::spawn_options o;
  o.program = argv[0];
  o.args = {"child"};
  const bequest::exit_status s = bequest::spawn(o).wait();
  std::printf("user: child %s\n", s.to_string().c_str());
  return s.code() == 5 ? 0 : 1;
}
CPP
cmake -S "$work/user" -B "$work/user/build" > "$work/user.log" 2>&1 && cmake --build "$work/user/build" >> "$work/user.log" 2>&1 ||
  { cat "$work/user.log"; echo "bare machine: the user's build FAILED"; exit 1; }
"$work/user/build/user"
echo "bare machine: ok"
