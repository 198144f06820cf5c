# The Win32 backend's sources, one concern per file.
set(BEQUEST_BACKEND_SOURCES
  src/win32/async_pipe.cpp
  src/win32/attribute_list.cpp
  src/win32/command_line.cpp
  src/win32/communicate.cpp
  src/win32/create_process.cpp
  src/win32/environ.cpp
  src/win32/handle.cpp
  src/win32/helper.cpp
  src/win32/jobs.cpp
  src/win32/path_search.cpp
  src/win32/process.cpp
  src/win32/shared_memory.cpp
  src/win32/spawn.cpp
  src/win32/terminal.cpp
  src/win32/unicode.cpp
)
