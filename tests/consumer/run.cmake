# The consumer test: installs bequest into a temporary prefix and builds and runs a project
# outside the tree against it, the ways users do.
#
#   cmake -DSOURCE_DIR=<bequest> -DWORK_DIR=<scratch> -DPLATFORM=linux|windows -P run.cmake
#
# linux:   static and shared: find_package, pkg-config (a plain compiler command line), and
#          add_subdirectory (static, with fmt as a subproject and no installed fmt to find);
#          Conan's test_package built with CMake against both prefixes; a check that the
#          shared library exports every public symbol of the static one and nothing of
#          bequest::detail; that find_package(bequest COMPONENTS asio) against a package
#          built without it, and add_subdirectory without Asio, fail saying what is missing.
# windows: mingw-w64 static and shared (a DLL and its import library): find_package; the
#          programs run under Wine.
#
# Everywhere the programs that use only bequest compile with fmt's headers out of reach
# (CMakeLists.txt), the libraries are built without fmt, and on Linux neither library
# refers to a symbol of fmt's.
#
# bequest is configured with the options the vcpkg port and the Conan recipe pass
# (tests, examples and benchmarks off, install on; BUILD_SHARED_LIBS). Each prefix is
# moved after installing, as vcpkg and Conan move theirs, so a config or .pc file that
# remembered its install path fails here.

cmake_minimum_required(VERSION 3.21)
foreach(v SOURCE_DIR WORK_DIR PLATFORM)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run.cmake needs -D${v}=")
  endif()
endforeach()
if(NOT DEFINED JOBS)
  set(JOBS 2)
endif()
set(consumer_dir "${CMAKE_CURRENT_LIST_DIR}")

file(STRINGS "${SOURCE_DIR}/include/bequest/version.hpp" _lines REGEX "^#define BEQUEST_VERSION_(MAJOR|MINOR|PATCH) ")
set(version "")
foreach(part MAJOR MINOR PATCH)
  string(REGEX MATCH "BEQUEST_VERSION_${part} ([0-9]+)" _ "${_lines}")
  list(APPEND version ${CMAKE_MATCH_1})
endforeach()
list(JOIN version "." version)

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs a command; on failure prints its output and stops the test.
function(step name)
  cmake_parse_arguments(PARSE_ARGV 1 S "" "WORKING_DIRECTORY" "COMMAND;ENV")
  if(NOT S_WORKING_DIRECTORY)
    set(S_WORKING_DIRECTORY "${WORK_DIR}")
  endif()
  string(TIMESTAMP t0 "%s")
  set(cmd ${S_COMMAND})
  if(S_ENV)
    set(cmd "${CMAKE_COMMAND}" -E env ${S_ENV} ${S_COMMAND})
  endif()
  # Output goes to a file, not a pipe: a Wine service started by the command could keep a
  # pipe open after the command ends, and this would wait for its end forever.
  set(log "${WORK_DIR}/step.log")
  execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${S_WORKING_DIRECTORY}"
                  RESULT_VARIABLE rc OUTPUT_FILE "${log}" ERROR_FILE "${log}")
  file(READ "${log}" out)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${S_COMMAND}")
    message(FATAL_ERROR "consumer: ${name} FAILED (${rc})\n  ${shown}\n${out}")
  endif()
  message(STATUS "consumer: ${name}: ok (${dt} s)")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# Runs a command that must fail and print something matching <expected>.
function(step_fails name expected)
  cmake_parse_arguments(PARSE_ARGV 2 S "" "" "COMMAND")
  set(log "${WORK_DIR}/step.log")
  execute_process(COMMAND ${S_COMMAND} WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_FILE "${log}" ERROR_FILE "${log}")
  file(READ "${log}" out)
  # CMake wraps long messages: compare with the line breaks and indentation taken out.
  string(REGEX REPLACE "[ \n]+" " " flat "${out}")
  if(rc EQUAL 0)
    message(FATAL_ERROR "consumer: ${name}: succeeded, but should have failed\n${out}")
  endif()
  if(NOT flat MATCHES "${expected}")
    message(FATAL_ERROR "consumer: ${name}: failed without saying \"${expected}\":\n${out}")
  endif()
  message(STATUS "consumer: ${name}: fails as it should")
