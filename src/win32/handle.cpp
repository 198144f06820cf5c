// SPDX-License-Identifier: BSL-1.0
// Win32: handles — closing, checking, blocking I/O, pipes and files.
#include "../platform.hpp"
#include "win32.hpp"

#include <cstdint>

namespace bequest::detail {

std::error_code last_os_error() noexcept { return {static_cast<int>(::GetLastError()), std::system_category()}; }

namespace win32 {

bool is_pseudo_or_null(HANDLE h) noexcept {
  // GetCurrentProcess() is -1 (the same bits as INVALID_HANDLE_VALUE), GetCurrentThread() -2,
  // the token pseudo-handles -4..-6; none can be inherited or listed in a handle list.
  const auto v = reinterpret_cast<std::intptr_t>(h);
  return v == 0 || (v < 0 && v >= -16);
}

HANDLE open_null_device(bool for_reading) noexcept {
  // A NULL SECURITY_ATTRIBUTES makes the handle non-inheritable.
  HANDLE h = ::CreateFileW(L"NUL", for_reading ? GENERIC_READ : GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  return h == INVALID_HANDLE_VALUE ? nullptr : h;
}

}  // namespace win32

namespace os {

void close_handle(native_handle h) noexcept { ::CloseHandle(h); }

bool handle_is_open(native_handle h) noexcept {
  if (win32::is_pseudo_or_null(h)) return false;
  DWORD flags = 0;
  return ::GetHandleInformation(h, &flags) != FALSE;
}

std::size_t read_some(native_handle h, void* buffer, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  const DWORD want = size > 0x7FFFFFFFu ? 0x7FFFFFFFu : static_cast<DWORD>(size);
  DWORD got = 0;
  if (::ReadFile(h, buffer, want, &got, nullptr)) return got;
  const DWORD error = ::GetLastError();
  // An anonymous pipe reports "all writers closed" as ERROR_BROKEN_PIPE: that is end of file.
  if (error == ERROR_BROKEN_PIPE || error == ERROR_HANDLE_EOF) return 0;
  ec = {static_cast<int>(error), std::system_category()};
  return 0;
}

std::size_t write_some(native_handle h, const void* data, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  const DWORD want = size > 0x7FFFFFFFu ? 0x7FFFFFFFu : static_cast<DWORD>(size);
  DWORD done = 0;
  // No signal is raised on Windows: a pipe whose reader is gone fails with ERROR_NO_DATA
  // (or ERROR_BROKEN_PIPE), which compares equal to std::errc::broken_pipe.
  if (!::WriteFile(h, data, want, &done, nullptr)) {
    ec = last_os_error();
    return 0;
  }
  return done;
}

pipe_ends make_pipe(std::error_code& ec) noexcept {
  ec.clear();
  HANDLE read = nullptr;
  HANDLE write = nullptr;
  // NULL SECURITY_ATTRIBUTES: both ends non-inheritable, so no CreateProcess(bInheritHandles=TRUE)
  // elsewhere in the process can pick them up.
  if (!::CreatePipe(&read, &write, nullptr, 0)) {
    ec = last_os_error();
    return {};
  }
  return {unique_handle(read), unique_handle(write)};
}

unique_handle open_file(const std::filesystem::path& path, file_mode mode, std::error_code& ec) noexcept {
  ec.clear();
  DWORD access = 0;
  DWORD disposition = 0;
  switch (mode) {
    case file_mode::automatic:
    case file_mode::read:
      access = GENERIC_READ;
      disposition = OPEN_EXISTING;
      break;
    case file_mode::truncate:
      access = GENERIC_WRITE;
      disposition = CREATE_ALWAYS;
      break;
    case file_mode::append:
      // Without FILE_WRITE_DATA every write goes to the current end of file, atomically, even
      // when stdout and stderr share the file: the Windows form of O_APPEND.
      access = (FILE_GENERIC_WRITE & ~FILE_WRITE_DATA) | FILE_APPEND_DATA;
      disposition = OPEN_ALWAYS;
      break;
    case file_mode::read_write:
      access = GENERIC_READ | GENERIC_WRITE;
      disposition = OPEN_ALWAYS;
      break;
  }
  // Share everything, as POSIX files behave: others may read, write, rename or delete it.
  // NULL SECURITY_ATTRIBUTES: non-inheritable.
  HANDLE h = ::CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    ec = last_os_error();
    return {};
  }
  return unique_handle(h);
}

}  // namespace os
}  // namespace bequest::detail
