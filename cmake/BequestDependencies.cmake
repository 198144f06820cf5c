# Finds fmt, Catch2 and Asio, all from Debian's packages.
#
# The mingw build cannot use the Linux packages' CMake targets: they point at /usr/include,
# which would pull glibc headers into a Windows build. fmt, Catch2 v2 and Asio are
# header-only (fmt with FMT_HEADER_ONLY), so the Windows build sees just those three
# directories through a staged include tree of symlinks.

include_guard(GLOBAL)

if(WIN32 AND CMAKE_CROSSCOMPILING)
  set(_stage "${CMAKE_BINARY_DIR}/host-headers")
  file(MAKE_DIRECTORY "${_stage}")
  foreach(_entry fmt catch2 asio asio.hpp)
    if(EXISTS "/usr/include/${_entry}" AND NOT EXISTS "${_stage}/${_entry}")
      file(CREATE_LINK "/usr/include/${_entry}" "${_stage}/${_entry}" SYMBOLIC)
    endif()
  endforeach()
  if(NOT EXISTS "${_stage}/fmt/format.h")
    message(FATAL_ERROR "fmt headers not found in /usr/include/fmt: install libfmt-dev")
  endif()
  set(BEQUEST_HOST_HEADERS "${_stage}" CACHE INTERNAL "")
  add_library(bequest_fmt INTERFACE)
  target_include_directories(bequest_fmt SYSTEM INTERFACE $<BUILD_INTERFACE:${_stage}>)
  target_compile_definitions(bequest_fmt INTERFACE FMT_HEADER_ONLY)
else()
  find_package(fmt REQUIRED)
  add_library(bequest_fmt INTERFACE)
  target_link_libraries(bequest_fmt INTERFACE fmt::fmt)
endif()

# Asio, standalone and header-only (Debian's libasio-dev). Only the examples and
# <bequest/asio.hpp> users need it.
add_library(bequest_asio_headers INTERFACE)
target_compile_definitions(bequest_asio_headers INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
if(WIN32 AND CMAKE_CROSSCOMPILING)
  target_include_directories(bequest_asio_headers SYSTEM INTERFACE $<BUILD_INTERFACE:${BEQUEST_HOST_HEADERS}>)
endif()
if(WIN32)
  target_link_libraries(bequest_asio_headers INTERFACE ws2_32 mswsock)
endif()
