// SPDX-License-Identifier: BSL-1.0
// What the conformance tests need from Windows.
#include "support/support.hpp"
#include "win32_handle_table.hpp"

#include <testing_hooks.hpp>  // src/: the library's resource-exhaustion hook

#include <windows.h>
#include <winternl.h>
#include <shellapi.h>
#include <psapi.h>
#include <aclapi.h>
#include <sddl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace support {
namespace {

std::wstring wide(std::string_view s) {
  if (s.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
  return out;
}

std::string narrow(std::wstring_view s) {
  if (s.empty()) return {};
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n, nullptr, nullptr);
  return out;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

std::string unique_tag(std::string_view prefix) {
  static std::atomic<unsigned> counter{0};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "-%lu-%u-%llu", ::GetCurrentProcessId(), counter.fetch_add(1),
                static_cast<unsigned long long>(::GetTickCount64()));
  return std::string(prefix) + buffer;
}

// The C runtime's quoting, independent of the library's (the rogue spawners must not share
// code with what they test).
std::wstring quote(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\"") == std::wstring::npos) return arg;
  std::wstring out = L"\"";
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
    } else {
      out.append(c == L'"' ? 2 * backslashes + 1 : backslashes, L'\\');
      backslashes = 0;
      out += c;
    }
  }
  out.append(2 * backslashes, L'\\');
  return out + L"\"";
}

std::wstring probe_command_line(const std::vector<std::string>& args) {
  std::wstring line = L"\"" + wide(probe_path()) + L"\"";
  for (const std::string& a : args) line += L" " + quote(wide(a));
  return line;
}

}  // namespace

std::string probe_path() {
  std::wstring path(MAX_PATH, L'\0');
  while (true) {
    const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n == 0) fail("GetModuleFileName");
    if (n < path.size()) {
      path.resize(n);
      break;
    }
    path.resize(path.size() * 2);
  }
  path.resize(path.find_last_of(L"\\/") + 1);
  return narrow(path + L"bequest_probe.exe");
}

std::string ansi_probe_path() {
  std::string path = probe_path();
  return path.substr(0, path.size() - std::string("bequest_probe.exe").size()) + "bequest_ansi_probe.exe";
}

std::size_t open_handle_count() {
  // GetProcessHandleCount would be the documented way, but Wine answers 0 whatever is open.
  const std::size_t count = win32_handle_table::current_process_handles().size();
  if (count == 0) throw std::runtime_error("the system handle table lists no handle of this process");
  return count;
}

namespace {
// Each value, with its object type when the handles are ours; another process's handle values
// mean nothing in this process, so theirs are listed by value alone.
std::vector<std::string> describe_handles(const std::vector<ULONG_PTR>& values, bool ours) {
  std::vector<std::string> out;
  for (ULONG_PTR value : values) {
    // Only the type: asking for an object's name can block on a pipe in synchronous use.
    alignas(8) unsigned char buffer[1024];
    ULONG length = 0;
    std::string type = "?";
    if (ours && NT_SUCCESS(::NtQueryObject(reinterpret_cast<HANDLE>(value), ObjectTypeInformation, buffer,
                                           sizeof buffer, &length))) {
      const auto* info = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(buffer);
      type = narrow(std::wstring(info->TypeName.Buffer, info->TypeName.Length / sizeof(wchar_t)));
    }
    char head[32];
    std::snprintf(head, sizeof head, "0x%llx ", static_cast<unsigned long long>(value));
    out.push_back(ours ? head + type : std::string(head, std::strlen(head) - 1));
  }
  return out;
}
}  // namespace

std::vector<std::string> open_handles() {
  return describe_handles(win32_handle_table::current_process_handles(), true);
}

canary::~canary() {
  handle.reset();
  if (!path.empty()) ::DeleteFileW(wide(path).c_str());
}

