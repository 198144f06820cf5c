# A stand-in fmt package for cross builds from a Debian host (mingw-w64): the build
# machine's fmt headers (libfmt-dev), used header-only (FMT_HEADER_ONLY), as the target
# fmt::fmt. A package manager's fmt built for the target takes precedence wherever there
# is one; the tests of bequest's own mingw build (the library needs no fmt) use this otherwise.

if(TARGET fmt::fmt)
  return()
endif()
if(NOT EXISTS "/usr/include/fmt/format.h")
  set(fmt_FOUND FALSE)
  set(fmt_NOT_FOUND_MESSAGE "/usr/include/fmt/format.h not found: install libfmt-dev")
  return()
endif()
# Only fmt's directory, never /usr/include itself: that would put glibc headers into a
# Windows build.
set(_fmt_stage "${CMAKE_BINARY_DIR}/host-fmt")
file(MAKE_DIRECTORY "${_fmt_stage}")
if(NOT EXISTS "${_fmt_stage}/fmt")
  file(CREATE_LINK "/usr/include/fmt" "${_fmt_stage}/fmt" SYMBOLIC)
endif()
add_library(fmt::fmt INTERFACE IMPORTED)
set_target_properties(fmt::fmt PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${_fmt_stage}"
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_fmt_stage}"
  INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY")
set(fmt_FOUND TRUE)
