// SPDX-License-Identifier: BSL-1.0
// Win32: pipes with an end that supports overlapped I/O (make_async_pipe, stdio::async_pipe).
//
// CreatePipe's anonymous pipes cannot do overlapped I/O, which Asio (an I/O completion port)
// and run() need. A named pipe can, so the asynchronous end is the server end of a named pipe
// that exists only for this pair:
// - its name holds 128 bits from the system's CSPRNG (BCryptGenRandom), so it cannot be
//   guessed;
// - FILE_FLAG_FIRST_PIPE_INSTANCE: if the name were taken, creation fails instead of joining
//   someone else's pipe;
// - one instance, and we connect the other end ourselves at once, so there is no second
//   connection to be had; PIPE_REJECT_REMOTE_CLIENTS refuses clients from other machines.
// Named pipes can be listed, so another local process could see the name and race us to
// connect between creation and our CreateFile: then our CreateFile fails (the only instance
// is busy) and we start again with a new name — that process holds a dead pipe, never ours.
// The other end is an ordinary synchronous handle, as a child expects its stdio to be.
#include "../platform.hpp"
#include "win32.hpp"

#include <bcrypt.h>

#include <string>

namespace bequest::detail::os {
namespace {

bool random_name(std::wstring& name) noexcept {
  unsigned char bytes[16];
  if (!BCRYPT_SUCCESS(::BCryptGenRandom(nullptr, bytes, sizeof bytes, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
    ::SetLastError(ERROR_GEN_FAILURE);
    return false;
  }
  static const wchar_t hex[] = L"0123456789abcdef";
  name = L"\\\\.\\pipe\\bequest-" + std::to_wstring(::GetCurrentProcessId()) + L"-";
  for (unsigned char b : bytes) {
    name += hex[b >> 4];
    name += hex[b & 15];
  }
  return true;
}

}  // namespace

pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept {
  ec.clear();
  const bool server_reads = async_end == pipe_end::read;
  try {
    for (int attempt = 0;; ++attempt) {
      std::wstring name;
      if (!random_name(name)) break;
      // NULL SECURITY_ATTRIBUTES: non-inheritable, with the default security of a named pipe.
      if (win32::out_of_handles()) break;
      HANDLE server = ::CreateNamedPipeW(
          name.c_str(),
          (server_reads ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
          PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 65536, 65536, 0, nullptr);
      if (server == INVALID_HANDLE_VALUE) {
        // The name exists already (FIRST_PIPE_INSTANCE): ERROR_ACCESS_DENIED on Windows,
        // ERROR_PIPE_BUSY under Wine 8.
        const DWORD error = ::GetLastError();
        if ((error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY) && attempt < 3) continue;
        break;
      }
      HANDLE client = win32::out_of_handles() ? INVALID_HANDLE_VALUE : ::CreateFileW(name.c_str(), server_reads ? GENERIC_WRITE : GENERIC_READ, 0, nullptr, OPEN_EXISTING,
                                    FILE_ATTRIBUTE_NORMAL, nullptr);
      if (client == INVALID_HANDLE_VALUE) {
        const DWORD error = ::GetLastError();
        ::CloseHandle(server);
        // ERROR_PIPE_BUSY: someone connected first. Never use that pipe; make another.
        if (error == ERROR_PIPE_BUSY && attempt < 3) continue;
        ::SetLastError(error);
        break;
      }
      unique_handle s(server), c(client);
      return server_reads ? pipe_ends{std::move(s), std::move(c)} : pipe_ends{std::move(c), std::move(s)};
    }
  } catch (const std::bad_alloc&) {
    ::SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  }
  ec = last_os_error();
  return {};
}

}  // namespace bequest::detail::os