canary make_canary(std::string_view prefix) {
  canary c;
  c.tag = unique_tag(prefix);
  c.path = temp_dir() + "\\bequest-canary" + c.tag + ".tmp";
  c.handle = bequest::open_file(std::filesystem::path(wide(c.path)), bequest::file_mode::read_write);
  return c;
}

canary make_leaky_canary(std::string_view prefix) {
  canary c;
  c.tag = unique_tag(prefix);
  c.path = temp_dir() + "\\bequest-leaky" + c.tag + ".tmp";
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};  // the careless part: inheritable
  HANDLE h = ::CreateFileW(wide(c.path).c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail("CreateFile " + c.path);
  c.handle.reset(h);
  return c;
}

void make_inheritable(bequest::native_handle h) {
  if (!::SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) fail("SetHandleInformation");
}

std::string rogue_spawn(const std::vector<std::string>& args) {
  // Everything the way code that knows nothing of handle lists does it: an inheritable pipe
  // end and bInheritHandles=TRUE, which passes every inheritable handle of this process.
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  HANDLE read = nullptr, write = nullptr;
  if (!::CreatePipe(&read, &write, &sa, 0)) fail("CreatePipe");
  ::SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
  STARTUPINFOW si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = ::GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = write;
  si.hStdError = ::GetStdHandle(STD_ERROR_HANDLE);
  std::wstring line = probe_command_line(args);
  PROCESS_INFORMATION pi{};
  // Wine's CreateProcess fails now and then with ERROR_INTERNAL_ERROR when many processes
  // start at once on a loaded machine (docs/windows.md): the rogue tries again, a few times.
  BOOL ok = FALSE;
  DWORD error = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    ok = ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi);
    error = ::GetLastError();
    if (ok || error != ERROR_INTERNAL_ERROR) break;
    ::Sleep(50);
  }
  ::CloseHandle(write);
  if (!ok) {
    ::CloseHandle(read);
    ::SetLastError(error);
    fail("CreateProcess (rogue)");
  }
  std::string output;
  char buffer[65536];
  DWORD n = 0;
  while (::ReadFile(read, buffer, sizeof buffer, &n, nullptr) && n > 0) output.append(buffer, n);
  ::CloseHandle(read);
  ::WaitForSingleObject(pi.hProcess, INFINITE);
  ::CloseHandle(pi.hThread);
  ::CloseHandle(pi.hProcess);
  return output;
}

std::string foreign_library_spawn(const std::vector<std::string>& args) {
  // The C runtime's _wpopen: an inheritable pipe and CreateProcess(bInheritHandles=TRUE) of
  // cmd.exe /c, which starts the probe inheriting everything again. cmd.exe strips the first
  // and the last quote of the command, hence the extra pair around it.
  const std::wstring command = L"\"" + probe_command_line(args) + L"\"";
  for (int attempt = 0;; ++attempt) {
    FILE* pipe = ::_wpopen(command.c_str(), L"rb");
    // Wine's CreateProcess under load: ERROR_INTERNAL_ERROR, as for rogue_spawn; try again.
    if (!pipe && ::GetLastError() == ERROR_INTERNAL_ERROR && attempt < 4) {
      ::Sleep(50);
      continue;
    }
    if (!pipe) fail("_wpopen");
    std::string output;
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    const int status = ::_pclose(pipe);
    // Wine's cmd.exe now and then fails to find a program that is there ("Can't recognize
    // ... as an internal or external command") while other processes start; a probe that
    // never ran printed nothing, so try again rather than report a missing canary.
    if (!output.empty() || status == 0 || attempt >= 2) return output;
  }
}

bool process_alive(bequest::pid_type pid) {
  HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
  if (!h) return false;
  const bool alive = ::WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  ::CloseHandle(h);
  return alive;
}

bool kill_process(bequest::pid_type pid) {
  HANDLE h = ::OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid);
  if (!h) return false;
  const bool ok = ::TerminateProcess(h, 1) && ::WaitForSingleObject(h, 10000) == WAIT_OBJECT_0;
  ::CloseHandle(h);
  return ok;
}

