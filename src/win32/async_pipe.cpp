// SPDX-License-Identifier: BSL-1.0
// Win32: pipes with an end that supports overlapped I/O (make_async_pipe, stdio::async_pipe).
//
// CreatePipe's anonymous pipes cannot do overlapped I/O, which Asio (an I/O completion port)
// and run() need. A named pipe can, so the asynchronous end is the server end of a named pipe
// that exists only for this pair, and only our own process may be its client:
// - its name holds 128 bits from the system's CSPRNG (BCryptGenRandom), so it cannot be
//   guessed;
// - FILE_FLAG_FIRST_PIPE_INSTANCE: if the name were taken, creation fails instead of joining
//   someone else's pipe; one instance, so nobody can add a second one to connect us to;
// - its DACL admits only our logon session (the logon SID of the token we open the other end
//   with; the user's SID when the token has none), with read and write and nothing else, and
//   its mandatory label refuses processes of a lower integrity level even reading; the
//   default DACL of a named pipe would let Everyone and the anonymous account read it;
//   PIPE_REJECT_REMOTE_CLIENTS refuses clients from other machines;
// - we connect the other end ourselves at once, then check that the server's client is this
//   process and the client's server is this process (GetNamedPipeClientProcessId and
//   GetNamedPipeServerProcessId), and never use a pair that fails the check.
// Named pipes can be listed, so a local process that the DACL admits (ours: same logon
// session) could see the name and race us to connect between creation and our CreateFile:
// then our CreateFile fails (the only instance is busy) and we start again with a new name —
// that process holds a dead pipe that never carries a byte of ours. A process in our own
// logon session can already open this process itself, so the one thing it gains is making a
// spawn fail after four lost races (docs/security.md).
// The other end is an ordinary synchronous handle, as a child expects its stdio to be.
#include "../platform.hpp"
#include "win32.hpp"

#include <bcrypt.h>
#include <sddl.h>

#include <memory>
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

struct local_free {
  void operator()(void* p) const noexcept { ::LocalFree(p); }
};
using security_descriptor = std::unique_ptr<void, local_free>;

/// The SID of `sid` as text ("S-1-5-..."), appended to `out`.
bool append_sid(PSID sid, std::wstring& out) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return false;
  out += text;
  ::LocalFree(text);
  return true;
}

/// One TOKEN_INFORMATION_CLASS of `token`, in a buffer aligned for the structures it holds.
std::unique_ptr<unsigned char[]> token_information(HANDLE token, TOKEN_INFORMATION_CLASS what) {
  DWORD size = 0;
  ::GetTokenInformation(token, what, nullptr, 0, &size);
  if (size == 0) return nullptr;
  std::unique_ptr<unsigned char[]> buffer(new unsigned char[size]);  // new[] aligns for any type
  if (!::GetTokenInformation(token, what, buffer.get(), size, &size)) return nullptr;
  return buffer;
}

/// The pipe's security as described at the top, for the token the calling thread opens files
/// with (its impersonation token, if it has one; else the process's), so that our own
/// CreateFile is admitted. Null with GetLastError() set on failure.
security_descriptor pipe_security() {
  HANDLE token = nullptr;
  if (win32::out_of_handles()) return nullptr;
  if (!::OpenThreadToken(::GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
    if (::GetLastError() != ERROR_NO_TOKEN) return nullptr;
    if (win32::out_of_handles() || !::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) return nullptr;
  }
  const unique_handle owned(token);
  // P: protected (no inherited ACEs). FRFW: FILE_GENERIC_READ | FILE_GENERIC_WRITE, spelled
  // out rather than as generic rights, which an object's own mapping would have to expand.
  std::wstring sddl = L"D:P(A;;FRFW;;;";
  PSID admitted = nullptr;
  const auto groups = token_information(token, TokenGroups);
  if (groups) {
    const auto* g = reinterpret_cast<const TOKEN_GROUPS*>(groups.get());
    for (DWORD i = 0; i < g->GroupCount && !admitted; ++i) {
      if ((g->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) admitted = g->Groups[i].Sid;
    }
  }
  const auto user = token_information(token, TokenUser);
  if (!admitted && user) admitted = reinterpret_cast<const TOKEN_USER*>(user.get())->User.Sid;
  if (!admitted) return nullptr;
  if (!append_sid(admitted, sddl)) return nullptr;
  sddl += L")";
  // The label: our own integrity level (a label no higher than the caller's needs no
  // privilege), NW NR: no write up, no read up.
  if (const auto level = token_information(token, TokenIntegrityLevel)) {
    sddl += L"S:(ML;;NWNR;;;";
    if (!append_sid(reinterpret_cast<const TOKEN_MANDATORY_LABEL*>(level.get())->Label.Sid, sddl)) return nullptr;
    sddl += L")";
  }
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd, nullptr)) {
    return nullptr;
  }
  return security_descriptor(sd);
}

