// SPDX-License-Identifier: BSL-1.0
// The probe's Win32 half.
#include "probe_os.hpp"

#include <windows.h>
#include <winternl.h>

#include <fcntl.h>
#include <io.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace probe {
namespace {

std::string to_utf8(const wchar_t* text, std::size_t length) {
  if (length == 0) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  if (n <= 0) return "?";
  std::string out(static_cast<std::size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), out.data(), n, nullptr, nullptr);
  return out;
}

// SystemExtendedHandleInformation (64) is undocumented but stable since Windows XP, works
// under Wine, and, unlike the older class 16, carries full 32-bit process ids and handle
// values. These are its layouts.
constexpr ULONG system_extended_handle_information = 64;
constexpr NTSTATUS status_info_length_mismatch = static_cast<NTSTATUS>(0xC0000004L);

struct handle_entry {
  PVOID object;
  ULONG_PTR process_id;
  ULONG_PTR handle_value;
  ULONG granted_access;
  USHORT creator_back_trace_index;
  USHORT object_type_index;
  ULONG handle_attributes;
  ULONG reserved;
};

struct handle_table {
  ULONG_PTR count;
  ULONG_PTR reserved;
  handle_entry handles[1];
};

std::string type_name(HANDLE h) {
  // Only the type is asked for: a *name* query (ObjectNameInformation) can block forever on
  // a pipe that another thread or process is using synchronously.
  alignas(8) unsigned char buffer[1024];
  ULONG length = 0;
  if (!NT_SUCCESS(::NtQueryObject(h, ObjectTypeInformation, buffer, sizeof buffer, &length))) return "?";
  const auto* info = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(buffer);
  return to_utf8(info->TypeName.Buffer, info->TypeName.Length / sizeof(wchar_t));
}

std::string describe(HANDLE h) {
  const std::string type = type_name(h);
  if (type != "File") return type;
  switch (::GetFileType(h)) {
    case FILE_TYPE_DISK: {
      wchar_t path[32768];
      const DWORD n = ::GetFinalPathNameByHandleW(h, path, 32768, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
      if (n > 0 && n < 32768) return to_utf8(path, n);
      return type;
    }
    case FILE_TYPE_PIPE: return type + " (pipe)";
    case FILE_TYPE_CHAR: return type + " (char)";
    default: return type;
  }
}

void write_handle(HANDLE h, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const std::size_t left = data.size() - done;
    DWORD written = 0;
    if (!::WriteFile(h, data.data() + done, left > 0x10000000u ? 0x10000000u : static_cast<DWORD>(left), &written,
                     nullptr) ||
        written == 0) {
      std::_Exit(97);
    }
    done += written;
  }
}

}  // namespace

std::vector<open_handle> list_handles() {
  std::vector<open_handle> handles;
  // Through GetProcAddress with the class as a plain ULONG: winternl.h's enum does not list 64.
  using query_fn = NTSTATUS(NTAPI*)(ULONG, PVOID, ULONG, PULONG);
  const auto query = reinterpret_cast<query_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  if (!query) return handles;
  ULONG size = 1 << 20;
  std::unique_ptr<unsigned char[]> buffer;
  NTSTATUS status;
  do {
    buffer.reset(new unsigned char[size]);
    ULONG needed = 0;
    status = query(system_extended_handle_information, buffer.get(), size, &needed);
    if (status == status_info_length_mismatch) size = (needed > size ? needed : size) * 2;
  } while (status == status_info_length_mismatch);
  if (!NT_SUCCESS(status)) return handles;
  const auto* table = reinterpret_cast<const handle_table*>(buffer.get());
  const ULONG_PTR self = ::GetCurrentProcessId();
  for (ULONG_PTR i = 0; i < table->count; ++i) {
    const handle_entry& e = table->handles[i];
    if (e.process_id != self) continue;
    HANDLE h = reinterpret_cast<HANDLE>(e.handle_value);
    handles.push_back({static_cast<unsigned long long>(e.handle_value), describe(h)});
  }
  return handles;
}

std::vector<std::string> environment() {
  std::vector<std::string> env;
  wchar_t* block = ::GetEnvironmentStringsW();
  if (!block) return env;
  for (const wchar_t* p = block; *p;) {
    const std::size_t n = wcslen(p);
    env.push_back(to_utf8(p, n));
    p += n + 1;
  }
  ::FreeEnvironmentStringsW(block);
  return env;
}

std::string current_directory() {
  wchar_t buffer[32768];
  const DWORD n = ::GetCurrentDirectoryW(32768, buffer);
  return n > 0 && n < 32768 ? to_utf8(buffer, n) : std::string("?");
}

void write_stdout(const std::string& data) { write_handle(::GetStdHandle(STD_OUTPUT_HANDLE), data); }
void write_stderr(const std::string& data) { write_handle(::GetStdHandle(STD_ERROR_HANDLE), data); }

std::string read_stdin() {
  std::string data;
  HANDLE in = ::GetStdHandle(STD_INPUT_HANDLE);
  char buffer[65536];
  while (true) {
    DWORD n = 0;
    // A pipe whose writers are all gone reports ERROR_BROKEN_PIPE: end of input.
    if (!::ReadFile(in, buffer, sizeof buffer, &n, nullptr) || n == 0) break;
    data.append(buffer, n);
  }
  return data;
}

void sleep_ms(long ms) { ::Sleep(ms < 0 ? 0 : static_cast<DWORD>(ms)); }

void set_binary_stdio() {
  // The probe writes through WriteFile, but anything the C runtime prints must not gain CRs.
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
}

}  // namespace probe

int wmain(int argc, wchar_t** argv) {
  std::vector<std::string> args;
  args.reserve(static_cast<std::size_t>(argc));
  for (int i = 0; i < argc; ++i) args.push_back(probe::to_utf8(argv[i], wcslen(argv[i])));
  return probe::run(args);
}