bool kill_copy_of_self(bequest::pid_type pid) {
  if (pid == ::GetCurrentProcessId()) return false;
  HANDLE h = ::OpenProcess(PROCESS_TERMINATE | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
  if (!h) return false;
  auto image = [](HANDLE process) {
    std::wstring path(32768, L'\0');
    DWORD n = static_cast<DWORD>(path.size());
    if (!::QueryFullProcessImageNameW(process, 0, path.data(), &n)) return std::wstring();
    path.resize(n);
    return path;
  };
  const std::wstring theirs = image(h), ours = image(::GetCurrentProcess());
  bool ok = !theirs.empty() && ::CompareStringOrdinal(theirs.c_str(), -1, ours.c_str(), -1, TRUE) == CSTR_EQUAL;
  if (ok) ok = ::TerminateProcess(h, 1) && ::WaitForSingleObject(h, 10000) == WAIT_OBJECT_0;
  ::CloseHandle(h);
  return ok;
}

bequest::pid_type current_pid() { return ::GetCurrentProcessId(); }

namespace {
PROCESS_MEMORY_COUNTERS memory_counters() {
  PROCESS_MEMORY_COUNTERS c{};
  c.cb = sizeof c;
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &c, sizeof c)) fail("GetProcessMemoryInfo");
  return c;
}
}  // namespace

std::size_t resident_memory() { return memory_counters().WorkingSetSize; }

std::size_t peak_resident_memory() { return memory_counters().PeakWorkingSetSize; }

// Windows keeps a process's peak working set for its whole life; nothing resets it.
bool reset_peak_resident_memory() { return false; }

namespace {
std::string sid_text(PSID sid) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) fail("ConvertSidToStringSid");
  std::string out = narrow(text);
  ::LocalFree(text);
  return out;
}

std::string hex(unsigned long value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%lx", value);
  return buffer;
}

std::vector<unsigned char> own_token_information(TOKEN_INFORMATION_CLASS what) {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) fail("OpenProcessToken");
  DWORD size = 0;
  ::GetTokenInformation(token, what, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size ? size : 1);
  const BOOL ok = ::GetTokenInformation(token, what, buffer.data(), size, &size);
  ::CloseHandle(token);
  if (!ok) fail("GetTokenInformation");
  return buffer;
}
}  // namespace

std::vector<std::string> security_entries(bequest::native_handle h) {
  PACL dacl = nullptr;
  PACL sacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  const DWORD rc = ::GetSecurityInfo(h, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION | LABEL_SECURITY_INFORMATION,
                                     nullptr, nullptr, &dacl, &sacl, &sd);
  if (rc != ERROR_SUCCESS) {
    ::SetLastError(rc);
    fail("GetSecurityInfo");
  }
  std::vector<std::string> out;
  auto list = [&](PACL acl, bool is_dacl) {
    for (DWORD i = 0; acl && i < acl->AceCount; ++i) {
      void* ace = nullptr;
      if (!::GetAce(acl, i, &ace)) fail("GetAce");
      const auto* header = static_cast<const ACE_HEADER*>(ace);
      if (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) {
        const auto* a = static_cast<const ACCESS_ALLOWED_ACE*>(ace);  // same layout for both
        out.push_back(std::string(header->AceType == ACCESS_ALLOWED_ACE_TYPE ? "allow\t" : "deny\t") +
                      sid_text(const_cast<DWORD*>(&a->SidStart)) + "\t" + hex(a->Mask));
      } else if (header->AceType == SYSTEM_MANDATORY_LABEL_ACE_TYPE) {
        const auto* a = static_cast<const SYSTEM_MANDATORY_LABEL_ACE*>(ace);
        out.push_back("label\t" + sid_text(const_cast<DWORD*>(&a->SidStart)) + "\t" + hex(a->Mask));
      } else {
        out.push_back(std::string(is_dacl ? "other dacl entry " : "other sacl entry ") +
                      std::to_string(header->AceType));
      }
    }
  };
  if (!dacl) out.push_back("no dacl");
  list(dacl, true);
  list(sacl, false);
  ::LocalFree(sd);
  return out;
}

