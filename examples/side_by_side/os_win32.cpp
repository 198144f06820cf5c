// SPDX-License-Identifier: BSL-1.0
// The side-by-side's Windows half: the usual way is what libuv, Rust's std and Python do —
// CreateProcessW with bInheritHandles = TRUE and a PROC_THREAD_ATTRIBUTE_HANDLE_LIST naming the
// child's handles, which the list requires to be inheritable; the rogue is
// CreateProcessW(bInheritHandles = TRUE) without a list, which hands over every inheritable
// handle of the process.
#include "os.hpp"

#include <windows.h>
#include <winternl.h>

#include <memory>
#include <system_error>

namespace side_by_side {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

std::wstring wide(const std::string& text) {
  if (text.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n);
  return out;
}

std::string narrow(const wchar_t* text, std::size_t length) {
  if (length == 0) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), out.data(), n, nullptr, nullptr);
  return out;
}

// One argument as the Microsoft C runtime splits command lines: quoted, a quote escaped with a
// backslash, backslashes doubled only before a quote.
void append_quoted(std::wstring& line, const std::wstring& arg) {
  line += L'"';
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    line.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    line += c;
  }
  line.append(backslashes * 2, L'\\');
  line += L'"';
}

std::wstring command_line(const std::string& program, const std::vector<std::string>& args) {
  std::wstring line;
  append_quoted(line, wide(program));
  for (const std::string& a : args) {
    line += L' ';
    append_quoted(line, wide(a));
  }
  return line;
}

// Wine's CreateProcessW fails now and then with ERROR_INTERNAL_ERROR while many processes
// start at once (docs/windows.md); like the test suite's rogue, try again a few times.
PROCESS_INFORMATION create_process(std::wstring line, BOOL inherit, DWORD flags, STARTUPINFOW* si) {
  PROCESS_INFORMATION pi{};
  for (int attempt = 0;; ++attempt) {
    if (::CreateProcessW(nullptr, line.data(), nullptr, nullptr, inherit, flags, nullptr, nullptr, si, &pi)) return pi;
    if (::GetLastError() != ERROR_INTERNAL_ERROR || attempt == 4) fail("CreateProcessW");
    ::Sleep(50);
  }
}

void wait_and_close(PROCESS_INFORMATION& pi) {
  ::WaitForSingleObject(pi.hProcess, INFINITE);
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
}

bool is_file_object(HANDLE h) {
  // Only the type is asked for: asking for an object's name can block on a pipe in use.
  alignas(8) unsigned char buffer[1024];
  ULONG length = 0;
  if (!NT_SUCCESS(::NtQueryObject(h, ObjectTypeInformation, buffer, sizeof buffer, &length))) return false;
  const auto* info = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(buffer);
  return std::wstring(info->TypeName.Buffer, info->TypeName.Length / sizeof(wchar_t)) == L"File";
}

// The handle values this process holds, from the system's handle table:
// SystemExtendedHandleInformation (64), undocumented but stable since Windows XP, and answered
// by Wine. (GetProcessHandleCount only counts, and answers 0 under Wine.)
std::vector<HANDLE> own_handles() {
  struct entry {
    PVOID object;
    ULONG_PTR process_id;
    ULONG_PTR handle_value;
    ULONG granted_access;
    USHORT creator_back_trace_index;
    USHORT object_type_index;
    ULONG handle_attributes;
    ULONG reserved;
  };
  struct table {
    ULONG_PTR count;
    ULONG_PTR reserved;
    entry handles[1];
  };
  constexpr ULONG system_extended_handle_information = 64;
  constexpr NTSTATUS info_length_mismatch = static_cast<NTSTATUS>(0xC0000004L);
  using query_fn = NTSTATUS(NTAPI*)(ULONG, PVOID, ULONG, PULONG);
  const auto query = reinterpret_cast<query_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  std::vector<HANDLE> handles;
  if (!query) return handles;
  ULONG size = 1 << 20;
  std::unique_ptr<unsigned char[]> buffer;
  NTSTATUS status;
  do {
    buffer.reset(new unsigned char[size]);
    ULONG needed = 0;
    status = query(system_extended_handle_information, buffer.get(), size, &needed);
    if (status == info_length_mismatch) size = (needed > size ? needed : size) * 2;
  } while (status == info_length_mismatch);
  if (!NT_SUCCESS(status)) return handles;
  const auto* t = reinterpret_cast<const table*>(buffer.get());
  const ULONG_PTR self = ::GetCurrentProcessId();
  for (ULONG_PTR i = 0; i < t->count; ++i) {
    if (t->handles[i].process_id == self) handles.push_back(reinterpret_cast<HANDLE>(t->handles[i].handle_value));
  }
  return handles;
}

