// SPDX-License-Identifier: BSL-1.0
// The comparison's peers under Wine (harness_win32.hpp has the scenarios): bequest's Windows
// build, and the CreateProcessW patterns of three peers that cannot be built here for Windows
// (libuv, Rust's std, Python's subprocess), each written after the peer's own source, step by
// step, and named after the file and version it follows (docs/compare.md repeats them):
//
// - libuv: src/win/process.c and src/win/process-stdio.c of libuv v1.x (read at b489fc34) with
//   libuv#5100 (2026: STARTUPINFOEXW with a PROC_THREAD_ATTRIBUTE_HANDLE_LIST of the child's
//   stdio handles).
// - Rust: library/std/src/sys/process/windows.rs (rust-lang/rust 050ad7a0), sys/pal/windows/pipe.rs
//   and sys/args/windows.rs (24a41186, after the CVE-2024-24576 fix).
// - Python: Lib/subprocess.py (Popen._get_handles, _execute_child, list2cmdline) and
//   Modules/_winapi.c (CreateProcess's handle_list) of CPython 3.12-3.14.
//
//   compare_win32 PROBE SCRATCH_DIR [PEER [SCENARIO]]   prints PEER<TAB>SCENARIO<TAB>CELL lines

#include "harness_win32.hpp"

#include <bequest/bequest.hpp>

#include <algorithm>
#include <cstring>
#include <memory>

namespace {

using namespace comparison;

// --- shared by the patterns -------------------------------------------------------------------

/// An inheritable duplicate of `h` (libuv's uv__duplicate_handle, Rust's Handle::duplicate with
/// inherit = true, Python's _make_inheritable), or null for a null or invalid `h`.
HANDLE inheritable_copy(HANDLE h) {
  if (h == nullptr || h == INVALID_HANDLE_VALUE) return nullptr;
  HANDLE copy = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), h, ::GetCurrentProcess(), &copy, 0, TRUE, DUPLICATE_SAME_ACCESS))
    fail("DuplicateHandle");
  return copy;
}

void close_all(std::initializer_list<HANDLE> handles) {
  for (HANDLE h : handles) {
    if (h != nullptr && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
}

/// A PROC_THREAD_ATTRIBUTE_HANDLE_LIST of `handles`, owned.
class handle_list {
 public:
  explicit handle_list(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    storage_.reset(new unsigned char[size]);
    auto* list = get();
    if (!::InitializeProcThreadAttributeList(list, 1, 0, &size)) fail("InitializeProcThreadAttributeList");
    if (!::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                     handles_.size() * sizeof(HANDLE), nullptr, nullptr)) {
      ::DeleteProcThreadAttributeList(list);
      fail("UpdateProcThreadAttribute");
    }
  }
  ~handle_list() { ::DeleteProcThreadAttributeList(get()); }
  handle_list(const handle_list&) = delete;
  handle_list& operator=(const handle_list&) = delete;
  LPPROC_THREAD_ATTRIBUTE_LIST get() { return reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.get()); }

 private:
  std::vector<HANDLE> handles_;
  std::unique_ptr<unsigned char[]> storage_;
};

/// Waits for the child and closes its handles.
void wait_and_close(PROCESS_INFORMATION& pi) {
  ::WaitForSingleObject(pi.hProcess, INFINITE);
  close_all({pi.hThread, pi.hProcess});
}

/// What each pattern's scenario functions share: start PROGRAM ARGS with the three stdio
/// choices below and an optional extra handle, return the parent's ends of the pipes made.
enum class io { inherit, pipe };
struct started {
  PROCESS_INFORMATION pi{};
  HANDLE ours[3] = {nullptr, nullptr, nullptr};  // the parent's end of each pipe made
};
using starter = std::function<started(const std::string& program, const std::vector<std::string>& args,
                                      const io (&stdio)[3], HANDLE listed)>;

