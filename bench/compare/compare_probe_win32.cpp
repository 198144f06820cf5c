// SPDX-License-Identifier: BSL-1.0
// The child of the comparison under Wine (bench/compare, the Windows half): one program, two modes.
//   compare_probe fds [FILE]   lists its handles, read from the system's handle table as the test
//                              suite's probe does (tests/win32_handle_table.hpp), to FILE (opened
//                              after the listing) or to stdout. First a line "std IN OUT ERR" (its
//                              standard handles' values), then one "VALUE KIND NAME" line per file
//                              handle: KIND is file (NAME: its path), pipe (NAME: the pipe's name,
//                              the same at both ends and unique to the pipe, which identifies it),
//                              dir, char or other; handles of other object types (Wine's own keys,
//                              events, ...) are left out: the scenarios only pass files and pipes
//   compare_probe mark FILE    creates FILE: run as "compare-evil" from a current directory, it
//                              shows that a bare program name was taken from there
#include "win32_handle_table.hpp"

#include <windows.h>
#include <winternl.h>

#include <cstdio>
#include <string>

namespace {

std::string narrow(const wchar_t* text, std::size_t length) {
  if (length == 0) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) ::WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), out.data(), n, nullptr, nullptr);
  return out;
}

bool is_file_object(HANDLE h) {
  // Only the type: a name query (ObjectNameInformation) can block on a pipe in synchronous use.
  alignas(8) unsigned char buffer[1024];
  ULONG length = 0;
  if (!NT_SUCCESS(::NtQueryObject(h, ObjectTypeInformation, buffer, sizeof buffer, &length))) return false;
  const auto* info = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(buffer);
  return std::wstring(info->TypeName.Buffer, info->TypeName.Length / sizeof(wchar_t)) == L"File";
}

std::string pipe_name(HANDLE h) {
  alignas(8) unsigned char buffer[4096];
  if (!::GetFileInformationByHandleEx(h, FileNameInfo, buffer, sizeof buffer)) return "?";
  const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer);
  return narrow(info->FileName, info->FileNameLength / sizeof(wchar_t));
}

/// "KIND NAME" for a file handle, "" for a handle of another type.
std::string describe(HANDLE h) {
  if (!is_file_object(h)) return "";
  switch (::GetFileType(h)) {
    case FILE_TYPE_PIPE: return "pipe " + pipe_name(h);
    case FILE_TYPE_CHAR: return "char -";
    case FILE_TYPE_DISK: {
      BY_HANDLE_FILE_INFORMATION info{};
      const bool dir =
          ::GetFileInformationByHandle(h, &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
      wchar_t path[32768];
      const DWORD n = ::GetFinalPathNameByHandleW(h, path, 32768, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
      return std::string(dir ? "dir " : "file ") + (n > 0 && n < 32768 ? narrow(path, n) : std::string("?"));
    }
    default: return "other -";
  }
}

std::string value(HANDLE h) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<ULONG_PTR>(h)));
  return buffer;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  const std::wstring mode = argc > 1 ? argv[1] : L"";
  if (mode == L"mark" && argc == 3) {
    HANDLE h = ::CreateFileW(argv[2], GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return 1;
    ::CloseHandle(h);
    return 0;
  }
  if (mode != L"fds" || argc > 3) return 2;
  std::string report = "std " + value(::GetStdHandle(STD_INPUT_HANDLE)) + " " +
                       value(::GetStdHandle(STD_OUTPUT_HANDLE)) + " " + value(::GetStdHandle(STD_ERROR_HANDLE)) + "\n";
  for (ULONG_PTR v : win32_handle_table::current_process_handles()) {
    HANDLE h = reinterpret_cast<HANDLE>(v);
    const std::string what = describe(h);
    if (!what.empty()) report += value(h) + " " + what + "\n";
  }
  HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  if (argc == 3) {
    out =
        ::CreateFileW(argv[2], GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (out == INVALID_HANDLE_VALUE) return 1;
  }
  DWORD written = 0;
  const bool ok =
      ::WriteFile(out, report.data(), static_cast<DWORD>(report.size()), &written, nullptr) && written == report.size();
  if (argc == 3) ::CloseHandle(out);
  return ok ? 0 : 1;
}
