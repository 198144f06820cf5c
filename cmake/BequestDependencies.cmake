# Finds fmt, Asio and (for the tests) Catch2, all from Debian's packages.
#
# A mingw build cannot use the Linux packages' CMake targets: they point at /usr/include,
# which would pull glibc headers into a Windows build. fmt, Catch2 v2 and Asio are
# header-only (fmt with FMT_HEADER_ONLY), so a cross build from Debian sees just those
# directories through staged include trees of symlinks. A package manager that provides
# them for the target (vcpkg, Conan, MSYS2) is used first.

include_guard(GLOBAL)

set(_bequest_cross_from_host OFF)
if(WIN32 AND CMAKE_CROSSCOMPILING)
  set(_bequest_cross_from_host ON)
endif()

# fmt: a fmt package built for the target if there is one; when cross-compiling from
# Debian, the stand-in package in cmake/host-fmt (the build machine's headers, header-only).
if(_bequest_cross_from_host)
  find_package(fmt CONFIG QUIET)
  if(NOT fmt_FOUND)
    set(fmt_DIR "${CMAKE_CURRENT_LIST_DIR}/host-fmt" CACHE PATH "fmt's CMake package" FORCE)
    find_package(fmt CONFIG REQUIRED)
  endif()
else()
  find_package(fmt CONFIG REQUIRED)
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
# carries too. Only <bequest/asio.hpp>, its tests and the examples need it.
find_package(asio QUIET)

# What the examples and tests use on top of bequest::asio.
add_library(bequest_asio_headers INTERFACE)
if(TARGET asio::asio)
  target_link_libraries(bequest_asio_headers INTERFACE asio::asio)
endif()
target_compile_definitions(bequest_asio_headers INTERFACE ASIO_NO_DEPRECATED)
if(WIN32)
  target_compile_definitions(bequest_asio_headers INTERFACE _WIN32_WINNT=0x0A00)
endif()