/// The peer's scenario functions, all through its `start`.
peer pattern_peer(const std::string& name, starter start) {
  peer p;
  p.name = name;
  p.capture = [start](const std::string& program, const std::vector<std::string>& args, HANDLE listed) {
    const io stdio[3] = {io::inherit, io::pipe, io::inherit};
    started s = start(program, args, stdio, listed);
    std::string out = drain(s.ours[1]);
    ::CloseHandle(s.ours[1]);
    wait_and_close(s.pi);
    return out;
  };
  p.piped = [start](const std::string& program, const std::vector<std::string>& args) {
    const io stdio[3] = {io::pipe, io::pipe, io::pipe};
    started s = start(program, args, stdio, nullptr);
    std::vector<std::string> names{pipe_name(s.ours[0]), pipe_name(s.ours[1]), pipe_name(s.ours[2])};
    ::CloseHandle(s.ours[0]);
    drain(s.ours[1]);
    drain(s.ours[2]);
    close_all({s.ours[1], s.ours[2]});
    wait_and_close(s.pi);
    return names;
  };
  p.bare = [start](const std::string& program, const std::vector<std::string>& args) {
    const io stdio[3] = {io::inherit, io::inherit, io::inherit};
    started s = start(program, args, stdio, nullptr);
    wait_and_close(s.pi);
    return std::string();
  };
  return p;
}

/// A named pipe whose server end (ours, not inheritable) reads or writes as `ours_readable`
/// says, and a client end (theirs) opened with `theirs_inheritable` as the peer does.
std::pair<HANDLE, HANDLE> named_pipe(const std::wstring& name, bool ours_readable, bool theirs_inheritable) {
  // Both peers make the server end overlapped for their event loops; these drivers read it
  // synchronously, which changes nothing about what is inheritable.
  HANDLE ours = ::CreateNamedPipeW(
      name.c_str(), (ours_readable ? PIPE_ACCESS_INBOUND : PIPE_ACCESS_OUTBOUND) | FILE_FLAG_FIRST_PIPE_INSTANCE,
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, nullptr);
  if (ours == INVALID_HANDLE_VALUE) fail("CreateNamedPipeW");
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, theirs_inheritable ? TRUE : FALSE};
  HANDLE theirs =
      ::CreateFileW(name.c_str(), ours_readable ? GENERIC_WRITE : GENERIC_READ, 0, &sa, OPEN_EXISTING, 0, nullptr);
  if (theirs == INVALID_HANDLE_VALUE) {
    ::CloseHandle(ours);
    fail("CreateFileW (pipe client)");
  }
  return {ours, theirs};
}

std::wstring unique_suffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_wstring(::GetCurrentProcessId()) + L"." + std::to_wstring(counter.fetch_add(1)) + L"." +
         std::to_wstring(::GetTickCount64());
}

bool file_exists(const std::wstring& path) {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY);
}

bool ends_with_i(const std::wstring& s, const std::wstring& tail) {
  return s.size() >= tail.size() && ::_wcsicmp(s.c_str() + s.size() - tail.size(), tail.c_str()) == 0;
}

std::wstring current_directory() {
  wchar_t buffer[32768];
  const DWORD n = ::GetCurrentDirectoryW(32768, buffer);
  return std::wstring(buffer, n);
}

std::wstring environment_variable(const wchar_t* name) {
  wchar_t buffer[32768];
  const DWORD n = ::GetEnvironmentVariableW(name, buffer, 32768);
  return n > 0 && n < 32768 ? std::wstring(buffer, n) : std::wstring();
}

// --- bequest ----------------------------------------------------------------------------------

bequest::spawn_options bequest_options(const std::string& program, const std::vector<std::string>& args) {
  bequest::spawn_options o;
  o.program = program;
  o.args = args;
  return o;
}