/// True when `server` and `client` are the two ends of one pipe, both in this process.
bool both_ends_ours(HANDLE server, HANDLE client, bool& checked) noexcept {
  ULONG client_pid = 0;
  ULONG server_pid = 0;
  checked = ::GetNamedPipeClientProcessId(server, &client_pid) && ::GetNamedPipeServerProcessId(client, &server_pid);
  const ULONG self = ::GetCurrentProcessId();
  return checked && client_pid == self && server_pid == self;
}

}  // namespace

pipe_ends make_async_pipe(pipe_end async_end, std::error_code& ec) noexcept {
  ec.clear();
  const bool server_reads = async_end == pipe_end::read;
  try {
    const security_descriptor sd = pipe_security();
    if (!sd) {
      ec = last_os_error();
      return {};
    }
    SECURITY_ATTRIBUTES sa{};
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = sd.get();
    sa.bInheritHandle = FALSE;  // never inheritable here; a child gets the helper's duplicate
    for (int attempt = 0;; ++attempt) {
      std::wstring name;
      if (!random_name(name)) break;
      if (win32::out_of_handles()) break;
      HANDLE server = ::CreateNamedPipeW(name.c_str(),
                                         (server_reads ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) |
                                             FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                         PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                                         1, 65536, 65536, 0, &sa);
      if (server == INVALID_HANDLE_VALUE) {
        // The name exists already (FIRST_PIPE_INSTANCE): ERROR_ACCESS_DENIED on Windows,
        // ERROR_PIPE_BUSY under Wine 8.
        const DWORD error = ::GetLastError();
        if ((error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY) && attempt < 3) continue;
        break;
      }
      testing::pipe_created(name.c_str());
      // SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS: the server, were it ever not ours, could
      // not act as us.
      HANDLE client =
          win32::out_of_handles()
              ? INVALID_HANDLE_VALUE
              : ::CreateFileW(name.c_str(), server_reads ? GENERIC_WRITE : GENERIC_READ, 0, nullptr, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL | SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS, nullptr);
      if (client == INVALID_HANDLE_VALUE) {
        const DWORD error = ::GetLastError();
        ::CloseHandle(server);
        // ERROR_PIPE_BUSY: someone connected first. Never use that pipe; make another.
        if (error == ERROR_PIPE_BUSY && attempt < 3) continue;
        ::SetLastError(error);
        break;
      }
      unique_handle s(server), c(client);
      bool checked = false;
      if (both_ends_ours(server, client, checked)) {
        return server_reads ? pipe_ends{std::move(s), std::move(c)} : pipe_ends{std::move(c), std::move(s)};
      }
      // The check itself failed (GetLastError() says why), or an end is another process's:
      // impossible with one instance that we created, but then the pair is dropped (closing
      // the server disconnects whoever that is).
      const DWORD error = checked ? ERROR_PIPE_BUSY : ::GetLastError();
      s.reset();
      c.reset();
      if (checked && attempt < 3) continue;
      ::SetLastError(error);
      break;
    }
  } catch (const std::bad_alloc&) {
    ::SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  }
  ec = last_os_error();
  return {};
}

}  // namespace bequest::detail::os
