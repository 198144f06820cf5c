// SPDX-License-Identifier: BSL-1.0
#pragma once

// Generated from the one version number in CMakeLists.txt would be nicer for packagers, but
// a plain header keeps the library usable without CMake; CMake checks the two agree.
#define BEQUEST_VERSION_MAJOR 0
#define BEQUEST_VERSION_MINOR 1
#define BEQUEST_VERSION_PATCH 0
#define BEQUEST_VERSION_STRING "0.1.0"