endfunction()

# Configures, builds and installs bequest; moves the result to <WORK_DIR>/prefix-<tag>.
# Static builds are Release, as packagers build; shared ones have no build type, as a plain
# `cmake -S . -B build` has, and compile fastest (no optimiser, no debug information). The
# consumer is a Release build either way, so it also shows that the package's imported
# configurations map onto a consumer's.
function(install_bequest tag shared)
  set(build "${WORK_DIR}/bequest-${tag}")
  set(asio_switch ON)
  if(DEFINED ARGV2)
    set(asio_switch ${ARGV2})
  endif()
  if(shared)
    set(build_type "")
  else()
    set(build_type Release)
  endif()
  step("${tag}: configure bequest" COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build}" -G Ninja
       -DCMAKE_BUILD_TYPE=${build_type} -DBUILD_SHARED_LIBS=${shared} -DCMAKE_POSITION_INDEPENDENT_CODE=ON
       -DBEQUEST_BUILD_TESTS=OFF -DBEQUEST_BUILD_EXAMPLES=OFF -DBEQUEST_BUILD_BENCH=OFF -DBEQUEST_INSTALL=ON
       -DBEQUEST_WITH_ASIO=${asio_switch} -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/staging-${tag} ${toolchain_args})
  step("${tag}: build bequest" COMMAND "${CMAKE_COMMAND}" --build "${build}" -j ${JOBS})
  step("${tag}: install bequest" COMMAND "${CMAKE_COMMAND}" --install "${build}")
  file(RENAME "${WORK_DIR}/staging-${tag}" "${WORK_DIR}/prefix-${tag}")
endfunction()

# Builds tests/consumer with CMake and runs both of its programs.
function(consume_with_cmake tag)
  string(REGEX REPLACE "[^A-Za-z0-9_.-]+" "-" dir "${tag}")
  set(build "${WORK_DIR}/consumer-${dir}")
  step("${tag}: configure consumer" COMMAND "${CMAKE_COMMAND}" -S "${consumer_dir}" -B "${build}" -G Ninja
       -DCMAKE_BUILD_TYPE=Release -DBEQUEST_EXPECTED_VERSION=${version} ${toolchain_args} ${ARGN})
  step("${tag}: build consumer" COMMAND "${CMAKE_COMMAND}" --build "${build}" -j ${JOBS})
  run_program("${tag}" "${build}/consumer${exe_suffix}" "consumer: ok")
  foreach(extra consumer_asio consumer_format)
    if(EXISTS "${build}/${extra}${exe_suffix}")
      run_program("${tag}" "${build}/${extra}${exe_suffix}" "${extra}: ok")
    endif()
  endforeach()
endfunction()

# Builds test_package/ (the Conan recipe's test) with CMake against a prefix, as Conan's
# CMakeDeps would let it find bequest, and runs it.
function(build_test_package tag asio shared)
  set(build "${WORK_DIR}/test_package-${tag}")
  step("${tag}: configure test_package" COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/test_package" -B "${build}" -G Ninja
       -DCMAKE_BUILD_TYPE=Release -DBEQUEST_TEST_ASIO=${asio} -DBEQUEST_TEST_SHARED=${shared} ${toolchain_args} ${ARGN})
  step("${tag}: build test_package" COMMAND "${CMAKE_COMMAND}" --build "${build}" -j ${JOBS})
  run_program("${tag}" "${build}/test_package${exe_suffix}" "test_package: ok")
endfunction()

function(run_program tag program expected)
  get_filename_component(name "${program}" NAME)
  step("${tag}: run ${name}" COMMAND ${emulator} "${program}" ENV ${run_env})
  if(NOT step_output MATCHES "${expected}")
    message(FATAL_ERROR "consumer: ${tag}: ${name} did not print \"${expected}\":\n${step_output}")
  endif()