std::string own_logon_sid() {
  const auto groups = own_token_information(TokenGroups);
  const auto* g = reinterpret_cast<const TOKEN_GROUPS*>(groups.data());
  for (DWORD i = 0; i < g->GroupCount; ++i) {
    if ((g->Groups[i].Attributes & SE_GROUP_LOGON_ID) == SE_GROUP_LOGON_ID) return sid_text(g->Groups[i].Sid);
  }
  const auto user = own_token_information(TokenUser);
  return sid_text(reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid);
}

std::string own_integrity_sid() {
  const auto level = own_token_information(TokenIntegrityLevel);
  return sid_text(reinterpret_cast<const TOKEN_MANDATORY_LABEL*>(level.data())->Label.Sid);
}

namespace {
// One line from a pipe, without its newline (blocking; empty at end of file).
std::string read_line(HANDLE h) {
  std::string line;
  char c = 0;
  DWORD n = 0;
  while (::ReadFile(h, &c, 1, &n, nullptr) && n == 1 && c != '\n') line += c;
  return line;
}
}  // namespace

namespace {
// One squatter: the probe, connected (or not) to a pipe before its owner.
class pipe_squatter {
 public:
  explicit pipe_squatter(const std::string& name) {
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    HANDLE read = nullptr, write = nullptr;
    if (!::CreatePipe(&read, &write, &sa, 0)) fail("CreatePipe");
    ::SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = ::GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = write;
    si.hStdError = ::GetStdHandle(STD_ERROR_HANDLE);
    std::wstring line = probe_command_line({"squat", name});
    PROCESS_INFORMATION pi{};
    BOOL ok = FALSE;
    DWORD error = 0;
    for (int attempt = 0; attempt < 5 && !ok; ++attempt) {  // Wine's ERROR_INTERNAL_ERROR (docs/windows.md)
      ok = ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi);
      error = ::GetLastError();
      if (!ok && error != ERROR_INTERNAL_ERROR) break;
      if (!ok) ::Sleep(50);
    }
    ::CloseHandle(write);
    if (!ok) {
      ::CloseHandle(read);
      ::SetLastError(error);
      fail("CreateProcess (squatter)");
    }
    ::CloseHandle(pi.hThread);
    process_ = pi.hProcess;
    output_ = read;
    attempt_ = read_line(read);
  }
  ~pipe_squatter() {
    ::CloseHandle(output_);
    ::WaitForSingleObject(process_, INFINITE);
    ::CloseHandle(process_);
  }
  pipe_squatter(const pipe_squatter&) = delete;
  pipe_squatter& operator=(const pipe_squatter&) = delete;
  std::string report() {
    std::string rest = read_line(output_);
    ::WaitForSingleObject(process_, INFINITE);
    return attempt_ + " / " + rest;
  }

 private:
  HANDLE process_ = nullptr;
  HANDLE output_ = nullptr;
  std::string attempt_;
};

struct squatting_state {
  std::mutex mutex;
  unsigned long pipes = 0;
  unsigned every = 2;
  std::vector<std::unique_ptr<pipe_squatter>> squatters;
  std::vector<std::string> errors;
};
squatting_state squatting;

void squat(const wchar_t* name) {
  std::lock_guard<std::mutex> lock(squatting.mutex);
  if (squatting.pipes++ % squatting.every != 0) return;
  try {
    squatting.squatters.push_back(std::make_unique<pipe_squatter>(narrow(name)));
  } catch (const std::exception& e) {
    squatting.errors.push_back(std::string("squatter: ") + e.what());
  }
}
}  // namespace

