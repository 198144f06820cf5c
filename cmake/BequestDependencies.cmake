# What bequest's parts need, and which parts can be built here.
#
# The library needs only a C++17 compiler. Asio is needed by <bequest/asio.hpp>'s users (the
# bequest::asio target), the Asio examples and the tests; fmt by the tests of
# <bequest/format.hpp>; Catch2 v2 and (on Linux) Boost.Process by the tests.
# BEQUEST_BUILD_TESTS / BEQUEST_BUILD_EXAMPLES set to AUTO leave a part out, with one line
# naming what is missing, when a dependency is not found; set to ON they require it.
#
# A target that already exists (a dependency added as a subproject before bequest) is used
# as it is, never looked for again. A mingw build cannot use the Linux packages' CMake
# targets: they point at /usr/include, which would pull glibc headers into a Windows build.
# fmt, Catch2 v2 and Asio are header-only (fmt with FMT_HEADER_ONLY), so a cross build from
# Debian sees just those directories through staged include trees of symlinks. A package
# manager that provides them for the target (vcpkg, Conan, MSYS2) is used first.

include_guard(GLOBAL)

set(_bequest_cross_from_host OFF)
if(WIN32 AND CMAKE_CROSSCOMPILING)
  set(_bequest_cross_from_host ON)
endif()