endfunction()

if(PLATFORM STREQUAL "linux")
  set(toolchain_args "")
  set(emulator "")
  set(exe_suffix "")
  find_program(PKG_CONFIG pkg-config REQUIRED)
  find_program(CXX NAMES c++ g++ REQUIRED)
  find_program(NM nm REQUIRED)

  foreach(variant static shared)
    # The asio component does not depend on the variant, and Asio is slow to compile: the
    # static variant checks it.
    if(variant STREQUAL "shared")
      set(shared ON)
      set(asio_too OFF)
    else()
      set(shared OFF)
      set(asio_too ON)
    endif()
    # The shared prefix is built without the asio component: find_package must then refuse it.
    install_bequest(${variant} ${shared} ${asio_too})
    set(prefix "${WORK_DIR}/prefix-${variant}")
    set(run_env "")
    # The static variant also opts in to <bequest/format.hpp>, with Debian's fmt.
    consume_with_cmake("${variant}, find_package" -DCMAKE_PREFIX_PATH=${prefix} -DBEQUEST_CONSUMER_ASIO=${asio_too}
                       -DBEQUEST_CONSUMER_FORMAT=${asio_too})
    build_test_package("${variant}" ${asio_too} ${shared} -DCMAKE_PREFIX_PATH=${prefix})

    # pkg-config, without CMake. The shared library is found at run time through an rpath.
    set(pc_env "PKG_CONFIG_PATH=${prefix}/lib/pkgconfig")
    set(pc_args --cflags --libs bequest)
    if(variant STREQUAL "static")
      list(PREPEND pc_args --static)
    endif()
    step("${variant}, pkg-config: flags" COMMAND "${PKG_CONFIG}" ${pc_args} ENV ${pc_env})
    string(STRIP "${step_output}" flags)
    separate_arguments(flags UNIX_COMMAND "${flags}")
    set(program "${WORK_DIR}/consumer-${variant}-pkg-config")
    set(rpath "")
    if(variant STREQUAL "shared")
      set(rpath "-Wl,-rpath,${prefix}/lib")
    endif()
    # fmt's headers out of reach here too (the directory the find_package build made).
    set(no_fmt "${WORK_DIR}/consumer-${variant}-find_package/no-fmt")
    if(NOT EXISTS "${no_fmt}/fmt/format.h")
      message(FATAL_ERROR "consumer: ${no_fmt}/fmt/format.h is missing")
    endif()
    step("${variant}, pkg-config: compile" COMMAND "${CXX}" -std=c++17 -O1 -I${no_fmt} "${consumer_dir}/consumer.cpp" -o "${program}" ${flags} ${rpath})
    run_program("${variant}, pkg-config" "${program}" "consumer: ok")
  endforeach()

  # Every public symbol the static library defines is exported by the shared one; nothing
  # from bequest::detail is.
  function(public_symbols out)
    execute_process(COMMAND "${NM}" ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_QUIET)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "consumer: nm ${ARGN} failed")
    endif()
    string(REPLACE ";" "\\;" text "${text}")
    string(REGEX MATCHALL "[^\n]+" lines "${text}")
    set(names "")
    foreach(line IN LISTS lines)
      # "ADDRESS TYPE NAME": strong definitions only (weak ones are inline code each user has).
      if(line MATCHES "^[0-9a-f]+ [TDBR] (.*)$")
        set(name "${CMAKE_MATCH_1}")
        string(REGEX REPLACE "^(vtable|typeinfo|typeinfo name) for " "" base "${name}")
        if(base MATCHES "^bequest::")
          list(APPEND names "${name}")
        endif()
      endif()
    endforeach()
    set(${out} "${names}" PARENT_SCOPE)
  endfunction()
  public_symbols(static_names -C -g --defined-only "${WORK_DIR}/prefix-static/lib/libbequest.a")
  public_symbols(shared_names -C -D --defined-only "${WORK_DIR}/prefix-shared/lib/libbequest.so")
  set(missing "")
  foreach(name IN LISTS static_names)
    if(NOT name MATCHES "^bequest::detail::" AND NOT name IN_LIST shared_names)
      list(APPEND missing "${name}")
    endif()
  endforeach()
  set(leaked "")
  foreach(name IN LISTS shared_names)
    string(REGEX REPLACE "^(vtable|typeinfo|typeinfo name) for " "" base "${name}")
    if(base MATCHES "^bequest::detail::")
      list(APPEND leaked "${name}")
    endif()
  endforeach()
  if(missing OR leaked)
    list(JOIN missing "\n  " missing)
    list(JOIN leaked "\n  " leaked)
    message(FATAL_ERROR "consumer: libbequest.so exports\n- not (missing BEQUEST_API?):\n  ${missing}\n- but should not:\n  ${leaked}")
  endif()
  list(LENGTH shared_names n)
  message(STATUS "consumer: shared exports: ok (${n} public symbols, none from bequest::detail)")

  # Neither library needs fmt to link: no fmt symbol is referred to, no libfmt is needed.
  execute_process(COMMAND "${NM}" -C -u "${WORK_DIR}/prefix-static/lib/libbequest.a" OUTPUT_VARIABLE undefined ERROR_QUIET)
  execute_process(COMMAND "${NM}" -C -D -u "${WORK_DIR}/prefix-shared/lib/libbequest.so" OUTPUT_VARIABLE undefined_shared ERROR_QUIET)
  find_program(READELF readelf REQUIRED)
  execute_process(COMMAND "${READELF}" -d "${WORK_DIR}/prefix-shared/lib/libbequest.so" OUTPUT_VARIABLE dynamic ERROR_QUIET)
  if("${undefined}${undefined_shared}" MATCHES "fmt::" OR dynamic MATCHES "libfmt" OR NOT dynamic MATCHES "NEEDED")
    message(FATAL_ERROR "consumer: the installed bequest refers to fmt:\n${undefined}\n${undefined_shared}\n${dynamic}")
  endif()
  message(STATUS "consumer: no fmt in libbequest.a or libbequest.so: ok")

  # find_package(bequest COMPONENTS asio) against a package built without the component.
  step_fails("shared (no asio component), find_package COMPONENTS asio"
             "installed without the asio component.*bequest\\[asio\\].*with_asio=True.*BEQUEST_WITH_ASIO=ON"
             COMMAND "${CMAKE_COMMAND}" -S "${consumer_dir}" -B "${WORK_DIR}/consumer-no-asio" -G Ninja
                     -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix-shared -DBEQUEST_CONSUMER_ASIO=ON -DBEQUEST_EXPECTED_VERSION=${version})

  # add_subdirectory: bequest as part of another project's build, in which fmt is a
  # subproject and no installed fmt can be found.
  set(fmt_dir "${WORK_DIR}/fmt-subproject-headers")
  file(MAKE_DIRECTORY "${fmt_dir}")
  file(CREATE_LINK /usr/include/fmt "${fmt_dir}/fmt" SYMBOLIC)
  set(subdirectory_args -DBEQUEST_CONSUME=subdirectory -DBEQUEST_SOURCE_DIR=${SOURCE_DIR}
      -DBEQUEST_CONSUMER_FMT_SUBPROJECT=${fmt_dir} -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON)
  set(run_env "")
  # No build type: it compiles bequest again, and unoptimised is quicker.
  consume_with_cmake("add_subdirectory" ${subdirectory_args} -DBEQUEST_CONSUMER_ASIO=OFF -DBEQUEST_CONSUMER_FORMAT=ON
                     -DCMAKE_BUILD_TYPE=)
  # The same with bequest's tests on (configured only): they take the subproject's fmt.
  step("add_subdirectory, bequest's tests with the fmt subproject: configure"
       COMMAND "${CMAKE_COMMAND}" -S "${consumer_dir}" -B "${WORK_DIR}/consumer-with-tests" -G Ninja
               ${subdirectory_args} -DBEQUEST_CONSUMER_WITH_BEQUEST_TESTS=ON)
  # add_subdirectory without Asio, and a target that links bequest::asio.
  step_fails("add_subdirectory without Asio, linking bequest::asio"
             "target consumer_asio links bequest::asio, but bequest was configured with BEQUEST_WITH_ASIO=OFF"
             COMMAND "${CMAKE_COMMAND}" -S "${consumer_dir}" -B "${WORK_DIR}/consumer-subdirectory-no-asio" -G Ninja
                     -DBEQUEST_CONSUME=subdirectory -DBEQUEST_SOURCE_DIR=${SOURCE_DIR} -DBEQUEST_WITH_ASIO=OFF
                     -DBEQUEST_CONSUMER_ASIO=ON)