peer bequest_peer() {
  peer p;
  p.name = "bequest";
  p.capture = [](const std::string& program, const std::vector<std::string>& args, HANDLE listed) {
    auto o = bequest_options(program, args);
    if (listed) o.inherit = {{"listed", listed}};
    return bequest::run(o).out;
  };
  p.piped = [](const std::string& program, const std::vector<std::string>& args) {
    auto o = bequest_options(program, args);
    o.in = o.out = o.err = bequest::stdio::pipe();
    bequest::child c = bequest::spawn(o);
    std::vector<std::string> names{pipe_name(c.in().get()), pipe_name(c.out().get()), pipe_name(c.err().get())};
    c.in().reset();
    char buffer[4096];
    while (c.out().read_some(buffer, sizeof buffer) > 0) {
    }
    (void)c.wait();
    return names;
  };
  p.bare = [](const std::string& name, const std::vector<std::string>& args) {
    std::error_code ec;
    std::string message;
    bequest::child c = bequest::spawn(bequest_options(name, args), ec, message);
    if (ec) return message;
    (void)c.wait();
    return std::string();
  };
  return p;
}

// --- libuv ------------------------------------------------------------------------------------

// uv_spawn's program search (process.c, search_path): a bare name is looked for in the current
// directory first, then in each PATH entry; the name as given (when it has an extension), then
// with .com, then with .exe.
std::wstring libuv_search_path(const std::wstring& file) {
  const bool has_dir = file.find_first_of(L"\\/:") != std::wstring::npos;
  const std::size_t name_start = file.find_last_of(L"\\/:") == std::wstring::npos ? 0 : file.find_last_of(L"\\/:") + 1;
  const std::size_t dot = file.find(L'.', name_start);
  const bool has_ext = dot != std::wstring::npos && dot + 1 < file.size();
  auto try_dir = [&](const std::wstring& dir) -> std::wstring {
    std::wstring base = dir;
    if (!base.empty() && base.back() != L'\\' && base.back() != L'/') base += L'\\';
    base += file;
    if (has_ext && file_exists(base)) return base;
    for (const wchar_t* ext : {L".com", L".exe"}) {
      if (file_exists(base + ext)) return base + ext;
    }
    return L"";
  };
  if (has_dir) return try_dir(L"");
  std::wstring found = try_dir(current_directory());
  const std::wstring path = environment_variable(L"PATH");
  for (std::size_t start = 0; found.empty() && start <= path.size();) {
    std::size_t end = path.find(L';', start);
    if (end == std::wstring::npos) end = path.size();
    std::wstring dir = path.substr(start, end - start);
    if (dir.size() >= 2 && (dir.front() == L'"' || dir.front() == L'\'')) dir = dir.substr(1, dir.size() - 2);
    if (!dir.empty()) found = try_dir(dir);
    start = end + 1;
  }
  return found;
}

// process.c, quote_cmd_arg: quoted only when it holds a space, a tab or a quote; backslashes
// doubled only before a quote, a quote escaped with one.
std::wstring libuv_quote(const std::wstring& arg) {
  if (arg.empty()) return L"\"\"";
  if (arg.find_first_of(L" \t\"") == std::wstring::npos) return arg;
  if (arg.find_first_of(L"\"\\") == std::wstring::npos) return L"\"" + arg + L"\"";
  std::wstring out = L"\"";
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    out.append(c == L'"' ? 2 * backslashes + 1 : backslashes, L'\\');
    backslashes = 0;
    out += c;
  }
  out.append(2 * backslashes, L'\\');
  return out + L"\"";
}

