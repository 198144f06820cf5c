# bequest as a vcpkg overlay port, built from the checkout this port sits in:
#
#   vcpkg install bequest --overlay-ports=<bequest>/ports
#   vcpkg install "bequest[asio]" --overlay-ports=<bequest>/ports
#
# Binary caching keys on these port files, not on the sources: after changing bequest,
# install with --binarysource=clear (or bump "port-version").
#
# A registry port would fetch a release instead of the local tree:
#   vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO <owner>/bequest REF "v${VERSION}" SHA512 <sha512>)

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT EXISTS "${SOURCE_PATH}/include/bequest/version.hpp")
  message(FATAL_ERROR "bequest's sources were not found at ${SOURCE_PATH}: use this port as an overlay from a bequest checkout")
endif()

# The same options as bequest's consumer test (tests/consumer/run.cmake); vcpkg passes
# BUILD_SHARED_LIBS from the triplet. The asio feature adds only the dependency:
# <bequest/asio.hpp> is header-only and always installed.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DBEQUEST_BUILD_TESTS=OFF
    -DBEQUEST_BUILD_EXAMPLES=OFF
    -DBEQUEST_BUILD_BENCH=OFF
    -DBEQUEST_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/bequest)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE
  "${CURRENT_PACKAGES_DIR}/debug/include"
  "${CURRENT_PACKAGES_DIR}/debug/share"
  "${CURRENT_PACKAGES_DIR}/share/doc")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
