// SPDX-License-Identifier: BSL-1.0
// The probe's Win32 half.
#include "probe_os.hpp"
#include "win32_handle_table.hpp"

#include <windows.h>
#include <winternl.h>

#include <fcntl.h>
#include <io.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

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

std::wstring to_wide(const std::string& text) {
  if (text.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n);
  return out;
}

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
  for (ULONG_PTR value : win32_handle_table::current_process_handles()) {
    handles.push_back({static_cast<unsigned long long>(value), describe(reinterpret_cast<HANDLE>(value))});
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

std::vector<std::string> environment_hex(const std::string& prefix) {
  std::vector<std::string> env;
  wchar_t* block = ::GetEnvironmentStringsW();
  if (!block) return env;
  const std::wstring wide_prefix(prefix.begin(), prefix.end());  // ASCII
  char digits[5];
  for (const wchar_t* p = block; *p;) {
    const std::size_t n = wcslen(p);
    if (std::wstring_view(p, n).substr(0, wide_prefix.size()) == wide_prefix) {
      std::string hex;
      for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(digits, sizeof digits, "%04X", static_cast<unsigned>(p[i]));
        hex += digits;
      }
      env.push_back(std::move(hex));
    }
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

bool read_stdin_some(std::string& chunk, std::size_t max) {
  chunk.resize(max);
  DWORD n = 0;
  // A pipe whose writers are all gone reports ERROR_BROKEN_PIPE: end of input.
  const bool ok =
      ::ReadFile(::GetStdHandle(STD_INPUT_HANDLE), chunk.data(), static_cast<DWORD>(max), &n, nullptr) != FALSE;
  chunk.resize(ok ? n : 0);
  return ok && n > 0;
}

namespace {
volatile LONG ctrl_c_seen = 0;
BOOL WINAPI on_console_event(DWORD event) {
  if (event == CTRL_C_EVENT) ::InterlockedExchange(&ctrl_c_seen, 1);
  return TRUE;
}
}  // namespace

std::string signal_state(int) { return "none"; }

namespace {

bool is_console(HANDLE h) {
  DWORD mode = 0;
  return h != nullptr && h != INVALID_HANDLE_VALUE && ::GetConsoleMode(h, &mode) != FALSE;
}

HANDLE open_console(const wchar_t* name) {
  return ::CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                       0, nullptr);
}

std::string size_line(HANDLE out) {
  CONSOLE_SCREEN_BUFFER_INFO info{};
  if (!::GetConsoleScreenBufferInfo(out, &info)) return "size - -";
  return "size " + std::to_string(info.srWindow.Bottom - info.srWindow.Top + 1) + " " +
         std::to_string(info.srWindow.Right - info.srWindow.Left + 1);
}

}  // namespace

std::string terminal_report() {
  std::string r = "streams";
  for (DWORD which : {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE}) {
    r += is_console(::GetStdHandle(which)) ? " y" : " n";
  }
  HANDLE out = open_console(L"CONOUT$");
  const bool console = is_console(out);
  r += console ? "\nconsole y\n" : "\nconsole n\n";
  r += (console ? size_line(out) : std::string("size - -")) + "\n";
  if (out != INVALID_HANDLE_VALUE) ::CloseHandle(out);
  // Wine leaves a pseudoconsole child's standard handles unconnected: talk to the console
  // itself then, so that the rest of the session goes through it.
  if (console && !is_console(::GetStdHandle(STD_OUTPUT_HANDLE))) {
    ::SetStdHandle(STD_INPUT_HANDLE, open_console(L"CONIN$"));
    ::SetStdHandle(STD_OUTPUT_HANDLE, open_console(L"CONOUT$"));
    ::SetStdHandle(STD_ERROR_HANDLE, open_console(L"CONOUT$"));
  }
  return r;
}

std::string await_resize() {
  HANDLE in = open_console(L"CONIN$");
  DWORD mode = 0;
  ::GetConsoleMode(in, &mode);
  ::SetConsoleMode(in, mode | ENABLE_WINDOW_INPUT);
  write_stdout("ready\n");
  INPUT_RECORD record;
  DWORD n = 0;
  while (::ReadConsoleInputW(in, &record, 1, &n) && !(n == 1 && record.EventType == WINDOW_BUFFER_SIZE_EVENT)) {
  }
  ::CloseHandle(in);
  HANDLE out = open_console(L"CONOUT$");
  std::string line = size_line(out);
  ::CloseHandle(out);
  return line;
}

std::string read_line() {
  std::string line;
  char c;
  DWORD n = 0;
  while (::ReadFile(::GetStdHandle(STD_INPUT_HANDLE), &c, 1, &n, nullptr) && n == 1 && c != '\n') line += c;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool leads_own_process_group() {
  // Windows has no documented query for a process's group. What it documents is the effect
  // of CREATE_NEW_PROCESS_GROUP: "CTRL+C signals will be disabled for all processes within
  // the new process group". So: move to a console of our own (so the event reaches nobody
  // else), raise Ctrl+C there, and see whether our handler is called.
  // AllocConsole points the standard handles at the new console: keep ours (the pipes).
  const DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  HANDLE saved[3];
  for (int i = 0; i < 3; ++i) saved[i] = ::GetStdHandle(ids[i]);
  ::FreeConsole();
  const bool allocated = ::AllocConsole() != FALSE;
  for (int i = 0; i < 3; ++i) ::SetStdHandle(ids[i], saved[i]);
  if (!allocated) return false;
  ::SetConsoleCtrlHandler(on_console_event, TRUE);
  if (!::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) return false;
  // The handler runs on a thread the system starts for it.
  for (int i = 0; i < 200 && !ctrl_c_seen; ++i) ::Sleep(10);
  return ctrl_c_seen == 0;
}

void sleep_ms(long ms) { ::Sleep(ms < 0 ? 0 : static_cast<DWORD>(ms)); }

unsigned long long parent_process_id() {
  // ProcessBasicInformation's documented layout names the parent field "Reserved3"; it is
  // InheritedFromUniqueProcessId, the process that created this one.
  struct basic_information {
    NTSTATUS exit_status;
    PVOID peb;
    ULONG_PTR affinity;
    LONG base_priority;
    ULONG_PTR unique_process_id;
    ULONG_PTR inherited_from_unique_process_id;
  } info{};
  ULONG length = 0;
  if (::NtQueryInformationProcess(::GetCurrentProcess(), ProcessBasicInformation, &info, sizeof info, &length) != 0) {
    return 0;
  }
  return info.inherited_from_unique_process_id;
}

void set_binary_stdio() {
  // The probe writes through WriteFile, but anything the C runtime prints must not gain CRs.
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
}

void drop_stdio(bool close) {
  static constexpr DWORD ids[] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (DWORD id : ids) {
    HANDLE old = ::GetStdHandle(id);
    HANDLE replacement = nullptr;
    if (!close) {
      replacement = ::CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                  OPEN_EXISTING, 0, nullptr);
      if (replacement == INVALID_HANDLE_VALUE) replacement = nullptr;
    }
    ::SetStdHandle(id, replacement);
    if (old && old != INVALID_HANDLE_VALUE) ::CloseHandle(old);
  }
}

namespace {
LONG WINAPI end_without_report(EXCEPTION_POINTERS*) {
  // The process ends with the exception's code as its exit code, as after any unhandled
  // exception, but without Windows Error Reporting (or Wine's winedbg) starting first.
  return EXCEPTION_EXECUTE_HANDLER;
}
}  // namespace

void crash() {
  ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  ::SetUnhandledExceptionFilter(end_without_report);
  ::RaiseException(EXCEPTION_ACCESS_VIOLATION, EXCEPTION_NONCONTINUABLE, 0, nullptr);
  ::ExitProcess(96);  // not reached
}

void set_env(const std::string& name, const std::string& value) {
  const std::wstring wide_name = to_wide(name), wide_value = to_wide(value);
  ::SetEnvironmentVariableW(wide_name.c_str(), wide_value.c_str());
}

namespace {

std::string outcome(const char* route, bool wrote) { return std::string(route) + (wrote ? "\twrote" : "\trefused"); }

/// Flips the first payload byte (offset 64, after the header) through a writable view.
bool flip_through_view(HANDLE section) {
  void* view = ::MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  if (!view) return false;
  static_cast<unsigned char*>(view)[64] ^= 0xFF;
  ::UnmapViewOfFile(view);
  return true;
}

HANDLE from_value(unsigned long long value) { return reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(value)); }

}  // namespace