started libuv_start(const std::string& program, const std::vector<std::string>& args, const io (&stdio)[3],
                    HANDLE listed) {
  // process-stdio.c, uv__stdio_create: each child stdio slot an inheritable handle: a pipe
  // made for it (UV_CREATE_PIPE: a named pipe \\.\pipe\uv\..., whose client end is opened
  // inheritable) or an inheritable duplicate of what it inherits (UV_INHERIT_FD); fd 3 the
  // listed handle, duplicated the same way. They travel to the child's C runtime in
  // lpReserved2 (count, a flag byte per fd, a handle per fd).
  started s;
  const int count = listed ? 4 : 3;
  std::vector<HANDLE> child(static_cast<std::size_t>(count), nullptr);
  const DWORD std_ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (int i = 0; i < 3; ++i) {
    if (stdio[i] == io::pipe) {
      const std::wstring name = L"\\\\.\\pipe\\uv\\" + unique_suffix();
      auto [ours, theirs] = named_pipe(name, i != 0, true);
      s.ours[i] = ours;
      child[static_cast<std::size_t>(i)] = theirs;
    } else {
      child[static_cast<std::size_t>(i)] = inheritable_copy(::GetStdHandle(std_ids[i]));
    }
  }
  if (listed) child[3] = inheritable_copy(listed);
  std::vector<unsigned char> crt(sizeof(int) + static_cast<std::size_t>(count) * (1 + sizeof(HANDLE)));
  std::memcpy(crt.data(), &count, sizeof(int));
  for (int i = 0; i < count; ++i) {
    const HANDLE h = child[static_cast<std::size_t>(i)];
    unsigned char flags = 0;
    if (h) {
      const DWORD type = ::GetFileType(h);
      flags = static_cast<unsigned char>(0x01 | (type == FILE_TYPE_PIPE ? 0x08 : type == FILE_TYPE_CHAR ? 0x40 : 0));
    }
    crt[sizeof(int) + static_cast<std::size_t>(i)] = flags;
    const HANDLE value = h ? h : INVALID_HANDLE_VALUE;
    std::memcpy(
        crt.data() + sizeof(int) + static_cast<std::size_t>(count) + static_cast<std::size_t>(i) * sizeof(HANDLE),
        &value, sizeof(HANDLE));
  }
  auto cleanup = [&] {
    for (HANDLE h : child) close_all({h});
  };
  const std::wstring application = libuv_search_path(wide(program));
  if (application.empty()) {
    cleanup();
    for (HANDLE h : s.ours) close_all({h});
    ::SetLastError(ERROR_FILE_NOT_FOUND);
    fail("uv_spawn " + program);
  }
  std::wstring line = libuv_quote(wide(program));
  for (const auto& a : args) line += L" " + libuv_quote(wide(a));
  // libuv#5100: the handle list holds the child's stdio handles (the ones set, once each).
  std::vector<HANDLE> listed_handles;
  for (HANDLE h : child) {
    if (h && std::find(listed_handles.begin(), listed_handles.end(), h) == listed_handles.end())
      listed_handles.push_back(h);
  }
  handle_list list(listed_handles);
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES | STARTF_USESHOWWINDOW;
  si.StartupInfo.wShowWindow = SW_SHOWDEFAULT;
  si.StartupInfo.cbReserved2 = static_cast<WORD>(crt.size());
  si.StartupInfo.lpReserved2 = crt.data();
  si.StartupInfo.hStdInput = child[0] ? child[0] : INVALID_HANDLE_VALUE;
  si.StartupInfo.hStdOutput = child[1] ? child[1] : INVALID_HANDLE_VALUE;
  si.StartupInfo.hStdError = child[2] ? child[2] : INVALID_HANDLE_VALUE;
  si.lpAttributeList = list.get();
  std::wstring cwd = current_directory();
  const BOOL ok = ::CreateProcessW(application.c_str(), line.data(), nullptr, nullptr, TRUE,
                                   CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT, nullptr, cwd.c_str(),
                                   &si.StartupInfo, &s.pi);
  const DWORD error = ::GetLastError();
  cleanup();  // uv__stdio_destroy
  if (!ok) {
    for (HANDLE h : s.ours) close_all({h});
    ::SetLastError(error);
    fail("uv_spawn: CreateProcessW");
  }
  return s;
}

// --- Rust std::process ------------------------------------------------------------------------

