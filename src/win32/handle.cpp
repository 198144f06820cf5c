// SPDX-License-Identifier: BSL-1.0
// Win32: handles — closing, checking, blocking I/O, pipes and files.
#include "../handle_value.hpp"
#include "../platform.hpp"
#include "win32.hpp"

#include <winternl.h>

// The Windows SDK's <winternl.h> (MSVC, clang-cl) declares IO_STATUS_BLOCK but neither
// NtQueryInformationFile nor FILE_INFORMATION_CLASS's FileModeInformation: both are the
// WDK's (ntifs.h, wdm.h). mingw-w64's <winternl.h> declares them. So the declaration comes
// from the WDK's documentation where the SDK lacks it, and the class by its value; ntdll's
// import library, linked on every toolchain, defines the function.
#if !defined(__MINGW32__)
extern "C" NTSTATUS NTAPI NtQueryInformationFile(HANDLE file, PIO_STATUS_BLOCK io, PVOID information, ULONG length,
                                                 FILE_INFORMATION_CLASS information_class);
#endif

#include <cstdint>

#include "../text_format.hpp"

namespace bequest::detail {

std::error_code last_os_error() noexcept { return {static_cast<int>(::GetLastError()), std::system_category()}; }

namespace win32 {

bool is_end_of_pipe(DWORD error) noexcept {
  // "All writers closed": ERROR_BROKEN_PIPE from an anonymous pipe or a named pipe's server
  // end; ERROR_PIPE_NOT_CONNECTED from a server end whose client has gone; ERROR_HANDLE_EOF
  // from a file.
  return error == ERROR_BROKEN_PIPE || error == ERROR_HANDLE_EOF || error == ERROR_PIPE_NOT_CONNECTED;
}

bool is_pseudo_or_null(HANDLE h) noexcept {
  // GetCurrentProcess() is -1 (the same bits as INVALID_HANDLE_VALUE), GetCurrentThread() -2,
  // the token pseudo-handles -4..-6; none can be inherited or listed in a handle list.
  const auto v = reinterpret_cast<std::intptr_t>(h);
  return v == 0 || (v < 0 && v >= -16);
}

HANDLE open_null_device(bool for_reading) noexcept {
  if (out_of_handles()) return nullptr;
  // A NULL SECURITY_ATTRIBUTES makes the handle non-inheritable.
  HANDLE h = ::CreateFileW(L"NUL", for_reading ? GENERIC_READ : GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                           nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  return h == INVALID_HANDLE_VALUE ? nullptr : h;
}

namespace {

DWORD clamp(std::size_t size) noexcept { return size > 0x7FFFFFFFu ? 0x7FFFFFFFu : static_cast<DWORD>(size); }

constexpr auto file_mode_information = static_cast<FILE_INFORMATION_CLASS>(16);  // FileModeInformation (wdm.h)

// ReadFile/WriteFile without an OVERLAPPED on a handle opened with FILE_FLAG_OVERLAPPED is
// documented as unreliable (it may report completion before the operation is done), so the
// blocking API asks how the handle was opened and waits for an overlapped operation itself.
bool is_overlapped(HANDLE h) noexcept {
  IO_STATUS_BLOCK io{};
  ULONG mode = 0;  // FILE_MODE_INFORMATION
  // An NTSTATUS below zero is an error (NT_SUCCESS, which the SDK's winternl.h lacks too).
  if (::NtQueryInformationFile(h, &io, &mode, sizeof mode, file_mode_information) < 0) return false;
  return (mode & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) == 0;
}

}  // namespace

enum class transfer_direction { read, write };

bool overlapped_transfer(HANDLE h, transfer_direction direction, void* buffer, DWORD size, DWORD& done) noexcept {
  const bool write = direction == transfer_direction::write;
  HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (!event) return false;
  OVERLAPPED ov{};
  // The low bit keeps the completion off an I/O completion port the handle may be bound to
  // (Asio's): this operation is ours alone.
  ov.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event) | 1);
  const BOOL started = write ? ::WriteFile(h, buffer, size, nullptr, &ov) : ::ReadFile(h, buffer, size, nullptr, &ov);
  bool ok = started != FALSE || ::GetLastError() == ERROR_IO_PENDING;
  if (ok) {
    ::WaitForSingleObject(event, INFINITE);
    ok = ::GetOverlappedResult(h, &ov, &done, FALSE) != FALSE;
  }
  const DWORD error = ::GetLastError();
  ::CloseHandle(event);
  ::SetLastError(error);
  return ok;
}

}  // namespace win32

namespace os {

void close_handle(native_handle h) noexcept { ::CloseHandle(h); }

bool handle_is_open(native_handle h) noexcept {
  if (win32::is_pseudo_or_null(h)) return false;
  DWORD flags = 0;
  return ::GetHandleInformation(h, &flags) != FALSE;
}

std::optional<std::string> handle_problem(native_handle h) {
  if (h && win32::is_pseudo_or_null(h)) {
    return detail::text::format(
        "{} is a pseudo-handle (GetCurrentProcess(), GetCurrentThread()) or INVALID_HANDLE_VALUE, "
        "not a handle that can be inherited; duplicate it first",
        static_cast<long long>(reinterpret_cast<std::intptr_t>(h)));
  }
  if (handle_is_open(h)) return std::nullopt;
  return detail::text::format("handle {} is not open", handle_value(h));
}

std::error_code bad_handle_error() noexcept { return {ERROR_INVALID_HANDLE, std::system_category()}; }

native_handle standard_handle(int index) noexcept {
  static constexpr DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  return index >= 0 && index < 3 ? ::GetStdHandle(ids[index]) : nullptr;
}

std::size_t read_some(native_handle h, void* buffer, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  DWORD got = 0;
  const bool ok = win32::is_overlapped(h)
                      ? win32::overlapped_transfer(h, win32::transfer_direction::read, buffer, win32::clamp(size), got)
                      : ::ReadFile(h, buffer, win32::clamp(size), &got, nullptr) != FALSE;
  if (ok) return got;
  const DWORD error = ::GetLastError();
  if (win32::is_end_of_pipe(error)) return 0;
  ec = {static_cast<int>(error), std::system_category()};
  return 0;
}

std::size_t write_some(native_handle h, const void* data, std::size_t size, std::error_code& ec) noexcept {
  ec.clear();
  DWORD done = 0;
  // No signal is raised on Windows: a pipe whose reader is gone fails with ERROR_NO_DATA
  // (or ERROR_BROKEN_PIPE), which compares equal to std::errc::broken_pipe.
  const bool ok = win32::is_overlapped(h)
                      ? win32::overlapped_transfer(h, win32::transfer_direction::write, const_cast<void*>(data),
                                                   win32::clamp(size), done)
                      : ::WriteFile(h, data, win32::clamp(size), &done, nullptr) != FALSE;
  if (!ok) {
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
  if (win32::out_of_handles() || !::CreatePipe(&read, &write, nullptr, 0)) {
    ec = last_os_error();
    return {};
  }
  return {unique_handle(read), unique_handle(write)};
}

unique_handle duplicate_handle(native_handle h, std::error_code& ec) noexcept {
  ec.clear();
  HANDLE copy = nullptr;
  if (win32::out_of_handles() ||
      !::DuplicateHandle(::GetCurrentProcess(), h, ::GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    ec = last_os_error();
    return {};
  }
  return unique_handle(copy);
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
  HANDLE h = win32::out_of_handles()
                 ? INVALID_HANDLE_VALUE
                 : ::CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                 disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    ec = last_os_error();
    return {};
  }
  return unique_handle(h);
}

}  // namespace os
}  // namespace bequest::detail
