# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (posix threads model, needed
# for std::thread and std::mutex), running the results under Wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
# Appended, so that a caller can add roots of its own (-DCMAKE_FIND_ROOT_PATH=<prefix>).
list(APPEND CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Executables need no mingw DLLs next to them under Wine.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
# A DLL likewise (libgcc, libstdc++ and winpthread linked in): bequest's DLL then needs
# nothing but system DLLs.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
# Through a script that gives the output back through files (cmake/wine-run.sh says why).
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh)