elseif(PLATFORM STREQUAL "windows")
  # A mingw consumer on Debian has no Asio built for Windows: it uses the host's header-only
  # one (a directory holding only Asio), as bequest's own mingw build does. vcpkg or Conan
  # would provide it instead. No fmt at all: neither bequest nor the consumer needs it.
  set(asio_dir "${WORK_DIR}/host-asio")
  file(MAKE_DIRECTORY "${asio_dir}")
  file(CREATE_LINK /usr/include/asio "${asio_dir}/asio" SYMBOLIC)
  file(CREATE_LINK /usr/include/asio.hpp "${asio_dir}/asio.hpp" SYMBOLIC)
  set(toolchain_args -DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/cmake/mingw-w64-x86_64.cmake
      -Dasio_INCLUDE_DIR=${asio_dir} -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON)
  find_program(WINE wine REQUIRED)
  set(emulator "${WINE}")
  set(exe_suffix ".exe")

  foreach(variant static shared)
    # The asio component does not depend on the variant, and Asio is slow to compile: the
    # static variant checks it.
    if(variant STREQUAL "shared")
      set(shared ON)
      set(asio_too OFF)
    else()
      set(shared OFF)
      set(asio_too ON)
    endif()
    install_bequest(mingw-${variant} ${shared} ${asio_too})
    set(prefix "${WORK_DIR}/prefix-mingw-${variant}")
    if(shared)
      if(NOT EXISTS "${prefix}/bin/libbequest.dll" OR NOT EXISTS "${prefix}/lib/libbequest.dll.a")
        message(FATAL_ERROR "consumer: mingw-shared: no bin/libbequest.dll and lib/libbequest.dll.a in the prefix")
      endif()
    endif()
    # Windows finds the DLL through PATH: WINEPATH under Wine, which wants a Windows path.
    execute_process(COMMAND winepath -w "${prefix}/bin" OUTPUT_FILE "${WORK_DIR}/winepath.txt"
                    RESULT_VARIABLE rc ERROR_QUIET)
    file(READ "${WORK_DIR}/winepath.txt" bin_dir)
    string(STRIP "${bin_dir}" bin_dir)
    if(NOT rc EQUAL 0 OR bin_dir STREQUAL "")
      message(FATAL_ERROR "consumer: winepath -w ${prefix}/bin failed")
    endif()
    set(run_env "WINEPATH=${bin_dir}")
    # Cross builds search only below CMAKE_FIND_ROOT_PATH: the prefix is added there, as
    # vcpkg's and other cross toolchains add theirs.
    consume_with_cmake("mingw-${variant}, find_package" -DCMAKE_FIND_ROOT_PATH=${prefix} -DBEQUEST_CONSUMER_ASIO=${asio_too})
    build_test_package("mingw-${variant}" ${asio_too} ${shared} -DCMAKE_FIND_ROOT_PATH=${prefix})
  endforeach()
else()
  message(FATAL_ERROR "PLATFORM must be linux or windows")
endif()