// sys/process/windows.rs, resolve_exe and search_paths: a bare name (".exe" appended when it
// has no extension) is looked for in the application's directory, the system directory, the
// Windows directory and then PATH; never in the current directory.
std::wstring rust_resolve_exe(const std::wstring& exe) {
  const bool is_file_name = exe.find_first_of(L"\\/:") == std::wstring::npos;
  const bool has_exe = ends_with_i(exe, L".exe");
  if (!is_file_name) {
    if (has_exe) return exe;
    return file_exists(exe + L".exe") ? exe + L".exe" : exe;
  }
  const bool has_extension = exe.find(L'.') != std::wstring::npos;
  auto exists = [&](std::wstring dir) -> std::wstring {
    if (!dir.empty() && dir.back() != L'\\') dir += L'\\';
    std::wstring path = dir + exe;
    if (!has_extension) path += L".exe";
    return file_exists(path) ? path : L"";
  };
  wchar_t buffer[32768];
  std::vector<std::wstring> dirs;
  DWORD n = ::GetModuleFileNameW(nullptr, buffer, 32768);
  std::wstring app(buffer, n);
  dirs.push_back(app.substr(0, app.find_last_of(L'\\')));
  n = ::GetSystemDirectoryW(buffer, 32768);
  dirs.emplace_back(buffer, n);
  n = ::GetWindowsDirectoryW(buffer, 32768);
  dirs.emplace_back(buffer, n);
  const std::wstring path = environment_variable(L"PATH");
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find(L';', start);
    if (end == std::wstring::npos) end = path.size();
    if (end > start) dirs.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  for (const auto& d : dirs) {
    const std::wstring found = exists(d);
    if (!found.empty()) return found;
  }
  ::SetLastError(ERROR_FILE_NOT_FOUND);
  fail("program not found");
}

// sys/args/windows.rs, append_arg (Quote::Auto): quoted when empty or holding a space or a tab.
void rust_append_arg(std::wstring& cmd, const std::wstring& arg, bool force_quotes) {
  const bool quote = force_quotes || arg.empty() || arg.find_first_of(L" \t") != std::wstring::npos;
  if (quote) cmd += L'"';
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
    } else {
      if (c == L'"') cmd.append(backslashes + 1, L'\\');
      backslashes = 0;
    }
    cmd += c;
  }
  if (quote) {
    cmd.append(backslashes, L'\\');
    cmd += L'"';
  }
}

// sys/args/windows.rs, append_bat_arg: quoted unless every character is known to be harmless;
// a quote doubled; every % followed by "%cd:~,", an empty substring that stops cmd.exe from
// expanding %NAME%.
void rust_append_bat_arg(std::wstring& cmd, const std::wstring& arg) {
  bool quote = arg.empty() || arg.back() == L'\\';
  static const std::wstring unquoted = L"#$*+-./:?@\\_";
  for (wchar_t c : arg) {
    const bool ascii = c < 0x80;
    const bool harmless = (c >= L'0' && c <= L'9') || (c >= L'a' && c <= L'z') || (c >= L'A' && c <= L'Z') ||
                          unquoted.find(c) != std::wstring::npos;
    if ((ascii && !harmless) || c < 0x20 || (c >= 0x7F && c < 0xA0)) quote = true;
  }
  if (quote) cmd += L'"';
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
    } else {
      if (c == L'"') {
        cmd.append(backslashes, L'\\');
        cmd += L'"';
      } else if (c == L'%' || c == L'\r') {
        cmd += L"%%cd:~,";
      }
      backslashes = 0;
    }
    cmd += c;
  }
  if (quote) {
    cmd.append(backslashes, L'\\');
    cmd += L'"';
  }
}