pipe_squatting::pipe_squatting(unsigned every) {
#ifdef BEQUEST_TESTING_HOOKS
  std::lock_guard<std::mutex> lock(squatting.mutex);
  squatting.pipes = 0;
  squatting.every = every ? every : 1;
  squatting.squatters.clear();
  squatting.errors.clear();
  bequest::detail::testing::set_pipe_created_hook(squat);
#else
  (void)every;
  throw std::logic_error("pipe_squatting needs a build with BEQUEST_TESTING_HOOKS");
#endif
}

pipe_squatting::~pipe_squatting() {
#ifdef BEQUEST_TESTING_HOOKS
  bequest::detail::testing::set_pipe_created_hook(nullptr);
#endif
  std::lock_guard<std::mutex> lock(squatting.mutex);
  squatting.squatters.clear();
}

std::vector<std::string> pipe_squatting::reports() {
  std::lock_guard<std::mutex> lock(squatting.mutex);
  std::vector<std::string> out = squatting.errors;
  for (auto& s : squatting.squatters) out.push_back(s->report());
  return out;
}

bool running_under_wine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

int wine_major_version() {
  // Wine's ntdll exports wine_get_version(), a string such as "8.0" or "10.0".
  using version_fn = const char*(CDECL*)();
  const auto version = reinterpret_cast<version_fn>(
      reinterpret_cast<void (*)()>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version")));
  return version ? std::atoi(version()) : 0;
}

std::optional<std::vector<std::string>> system_split_command_line(const std::string& line) {
  int argc = 0;
  const std::wstring w = wide(line);
  wchar_t** argv = ::CommandLineToArgvW(w.c_str(), &argc);
  if (!argv) fail("CommandLineToArgvW");
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) out.push_back(narrow(argv[i]));
  ::LocalFree(argv);
  return out;
}

