# Boost.Process v2 for the benchmarks (bench/) and the comparison (bench/compare/): one home for
# how a target is built against it, on Linux and with mingw-w64.
#
# Boost.Process v2 is Boost 1.80's and later: Debian 12 has it in libboost1.81-dev, which cannot
# be installed beside the project's libboost1.74-dev. ./dev.sh (boost_v2_headers) unpacks 1.81's
# headers into the build tree (apt-get download, dpkg -x), and only the targets that name
# bequest_use_boost_v2 see them. On Linux those are programs of their own: two Boost versions
# must not meet in one program, and the rest links Debian's 1.74.
include_guard(GLOBAL)

set(BEQUEST_BOOST_V2_INCLUDE "${PROJECT_SOURCE_DIR}/build/boost-1.81/usr/include" CACHE PATH
    "Headers of a Boost with Boost.Process v2 (1.80 or later), for the benchmarks and the comparison")

# bequest_use_boost_v2(TARGET): TARGET includes Boost 1.81's headers, header-only (v2's
# default), with std::filesystem (BOOST_PROCESS_USE_STD_FS: the 1.81 Boost.Filesystem library
# is not installed).
function(bequest_use_boost_v2 target)
  if(NOT EXISTS "${BEQUEST_BOOST_V2_INCLUDE}/boost/process/v2.hpp")
    message(FATAL_ERROR "${target}: no Boost.Process v2 in BEQUEST_BOOST_V2_INCLUDE=${BEQUEST_BOOST_V2_INCLUDE}; "
                        "./dev.sh bench and ./dev.sh compare unpack Debian's libboost1.81-dev there")
  endif()
  target_include_directories(${target} SYSTEM BEFORE PRIVATE "${BEQUEST_BOOST_V2_INCLUDE}")
  target_compile_definitions(${target} PRIVATE BOOST_PROCESS_USE_STD_FS)
  if(WIN32)
    # One of v2's headers includes <Windows.h>, which exists only as <windows.h> in mingw-w64 on
    # a case-sensitive file system: a forwarding header in the build tree stands in for it.
    set(shim "${CMAKE_BINARY_DIR}/boost-v2-mingw-case-shim")
    if(NOT EXISTS "${shim}/Windows.h")
      file(WRITE "${shim}/Windows.h" "#include <windows.h>\n")
    endif()
    target_include_directories(${target} SYSTEM BEFORE PRIVATE "${shim}")
    # Asio raises a #warning (an error under -Werror, even from a system header) unless the
    # target Windows is named; its Winsock, AcceptEx and random-number code needs these libraries.
    target_compile_definitions(${target} PRIVATE _WIN32_WINNT=0x0A00)
    target_link_libraries(${target} PRIVATE ws2_32 mswsock ntdll bcrypt)
  else()
    find_package(Threads REQUIRED)
    target_link_libraries(${target} PRIVATE Threads::Threads)
  endif()
endfunction()
