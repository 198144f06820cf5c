# Checks that the packaging metadata agrees with the one version number
# (include/bequest/version.hpp): the vcpkg port's manifest and CHANGELOG.md's newest entry.
# The Conan recipe reads version.hpp itself.
#   cmake -DSOURCE_DIR=<bequest> -P package_metadata.cmake

cmake_minimum_required(VERSION 3.21)

file(STRINGS "${SOURCE_DIR}/include/bequest/version.hpp" _lines REGEX "^#define BEQUEST_VERSION_(MAJOR|MINOR|PATCH) ")
set(version "")
foreach(part MAJOR MINOR PATCH)
  string(REGEX MATCH "BEQUEST_VERSION_${part} ([0-9]+)" _ "${_lines}")
  list(APPEND version ${CMAKE_MATCH_1})
endforeach()
list(JOIN version "." version)

set(problems "")
file(READ "${SOURCE_DIR}/ports/bequest/vcpkg.json" port)
string(JSON port_version ERROR_VARIABLE err GET "${port}" "version-semver")
if(NOT err STREQUAL "NOTFOUND")
  list(APPEND problems "ports/bequest/vcpkg.json: ${err}")
elseif(NOT port_version STREQUAL version)
  list(APPEND problems "ports/bequest/vcpkg.json says version-semver \"${port_version}\", version.hpp says ${version}")
endif()

file(STRINGS "${SOURCE_DIR}/CHANGELOG.md" releases REGEX "^## \\[?[0-9]+\\.[0-9]+\\.[0-9]+")
list(GET releases 0 newest)
if(NOT newest MATCHES "^## \\[?${version}[] ]")
  list(APPEND problems "CHANGELOG.md's newest release is \"${newest}\", version.hpp says ${version}")
endif()

if(problems)
  list(JOIN problems "\n  " problems)
  message(FATAL_ERROR "package metadata disagrees with include/bequest/version.hpp:\n  ${problems}")
endif()
message(STATUS "package metadata: version ${version} everywhere")