std::string make_forwarding_script(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(std::filesystem::path(wide(dir)));
  const std::string path = dir + "\\" + name + ".bat";
  const std::string text = "@\"" + probe_path() + "\" argv %*\r\n";
  HANDLE h =
      ::CreateFileW(wide(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail("CreateFile " + path);
  DWORD written = 0;
  const BOOL ok = ::WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
  ::CloseHandle(h);
  if (!ok) fail("WriteFile " + path);
  return path;
}

std::error_code out_of_handles_error() { return {ERROR_NO_SYSTEM_RESOURCES, std::system_category()}; }

#ifdef BEQUEST_TESTING_HOOKS
handle_exhaustion::handle_exhaustion(int spare) { bequest::detail::testing::fail_acquisitions_after(spare); }

handle_exhaustion::~handle_exhaustion() { bequest::detail::testing::stop_failing_acquisitions(); }

std::vector<std::string> helper_handles() {
  const std::uint32_t pid = bequest::detail::testing::helper_process_id();
  if (pid == 0) return {};
  return describe_handles(win32_handle_table::process_handles(pid), false);
}
#else
handle_exhaustion::handle_exhaustion(int) {
  throw std::logic_error("handle_exhaustion needs a bequest built with BEQUEST_TESTING_HOOKS=ON on Windows");
}

handle_exhaustion::~handle_exhaustion() = default;

std::vector<std::string> helper_handles() {
  throw std::logic_error("helper_handles needs a bequest built with BEQUEST_TESTING_HOOKS=ON");
}
#endif

std::map<bequest::native_handle, std::string> inherited_from_caller() { return {}; }

stdin_closed_then_filled::stdin_closed_then_filled() {
  throw std::logic_error("stdin_closed_then_filled: POSIX only (Windows passes a closed stream as NULL)");
}
stdin_closed_then_filled::~stdin_closed_then_filled() = default;
std::string stdin_closed_then_filled::tag() const { return {}; }
long long stdin_closed_then_filled::fd() const { return -1; }

int own_signal_number() { return 0; }

own_signal_handler::own_signal_handler() : saved_{} {}
own_signal_handler::~own_signal_handler() = default;
bool own_signal_handler::handler_runs() { return true; }

hostile_signal_state::hostile_signal_state() : saved_{} {}
hostile_signal_state::~hostile_signal_state() = default;

std::string missing_path() { return temp_dir() + "\\" + unique_tag("missing") + "\\nothing-here"; }

std::string temp_dir() {
  static const std::string dir = [] {
    wchar_t buffer[MAX_PATH + 1];
    const DWORD n = ::GetTempPathW(MAX_PATH + 1, buffer);
    if (n == 0 || n > MAX_PATH) fail("GetTempPath");
    std::filesystem::path d =
        std::filesystem::path(std::wstring(buffer, n)) / (L"bequest-tests-" + std::to_wstring(::GetCurrentProcessId()));
    std::filesystem::create_directories(d);
    return narrow(d.wstring());
  }();
  return dir;
}

std::string exe_suffix() { return ".exe"; }

std::string copy_probe(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(std::filesystem::path(wide(dir)));
  const std::string target = dir + "\\" + name + exe_suffix();
  if (!::CopyFileW(wide(probe_path()).c_str(), wide(target).c_str(), FALSE)) fail("CopyFile to " + target);
  return target;
}

std::string make_non_executable(const std::string& dir, const std::string& name) {
  // A .exe that is text: CreateProcess refuses it with ERROR_BAD_EXE_FORMAT.
  std::filesystem::create_directories(std::filesystem::path(wide(dir)));
  const bool has_suffix = name.size() >= 4 && ::_stricmp(name.c_str() + name.size() - 4, ".exe") == 0;
  const std::string path = dir + "\\" + name + (has_suffix ? "" : exe_suffix());
  HANDLE h =
      ::CreateFileW(wide(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail("CreateFile " + path);
  static const char text[] = "this is not a program\r\n";
  DWORD written = 0;
  ::WriteFile(h, text, sizeof text - 1, &written, nullptr);
  ::CloseHandle(h);
  return path;
}

bequest::unique_handle make_shared_memory(const std::string& bytes) {
  const auto size = static_cast<unsigned long long>(bytes.size());
  HANDLE h = ::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE | SEC_COMMIT,
                                  static_cast<DWORD>(size >> 32), static_cast<DWORD>(size & 0xFFFFFFFFu), nullptr);
  if (!h) fail("CreateFileMapping");
  bequest::unique_handle owned(h);
  void* view = ::MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
  if (!view) fail("MapViewOfFile");
  std::memcpy(view, bytes.data(), bytes.size());
  ::UnmapViewOfFile(view);
  return owned;
}

bool bypasses_file_permissions() { return false; }

std::string make_invalid_program(const std::string& dir, const std::string& name) {
  // An .exe that is text: CreateProcess refuses it with ERROR_BAD_EXE_FORMAT.
  return make_non_executable(dir, name);
}

std::string in_pid_namespace(const std::function<std::string()>& scenario) {
  // Process ids cannot be chosen on Windows; the scenario runs here.
  try {
    return scenario();
  } catch (const std::exception& e) {
    return std::string("the scenario threw: ") + e.what();
  }
}

bool give_next_process_id(bequest::pid_type) { return false; }

namespace {
[[noreturn]] void posix_only(const char* what) { throw std::logic_error(std::string(what) + " is POSIX-only"); }
}  // namespace

bequest::pid_type start_stranger(int) { posix_only("start_stranger"); }
std::string peek_child(bequest::pid_type) { posix_only("peek_child"); }
std::string reap_child(bequest::pid_type) { posix_only("reap_child"); }
std::string end_stranger(bequest::pid_type) { posix_only("end_stranger"); }
bool no_children() { posix_only("no_children"); }

sigchld_ignored::sigchld_ignored() : saved_{} {}
sigchld_ignored::~sigchld_ignored() = default;

struct foreign_reaper::state {};
foreign_reaper::foreign_reaper(std::shared_mutex*) { posix_only("foreign_reaper"); }
foreign_reaper::~foreign_reaper() = default;
int foreign_reaper::reaped() const { return 0; }
int foreign_reaper::handed_out() const { return 0; }

}  // namespace support