std::vector<std::string> attack_startup_handle(unsigned long long handle_value) {
  return {outcome("map-write", flip_through_view(from_value(handle_value)))};
}

std::vector<std::string> attack_startup_view(const void* data, std::size_t size) {
  DWORD old = 0;
  bool wrote = false;
  if (::VirtualProtect(const_cast<void*>(data), size, PAGE_READWRITE, &old)) {
    *static_cast<unsigned char*>(const_cast<void*>(data)) ^= 0xFF;
    wrote = true;
  }
  return {outcome("virtualprotect", wrote)};
}

std::vector<std::string> attack_startup_reopen(unsigned long long handle_value) {
  HANDLE writable = nullptr;
  // Asking for more access than the handle has is checked against the section's DACL.
  if (!::DuplicateHandle(::GetCurrentProcess(), from_value(handle_value), ::GetCurrentProcess(), &writable,
                         FILE_MAP_READ | FILE_MAP_WRITE, FALSE, 0)) {
    return {outcome("duplicate-for-write", false)};
  }
  const bool wrote = flip_through_view(writable);
  ::CloseHandle(writable);
  return {outcome("duplicate-for-write", wrote)};
}

void squat_pipe(const std::string& name) {
  const std::wstring path = to_wide(name);
  // The client end must ask for the direction the server allows: read from an outbound pipe,
  // write to an inbound one.
  bool reads = true;
  HANDLE h = ::CreateFileW(path.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_ACCESS_DENIED) {
    reads = false;
    h = ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  }
  if (h == INVALID_HANDLE_VALUE) {
    write_stdout("refused " + std::to_string(::GetLastError()) + "\n");
    return;
  }
  write_stdout(reads ? "connected read\n" : "connected write\n");
  if (reads) {
    unsigned long long total = 0;
    char buffer[4096];
    DWORD n = 0;
    while (::ReadFile(h, buffer, sizeof buffer, &n, nullptr) && n > 0) total += n;
    write_stdout("read " + std::to_string(total) + " bytes\n");
  } else {
    const char forged[] = "forged by a squatter";
    DWORD n = 0;
    if (::WriteFile(h, forged, sizeof forged - 1, &n, nullptr)) {
      write_stdout("wrote " + std::to_string(n) + " bytes\n");
    } else {
      write_stdout("write refused " + std::to_string(::GetLastError()) + "\n");
    }
  }
  ::CloseHandle(h);
}

}  // namespace probe

int wmain(int argc, wchar_t** argv) {
  std::vector<std::string> args;
  args.reserve(static_cast<std::size_t>(argc));
  for (int i = 0; i < argc; ++i) args.push_back(probe::to_utf8(argv[i], wcslen(argv[i])));
  return probe::run(args);
}
