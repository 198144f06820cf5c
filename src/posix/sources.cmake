# The POSIX backend's sources, one concern per file.
set(BEQUEST_BACKEND_SOURCES
  src/posix/close_others.cpp
  src/posix/environ.cpp
  src/posix/fd_plan.cpp
  src/posix/handle.cpp
  src/posix/path_search.cpp
  src/posix/process.cpp
  src/posix/spawn.cpp
)
