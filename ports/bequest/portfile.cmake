# bequest as a vcpkg overlay port, built from the checkout this port sits in:
#
#   vcpkg install bequest --overlay-ports=<bequest>/ports
#   vcpkg install "bequest[asio]" --overlay-ports=<bequest>/ports
#
# vcpkg keys a built package on these port files, not on bequest's sources: after changing
# bequest, `vcpkg install` says it is already installed (and --binarysource=clear alone
# changes nothing). Rebuild it with
#   vcpkg remove bequest --overlay-ports=<bequest>/ports
#   vcpkg install bequest --overlay-ports=<bequest>/ports --binarysource=clear
# or bump "port-version" in ports/bequest/vcpkg.json (manifest mode: then `vcpkg install`).
#
# A registry port would fetch a release instead of the local tree:
#   vcpkg_from_github(OUT_SOURCE_PATH SOURCE_PATH REPO <owner>/bequest REF "v${VERSION}" SHA512 <sha512>)

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT EXISTS "${SOURCE_PATH}/include/bequest/version.hpp")
  message(FATAL_ERROR "bequest's sources were not found at ${SOURCE_PATH}: use this port as an overlay from a bequest checkout")
endif()

# The asio feature: the dependency, and the package's asio component (bequest::asio). Without
# it the installed package refuses find_package(bequest COMPONENTS asio) with a message that
# names the feature, even where some other Asio could be found. <bequest/asio.hpp> is
# header-only and always installed.
vcpkg_check_features(OUT_FEATURE_OPTIONS feature_options FEATURES asio BEQUEST_WITH_ASIO)

# The same options as bequest's consumer test (tests/consumer/run.cmake); vcpkg passes
# BUILD_SHARED_LIBS from the triplet.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${feature_options}
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
