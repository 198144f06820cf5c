# Finds standalone Asio (header-only) and provides the target asio::asio.
#
# A CMake package for Asio (vcpkg's and Conan's both provide asio::asio) is used first;
# otherwise the bare headers, as Debian's libasio-dev installs them. Set asio_INCLUDE_DIR
# to the directory holding asio.hpp to choose one.
#
# bequest's installed package carries this file for find_package(bequest COMPONENTS asio).

if(TARGET asio::asio)
  set(asio_FOUND TRUE)
  return()
endif()

find_package(asio CONFIG QUIET)
if(TARGET asio::asio)
  set(asio_FOUND TRUE)
  return()
endif()

find_path(asio_INCLUDE_DIR asio.hpp DOC "Directory holding asio.hpp")
mark_as_advanced(asio_INCLUDE_DIR)
if(asio_INCLUDE_DIR AND EXISTS "${asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${asio_INCLUDE_DIR}/asio/version.hpp" _asio_version_line REGEX "^#define ASIO_VERSION [0-9]+")
  if(_asio_version_line MATCHES "ASIO_VERSION ([0-9]+)")
    # ASIO_VERSION is XXYYZZ: major * 100000 + minor * 100 + patch.
    math(EXPR _asio_major "${CMAKE_MATCH_1} / 100000")
    math(EXPR _asio_minor "${CMAKE_MATCH_1} / 100 % 1000")
    math(EXPR _asio_patch "${CMAKE_MATCH_1} % 100")
    set(asio_VERSION "${_asio_major}.${_asio_minor}.${_asio_patch}")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(asio REQUIRED_VARS asio_INCLUDE_DIR VERSION_VAR asio_VERSION)

if(asio_FOUND AND NOT TARGET asio::asio)
  add_library(asio::asio INTERFACE IMPORTED)
  set_target_properties(asio::asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${asio_INCLUDE_DIR}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE")
  if(WIN32)
    set_property(TARGET asio::asio PROPERTY INTERFACE_LINK_LIBRARIES ws2_32 mswsock)
  else()
    find_package(Threads REQUIRED)
    set_property(TARGET asio::asio PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
  endif()
endif()
