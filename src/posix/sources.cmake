# The POSIX backend's sources, one concern per file.
set(BEQUEST_BACKEND_SOURCES
  src/posix/close_others.cpp
  src/posix/communicate.cpp
  src/posix/environ.cpp
  src/posix/fd_plan.cpp
  src/posix/handle.cpp
  src/posix/parent_death.cpp
  src/posix/path_search.cpp
  src/posix/process.cpp
  src/posix/shared_memory.cpp
  src/posix/spawn.cpp
  src/posix/terminal.cpp
)
# Start-up data: a sealed memfd on Linux; an unlinked shm_open object elsewhere, and on Linux
# under BEQUEST_POSIX_GENERIC so that the fallback is built and tested.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT BEQUEST_POSIX_GENERIC)
  list(APPEND BEQUEST_BACKEND_SOURCES src/posix/memory_memfd.cpp)
else()
  list(APPEND BEQUEST_BACKEND_SOURCES src/posix/memory_shm.cpp)
  # shm_open lives in librt on glibc before 2.34 and on some other systems.
  include(CheckSymbolExists)
  check_symbol_exists(shm_open "sys/mman.h" BEQUEST_SHM_OPEN_IN_LIBC)
  if(NOT BEQUEST_SHM_OPEN_IN_LIBC)
    set(BEQUEST_BACKEND_LIBRARIES rt)
  endif()
endif()
# glibc 2.39+ starts a child and opens its pidfd in one step (pidfd_spawn); elsewhere the pidfd
# is opened right after posix_spawn and checked (src/posix/process.cpp, adopt_child).
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT BEQUEST_POSIX_GENERIC)
  include(CheckSymbolExists)
  set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)
  check_symbol_exists(pidfd_spawn "spawn.h" BEQUEST_HAVE_PIDFD_SPAWN)
  check_symbol_exists(pidfd_getpid "sys/pidfd.h" BEQUEST_HAVE_PIDFD_GETPID)
  unset(CMAKE_REQUIRED_DEFINITIONS)
endif()