# The Windows settings of every source that includes <windows.h>: the library's (where they
# are private), the tests' and the examples'. Windows 10 APIs; a library has no business
# choosing its users' windows.h, so this target is never exported. Empty elsewhere.
add_library(bequest_os_defines INTERFACE)
if(WIN32)
  target_compile_definitions(bequest_os_defines INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
endif()

# Catch2 and Asio headers for a cross build from Debian.
if(_bequest_cross_from_host)
  set(_stage "${CMAKE_BINARY_DIR}/host-headers")
  file(MAKE_DIRECTORY "${_stage}")
  foreach(_entry catch2 asio asio.hpp)
    if(EXISTS "/usr/include/${_entry}" AND NOT EXISTS "${_stage}/${_entry}")
      file(CREATE_LINK "/usr/include/${_entry}" "${_stage}/${_entry}" SYMBOLIC)
    endif()
  endforeach()
  set(BEQUEST_HOST_HEADERS "${_stage}" CACHE INTERNAL "")
  if(EXISTS "${_stage}/asio.hpp" AND NOT asio_INCLUDE_DIR)
    set(asio_INCLUDE_DIR "${_stage}" CACHE PATH "Directory holding asio.hpp")
  endif()
endif()

# Asio, standalone and header-only: a CMake package (vcpkg, Conan) or the bare headers
# (Debian's libasio-dev), through cmake/Findasio.cmake, which the installed bequest package
# carries too. BEQUEST_WITH_ASIO says whether bequest::asio exists (and the installed
# package offers the asio component).
set(BEQUEST_WITH_ASIO AUTO CACHE STRING
    "The asio component (bequest::asio, for <bequest/asio.hpp>): ON (Asio required), OFF, or AUTO (when Asio is found)")
set_property(CACHE BEQUEST_WITH_ASIO PROPERTY STRINGS AUTO ON OFF)
# (if() takes the string AUTO for true: AUTO is tested first wherever it matters.)
if(BEQUEST_WITH_ASIO STREQUAL "AUTO")
  find_package(asio QUIET)
elseif(BEQUEST_WITH_ASIO)
  find_package(asio REQUIRED)
endif()
if(TARGET asio::asio AND NOT BEQUEST_WITH_ASIO STREQUAL "OFF")
  set(BEQUEST_ASIO_ENABLED ON)
else()
  set(BEQUEST_ASIO_ENABLED OFF)
endif()

# Decides whether a part is built: sets <out> to ON or OFF. <switch> is the value of the
# option BEQUEST_BUILD_<option>: ON, OFF or AUTO; <missing> lists what was not found.
function(_bequest_part out label option switch missing)
  if(switch STREQUAL "AUTO")
    if(missing)
      list(JOIN missing ", " missing)
      message(STATUS "bequest: ${label} skipped: ${missing} not found (-DBEQUEST_BUILD_${option}=ON to require, OFF to silence this)")
      set(${out} OFF PARENT_SCOPE)
    else()
      set(${out} ON PARENT_SCOPE)
    endif()
  elseif(switch)
    if(missing)
      list(JOIN missing ", " missing)
      message(FATAL_ERROR "bequest: BEQUEST_BUILD_${option} is ON but ${missing} not found (install, or -DBEQUEST_BUILD_${option}=OFF)")
    endif()
    set(${out} ON PARENT_SCOPE)
  else()
    set(${out} OFF PARENT_SCOPE)
  endif()
endfunction()

# The tests.
set(_missing "")
if(BEQUEST_BUILD_TESTS OR BEQUEST_BUILD_TESTS STREQUAL "AUTO")
  # fmt, for <bequest/format.hpp>'s tests: the target as it is when a subproject made it; for
  # a cross build from Debian, the stand-in package in cmake/host-fmt (the build machine's
  # headers, header-only) unless a fmt for the target is there.
  if(NOT TARGET fmt::fmt)
    find_package(fmt CONFIG QUIET)
    if(NOT fmt_FOUND AND _bequest_cross_from_host)
      set(fmt_DIR "${CMAKE_CURRENT_LIST_DIR}/host-fmt" CACHE PATH "fmt's CMake package" FORCE)
      find_package(fmt CONFIG QUIET)
    endif()
  endif()
  if(NOT TARGET fmt::fmt)
    list(APPEND _missing "fmt")
  endif()
  # Catch2 v2 is header-only; the suite uses its header and Catch.cmake for test discovery.
  find_file(BEQUEST_CATCH_CMAKE Catch.cmake PATHS /usr/lib/cmake/Catch2 /usr/share/cmake/Catch2 NO_CMAKE_FIND_ROOT_PATH)
  if(_bequest_cross_from_host)
    set(_catch_found FALSE)
    if(EXISTS "${BEQUEST_HOST_HEADERS}/catch2/catch.hpp")
      set(_catch_found TRUE)
    endif()
  else()
    find_package(Catch2 2 QUIET)
    set(_catch_found ${Catch2_FOUND})
  endif()
  if(NOT BEQUEST_CATCH_CMAKE OR NOT _catch_found)
    list(APPEND _missing "Catch2 v2")
  endif()
  if(NOT TARGET asio::asio OR BEQUEST_WITH_ASIO STREQUAL "OFF")
    list(APPEND _missing "Asio")
  endif()
  if(NOT WIN32)
    # Boost.Process v1 (header-only; needs Boost.Filesystem) is the foreign spawner.
    find_package(Boost 1.74 QUIET COMPONENTS filesystem)
    if(NOT Boost_FOUND OR NOT EXISTS "${Boost_INCLUDE_DIRS}/boost/process.hpp")
      list(APPEND _missing "Boost.Process (Boost >= 1.74 with Boost.Filesystem)")
    endif()
  endif()
endif()
_bequest_part(BEQUEST_TESTS_ENABLED "the tests" TESTS "${BEQUEST_BUILD_TESTS}" "${_missing}")

# The examples: the Asio ones need Asio, the others nothing.
set(_missing "")
if(NOT BEQUEST_ASIO_ENABLED)
  list(APPEND _missing "Asio")
endif()
set(BEQUEST_EXAMPLES_ENABLED OFF)
set(BEQUEST_ASIO_EXAMPLES_ENABLED OFF)
if(BEQUEST_BUILD_EXAMPLES OR BEQUEST_BUILD_EXAMPLES STREQUAL "AUTO")
  set(BEQUEST_EXAMPLES_ENABLED ON)
  _bequest_part(BEQUEST_ASIO_EXAMPLES_ENABLED "the Asio examples" EXAMPLES "${BEQUEST_BUILD_EXAMPLES}" "${_missing}")
endif()
unset(_missing)

# What the examples and tests use on top of bequest::asio.
add_library(bequest_asio_headers INTERFACE)
if(TARGET asio::asio)
  target_link_libraries(bequest_asio_headers INTERFACE asio::asio)
endif()
target_compile_definitions(bequest_asio_headers INTERFACE ASIO_NO_DEPRECATED)
target_link_libraries(bequest_asio_headers INTERFACE bequest_os_defines)
