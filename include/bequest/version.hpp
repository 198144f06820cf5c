// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// The library's version. These three numbers are the one place it is written: CMake reads
/// them for `project(VERSION)`, the package version file and `bequest.pc`; the Conan recipe
/// reads them too. The header stays plain so that a build without CMake has it as well.

/// Major version: changes when the API or ABI breaks (while 0, the minor version does).
#define BEQUEST_VERSION_MAJOR 0
/// Minor version: new features; while the major version is 0, also API or ABI changes.
#define BEQUEST_VERSION_MINOR 1
/// Patch version: fixes only.
#define BEQUEST_VERSION_PATCH 0

/// The version as one comparable number, `MAJOR * 10000 + MINOR * 100 + PATCH`
/// (`#if BEQUEST_VERSION >= 200` for 0.2.0 and later).
#define BEQUEST_VERSION (BEQUEST_VERSION_MAJOR * 10000 + BEQUEST_VERSION_MINOR * 100 + BEQUEST_VERSION_PATCH)

#define BEQUEST_DETAIL_STR2(x) #x
#define BEQUEST_DETAIL_STR(x) BEQUEST_DETAIL_STR2(x)
/// The version as text, `"MAJOR.MINOR.PATCH"`.
#define BEQUEST_VERSION_STRING              \
  BEQUEST_DETAIL_STR(BEQUEST_VERSION_MAJOR) \
  "." BEQUEST_DETAIL_STR(BEQUEST_VERSION_MINOR) "." BEQUEST_DETAIL_STR(BEQUEST_VERSION_PATCH)