// A duplicate of one of our standard handles that a child may inherit (Python's
// _make_inheritable), or nullptr when there is none.
HANDLE inheritable_std_handle(DWORD which) {
  HANDLE h = ::GetStdHandle(which), copy = nullptr;
  if (h == nullptr || h == INVALID_HANDLE_VALUE) return nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), h, ::GetCurrentProcess(), &copy, 0, TRUE, DUPLICATE_SAME_ACCESS))
    return nullptr;
  return copy;
}

}  // namespace

std::string platform_name() {
  using version_fn = const char*(CDECL*)();
  const auto wine_version = reinterpret_cast<version_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version")));
  return wine_version ? "Windows, under Wine " + std::string(wine_version()) : "Windows";
}

std::string usual_way() {
  return "CreateProcessW with a PROC_THREAD_ATTRIBUTE_HANDLE_LIST of inheritable handles, as libuv, Rust and Python do";
}

std::string rogue_way() { return "CreateProcessW(bInheritHandles = TRUE) without a handle list"; }

unsigned long process_id() { return ::GetCurrentProcessId(); }

std::vector<std::string> open_file_paths() {
  std::vector<std::string> paths;
  for (HANDLE h : own_handles()) {
    if (!is_file_object(h) || ::GetFileType(h) != FILE_TYPE_DISK) continue;
    wchar_t path[32768];
    const DWORD n = ::GetFinalPathNameByHandleW(h, path, 32768, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (n > 0 && n < 32768) paths.push_back(narrow(path, n));
  }
  return paths;
}

bequest::native_handle create_inheritable_file(const std::string& path) {
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  HANDLE h = ::CreateFileW(wide(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail("CreateFileW " + path);
  return h;
}

void close_handle(bequest::native_handle h) { ::CloseHandle(h); }

std::string usual_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle file) {
  // The child's ends inheritable, ours not; stdin an inheritable copy of ours.
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  HANDLE read = nullptr, write = nullptr;
  if (!::CreatePipe(&read, &write, &sa, 0)) fail("CreatePipe");
  ::SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
  HANDLE in = inheritable_std_handle(STD_INPUT_HANDLE);
  std::vector<HANDLE> list = {write, file};
  if (in) list.push_back(in);

  SIZE_T size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
  std::unique_ptr<unsigned char[]> storage(new unsigned char[size]);
  auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.get());
  if (!::InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
      !::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, list.data(),
                                   list.size() * sizeof(HANDLE), nullptr, nullptr)) {
    fail("the handle list");
  }
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = in;
  si.StartupInfo.hStdOutput = write;
  si.StartupInfo.hStdError = write;
  si.lpAttributeList = attributes;
  PROCESS_INFORMATION pi{};
  try {
    pi = create_process(command_line(program, args), TRUE, EXTENDED_STARTUPINFO_PRESENT, &si.StartupInfo);
  } catch (...) {
    ::DeleteProcThreadAttributeList(attributes);
    ::CloseHandle(write);
    ::CloseHandle(read);
    if (in) ::CloseHandle(in);
    throw;
  }
  ::DeleteProcThreadAttributeList(attributes);
  ::CloseHandle(write);
  if (in) ::CloseHandle(in);
  std::string text;
  char buffer[4096];
  DWORD n = 0;
  while (::ReadFile(read, buffer, sizeof buffer, &n, nullptr) && n > 0) text.append(buffer, n);
  ::CloseHandle(read);
  wait_and_close(pi);
  return text;
}

void rogue_spawn(const std::string& program, const std::vector<std::string>& args, bequest::native_handle out) {
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = ::GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = out;
  si.hStdError = ::GetStdHandle(STD_ERROR_HANDLE);
  PROCESS_INFORMATION pi = create_process(command_line(program, args), TRUE, 0, &si);
  wait_and_close(pi);
}

}  // namespace side_by_side