started rust_start(const std::string& program, const std::vector<std::string>& args, const io (&stdio)[3],
                   HANDLE listed) {
  (void)listed;  // stable std has no way to pass one
  const std::wstring exe = rust_resolve_exe(wide(program));
  const bool is_batch = ends_with_i(exe, L".bat") || ends_with_i(exe, L".cmd");
  std::wstring application = exe, line;
  if (is_batch) {
    // make_bat_command_line: cmd.exe /e:ON /v:OFF /d /c ""SCRIPT" ARGS", refusing \r and \n.
    wchar_t system[MAX_PATH];
    const UINT n = ::GetSystemDirectoryW(system, MAX_PATH);
    application = std::wstring(system, n) + L"\\cmd.exe";
    line = L"cmd.exe /e:ON /v:OFF /d /c \"\"" + exe + L"\"";
    for (const auto& a : args) {
      if (a.find_first_of("\r\n") != std::string::npos) {
        ::SetLastError(ERROR_INVALID_PARAMETER);
        fail("batch file arguments are invalid");
      }
      line += L' ';
      rust_append_bat_arg(line, wide(a));
    }
    line += L'"';
  } else {
    // make_command_line: the program always quoted, the arguments as append_arg says.
    rust_append_arg(line, wide(program), true);
    for (const auto& a : args) {
      line += L' ';
      rust_append_arg(line, wide(a), false);
    }
  }
  // "Prepare all stdio handles to be inherited by the child ... we wrap the remaining portion of
  // this spawn in a mutex" (CREATE_PROCESS_LOCK): the lock keeps Rust's own spawns apart, no
  // one else's.
  static std::mutex create_process_lock;
  std::lock_guard<std::mutex> guard(create_process_lock);
  started s;
  HANDLE child[3] = {nullptr, nullptr, nullptr};
  const DWORD std_ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
  for (int i = 0; i < 3; ++i) {
    if (stdio[i] == io::pipe) {
      // pipe.rs, anon_pipe(ours_readable, their_handle_inheritable = true).
      auto [ours, theirs] = named_pipe(L"\\\\.\\pipe\\__rust_anonymous_pipe1__." + unique_suffix(), i != 0, true);
      s.ours[i] = ours;
      child[i] = theirs;
    } else {
      child[i] = inheritable_copy(::GetStdHandle(std_ids[i]));  // Stdio::Inherit
    }
  }
  STARTUPINFOW si{};
  si.cb = sizeof si;
  if (child[0] || child[1] || child[2]) {
    si.dwFlags |= STARTF_USESTDHANDLES;
    si.hStdInput = child[0];
    si.hStdOutput = child[1];
    si.hStdError = child[2];
  }
  const BOOL ok = ::CreateProcessW(application.c_str(), line.data(), nullptr, nullptr, TRUE, CREATE_UNICODE_ENVIRONMENT,
                                   nullptr, nullptr, &si, &s.pi);
  const DWORD error = ::GetLastError();
  close_all({child[0], child[1], child[2]});
  if (!ok) {
    for (HANDLE h : s.ours) close_all({h});
    ::SetLastError(error);
    fail("Command::spawn: CreateProcessW");
  }
  return s;
}

// --- Python subprocess ------------------------------------------------------------------------

// Lib/subprocess.py, list2cmdline: quoted when empty or holding a space or a tab; backslashes
// doubled before a quote, a quote escaped with a backslash.
std::wstring python_list2cmdline(const std::vector<std::wstring>& seq) {
  std::wstring result;
  for (const auto& arg : seq) {
    if (!result.empty()) result += L' ';
    const bool needquote = arg.empty() || arg.find_first_of(L" \t") != std::wstring::npos;
    if (needquote) result += L'"';
    std::size_t backslashes = 0;
    for (wchar_t c : arg) {
      if (c == L'\\') {
        ++backslashes;
      } else if (c == L'"') {
        result.append(backslashes * 2, L'\\');
        backslashes = 0;
        result += L"\\\"";
      } else {
        result.append(backslashes, L'\\');
        backslashes = 0;
        result += c;
      }
    }
    result.append(backslashes, L'\\');
    if (needquote) {
      result.append(backslashes, L'\\');
      result += L'"';
    }
  }
  return result;
}

