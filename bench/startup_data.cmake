# The start-up data benchmark; bench/CMakeLists.txt includes this file when it is there.
# ./dev.sh bench runs it as build/<preset>/bench/bench_startup_data --csv FILE.
add_executable(bench_startup_data ${CMAKE_CURRENT_LIST_DIR}/bench_startup_data.cpp)
target_link_libraries(bench_startup_data PRIVATE bequest::bequest)
bequest_warnings(bench_startup_data)