started python_start(const std::string& program, const std::vector<std::string>& args, const io (&stdio)[3],
                     HANDLE listed) {
  // Popen(args, stdin=..., stdout=..., stderr=..., startupinfo=si) with close_fds left at its
  // default (True); a listed handle goes, as the documentation says, into
  // si.lpAttributeList["handle_list"], made inheritable first (os.set_handle_inheritable): the
  // list requires it. It is made non-inheritable again once Popen returns.
  started s;
  const bool redirected = stdio[0] == io::pipe || stdio[1] == io::pipe || stdio[2] == io::pipe;
  HANDLE child[3] = {nullptr, nullptr, nullptr};
  if (redirected) {
    // _get_handles: None -> GetStdHandle, PIPE -> CreatePipe(None, 0); each then
    // _make_inheritable (an inheritable duplicate; the original closed).
    const DWORD std_ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};
    for (int i = 0; i < 3; ++i) {
      if (stdio[i] == io::pipe) {
        HANDLE read = nullptr, write = nullptr;
        if (!::CreatePipe(&read, &write, nullptr, 0)) fail("CreatePipe");
        HANDLE theirs = i == 0 ? read : write;
        s.ours[i] = i == 0 ? write : read;
        child[i] = inheritable_copy(theirs);
        ::CloseHandle(theirs);
      } else {
        child[i] = inheritable_copy(::GetStdHandle(std_ids[i]));
      }
    }
  }
  if (listed) ::SetHandleInformation(listed, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  // _execute_child: the handle list is the caller's plus the three std handles, filtered
  // (_filter_handle_list: no console handles, no duplicates); a non-empty list turns
  // close_fds off, so that bInheritHandles = not close_fds is TRUE.
  std::vector<HANDLE> list_handles;
  if (listed) list_handles.push_back(listed);
  if (redirected) list_handles.insert(list_handles.end(), {child[0], child[1], child[2]});
  std::vector<HANDLE> filtered;
  for (HANDLE h : list_handles) {
    if (!h) continue;
    const bool console = (reinterpret_cast<ULONG_PTR>(h) & 3) == 3 && ::GetFileType(h) == FILE_TYPE_CHAR;
    if (!console && std::find(filtered.begin(), filtered.end(), h) == filtered.end()) filtered.push_back(h);
  }
  bool close_fds = true;
  std::unique_ptr<handle_list> list;
  if (!filtered.empty()) {
    close_fds = false;
    list = std::make_unique<handle_list>(filtered);
  }
  std::vector<std::wstring> seq{wide(program)};
  for (const auto& a : args) seq.push_back(wide(a));
  std::wstring line = python_list2cmdline(seq);
  // _winapi.CreateProcess: EXTENDED_STARTUPINFO_PRESENT and CREATE_UNICODE_ENVIRONMENT, the
  // attribute list holding the handle list (none without one); the executable None, so
  // CreateProcessW searches for the program itself (the application's directory, the current
  // directory, the system directories, PATH).
  STARTUPINFOEXW si{};
  si.StartupInfo.cb = sizeof si;
  if (redirected) {
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = child[0];
    si.StartupInfo.hStdOutput = child[1];
    si.StartupInfo.hStdError = child[2];
  }
  const DWORD flags = CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
  if (list) si.lpAttributeList = list->get();
  const BOOL ok = ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, close_fds ? FALSE : TRUE, flags, nullptr,
                                   nullptr, &si.StartupInfo, &s.pi);
  const DWORD error = ::GetLastError();
  close_all({child[0], child[1], child[2]});  // _close_pipe_fds
  if (listed) ::SetHandleInformation(listed, HANDLE_FLAG_INHERIT, 0);
  if (!ok) {
    for (HANDLE h : s.ours) close_all({h});
    ::SetLastError(error);
    fail("Popen: CreateProcess");
  }
  return s;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (argc < 3 || argc > 5) {
    std::fprintf(stderr, "usage: compare_win32 PROBE SCRATCH_DIR [PEER [SCENARIO]]\n");
    return 2;
  }
  peer rust = pattern_peer("rust std::process (pattern)", rust_start);
  rust.no_listing = "stable std has no way to pass one";
  std::vector<peer> peers{bequest_peer(), pattern_peer("libuv (pattern)", libuv_start), rust,
                          pattern_peer("python subprocess (pattern)", python_start)};
  const std::string probe = narrow(argv[1]), scratch = narrow(argv[2]);
  for (const auto& p : peers) {
    if (argc >= 4 && p.name != narrow(argv[3])) continue;
    run_all(p, make_setup(probe, scratch, p.name), argc == 5 ? narrow(argv[4]) : "");
  }
  return 0;
}
