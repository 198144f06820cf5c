// SPDX-License-Identifier: BSL-1.0
#pragma once

// The comparison's scenarios on Windows (run under Wine; docs/compare.md, "Windows"), for the
// peers written in C++: the same ideas as harness.hpp's. Canaries are uniquely named files, a
// pipe is known by its name (both ends carry it), the probe child (compare_probe_win32.cpp)
// lists the handles it holds from the system's handle table, and rogue threads start "inherit
// everything" children (CreateProcessW with bInheritHandles = TRUE and no handle list) while the
// peer spawns, each holding an inheritable canary of its own. Each scenario prints one line:
// PEER<TAB>SCENARIO<TAB>CELL.

#include <windows.h>

#include "harness_common.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace comparison {

inline std::wstring wide(const std::string& text) {
  if (text.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
  if (n > 0) ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n);
  return out;
}

inline std::string narrow(const std::wstring& text) {
  if (text.empty()) return {};
  const int n =
      ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  if (n > 0)
    ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), n, nullptr, nullptr);
  return out;
}

[[noreturn]] inline void fail(const std::string& what) {
  throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

/// The name of the pipe `h` is an end of (the same at both ends), or "".
inline std::string pipe_name(HANDLE h) {
  alignas(8) unsigned char buffer[4096];
  if (!::GetFileInformationByHandleEx(h, FileNameInfo, buffer, sizeof buffer)) return "";
  const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer);
  return narrow(std::wstring(info->FileName, info->FileNameLength / sizeof(wchar_t)));
}

/// One handle of the probe's report.
struct held {
  std::string value, kind, name;
};

/// The probe's report: its standard handles' values and the file handles it holds.
struct listing {
  std::set<std::string> std_values;
  std::vector<held> handles;
  /// The handles besides its standard ones, of a kind that can cross (files and pipes).
  std::vector<held> extra() const {
    std::vector<held> v;
    for (const auto& h : handles) {
      if (!std_values.count(h.value) && (h.kind == "file" || h.kind == "pipe")) v.push_back(h);
    }
    return v;
  }
};

inline listing parse_listing(const std::string& report) {
  listing l;
  std::istringstream in(report);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == "std") {
      l.std_values.insert(second);
      while (words >> second) l.std_values.insert(second);
      continue;
    }
    std::string name;
    std::getline(words >> std::ws, name);
    if (!first.empty()) l.handles.push_back({first, second, name});
  }
  return l;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(std::filesystem::path(wide(path)));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// One argument as the Microsoft C runtime splits a command line (the harness's own quoting,
/// for the rogues: it shares no code with the peers it measures).
inline std::wstring quote(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\"") == std::wstring::npos) return arg;
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

/// An inheritable handle to a new file at `path`: what code that hands a file to its child the
/// classic way holds.
inline HANDLE open_inheritable(const std::string& path) {
  SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
  HANDLE h = ::CreateFileW(wide(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) fail("CreateFileW " + path);
  return h;
}

/// Reads `h` to its end.
inline std::string drain(HANDLE h) {
  std::string text;
  char buffer[4096];
  DWORD n = 0;
  while (::ReadFile(h, buffer, sizeof buffer, &n, nullptr) && n > 0) text.append(buffer, n);
  return text;
}

struct peer {
  std::string name;
  /// Starts PROGRAM ARGS with stdout captured the peer's way and, when `listed` is not null,
  /// that handle passed to the child; returns the child's stdout.
  std::function<std::string(const std::string& program, const std::vector<std::string>& args, HANDLE listed)> capture;
  /// Empty, or why the peer has no way to pass a listed handle (capture then ignores it).
  std::string no_listing;
  /// Starts PROGRAM ARGS with stdin, stdout and stderr pipes the peer makes, waits for it, and
  /// returns the pipes' names (pipe_name of the parent's ends).
  std::function<std::vector<std::string>(const std::string& program, const std::vector<std::string>& args)> piped;
  /// Starts the bare program NAME ARGS and waits; "" when it started, else the error.
  std::function<std::string(const std::string& name, const std::vector<std::string>& args)> bare;
  /// Empty, or what the peer's documented way to start a program by name could not do.
  std::string bare_note;
};

/// Threads that start "inherit everything" probes while the peer spawns: each holds an
/// inheritable canary of its own open during each spawn, and each of its children writes its
/// handles to a file. Under Wine every process creation goes through the one wineserver, which
/// has crashed under rogues spawning flat out (docs/windows.md): each rogue pauses 3 ms between
/// spawns, as the side-by-side example's do, and tries a spawn that fails with
/// ERROR_INTERNAL_ERROR (Wine, under load) again.
class rogues {
 public:
  explicit rogues(const setup& s) {
    threads_.start([this, &s](int t, int k) {
      HANDLE leaky = open_inheritable(s.dir + "\\cmp-rogue-canary-" + std::to_string(t));
      const std::string report = s.dir + "\\rogue-" + std::to_string(t) + "-" + std::to_string(k) + ".txt";
      std::wstring line = quote(wide(s.probe)) + L" fds " + quote(wide(report));
      STARTUPINFOW si{};
      si.cb = sizeof si;
      PROCESS_INFORMATION pi{};
      BOOL ok = FALSE;
      for (int attempt = 0; attempt < 5 && !ok; ++attempt) {
        ok = ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi);
        if (!ok && ::GetLastError() != ERROR_INTERNAL_ERROR) break;
        if (!ok) ::Sleep(50);
      }
      if (ok) {
        ::WaitForSingleObject(pi.hProcess, INFINITE);
        ::CloseHandle(pi.hThread);
        ::CloseHandle(pi.hProcess);
        threads_.report(report);
      }
      ::CloseHandle(leaky);
      ::Sleep(3);
    });
  }
  /// Stops the threads; the reports of every rogue child.
  std::vector<std::string> stop() { return threads_.stop(); }

 private:
  spawner_threads threads_;
};

// --- the scenarios --------------------------------------------------------------------------

/// A child receives only its stdio and its listed handle while rogue threads spawn.
inline std::string only_listed(const peer& p, const setup& s) {
  const std::string listed_path = s.dir + "\\cmp-listed-canary";
  // Not inheritable: a peer whose API needs it inheritable (a handle list does) makes it so.
  HANDLE listed = ::CreateFileW(wide(listed_path).c_str(), GENERIC_READ | GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
  if (listed == INVALID_HANDLE_VALUE) fail("CreateFileW " + listed_path);
  int extra = 0, listed_arrived = 0, rogue_canaries = 0, pipes = 0, driver_stdio = 0;
  std::set<std::string> others;
  // An inherited handle keeps its value: one that is the driver's own standard handle's came from
  // the driver (its stdio, inheritable as Wine starts it, has no name to show).
  std::set<std::string> own_std;
  for (DWORD id : {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE}) {
    char value[32];
    std::snprintf(value, sizeof value, "0x%llx",
                  static_cast<unsigned long long>(reinterpret_cast<ULONG_PTR>(::GetStdHandle(id))));
    own_std.insert(value);
  }
  std::vector<std::string> reports;
  {
    rogues r(s);
    for (int i = 0; i < spawns_per_scenario; ++i) {
      const auto l = parse_listing(p.capture(s.probe, {"fds"}, p.no_listing.empty() ? listed : nullptr));
      bool got_extra = false;
      for (const auto& h : l.extra()) {
        if (h.kind == "file" && h.name.find("cmp-listed-canary") != std::string::npos) {
          ++listed_arrived;
        } else {
          got_extra = true;
          if (h.name.find("cmp-rogue-canary-") != std::string::npos)
            ++rogue_canaries;
          else if (own_std.count(h.value))
            ++driver_stdio;
          else if (h.kind == "pipe")
            ++pipes;
          else
            others.insert(h.name);
        }
      }
      extra += got_extra;
    }
    reports = r.stop();
  }
  ::CloseHandle(listed);
  int listed_to_rogues = 0;
  for (const auto& report : reports)
    listed_to_rogues += read_file(report).find("cmp-listed-canary") != std::string::npos;
  std::string cell = std::to_string(extra) + " of " + std::to_string(spawns_per_scenario) +
                     " children got a handle besides stdio and the listed one";
  if (extra) {
    cell += " (" + std::to_string(rogue_canaries) + " rogue canaries";
    if (driver_stdio) cell += ", " + std::to_string(driver_stdio) + " of the driver's own std handles";
    if (pipes) cell += ", " + std::to_string(pipes) + " pipes not their own";
    for (const auto& o : others) cell += ", " + o;
    cell += ")";
  }
  if (!p.no_listing.empty())
    cell += "; no listed handle (" + p.no_listing + ")";
  else if (listed_arrived != spawns_per_scenario)
    cell += "; the listed one arrived in " + std::to_string(listed_arrived);
  if (p.no_listing.empty())
    cell += "; the listed one reached " + std::to_string(listed_to_rogues) + " of " + std::to_string(reports.size()) +
            " rogue children";
  return cell;
}

/// Handles that other code made inheritable do not reach the child.
inline std::string leaked(const peer& p, const setup& s) {
  std::vector<HANDLE> canaries;
  for (int i = 0; i < 3; ++i) canaries.push_back(open_inheritable(s.dir + "\\cmp-leaked-canary-" + std::to_string(i)));
  std::string report;
  const std::string error = guarded([&] {
    report = p.capture(s.probe, {"fds"}, nullptr);
    return std::string();
  });
  for (HANDLE h : canaries) ::CloseHandle(h);
  if (!error.empty()) return error;
  int crossed = 0;
  for (int i = 0; i < 3; ++i) {
    for (const auto& h : parse_listing(report).extra()) {
      if (h.name.find("cmp-leaked-canary-" + std::to_string(i)) != std::string::npos) {
        ++crossed;
        break;
      }
    }
  }
  return std::to_string(crossed) + " of 3 leaked canaries crossed";
}

/// The child's stdio pipes do not reach a child that another thread starts meanwhile.
inline std::string stdio_to_foreign(const peer& p, const setup& s) {
  const auto [pipes, all, foreign] = piped_beside_rogues<rogues>(p, s, read_file);
  int reached = 0, unnamed = 0;
  for (const auto& names : pipes) {
    bool hit = false;
    for (const auto& name : names) {
      if (name.empty()) {
        ++unnamed;
        continue;
      }
      hit = hit || all.find(" pipe " + name + "\n") != std::string::npos ||
            all.find(" pipe " + name + "\r\n") != std::string::npos;
    }
    reached += hit;
  }
  std::string cell = "stdio of " + std::to_string(reached) + " of " + std::to_string(spawns_per_scenario) +
                     " children reached a foreign child (" + std::to_string(foreign) + " foreign children)";
  if (unnamed) cell += "; " + std::to_string(unnamed) + " pipe ends had no name to look for";
  return cell;
}

/// A bare program name is not taken from the current directory.
inline std::string bare_name(const peer& p, const setup& s) {
  const std::string cwd = s.dir + "\\cwd";
  ::CreateDirectoryW(wide(cwd).c_str(), nullptr);
  if (!::CopyFileW(wide(s.probe).c_str(), wide(cwd + "\\compare-evil.exe").c_str(), FALSE)) fail("CopyFileW");
  wchar_t old_cwd[MAX_PATH];
  ::GetCurrentDirectoryW(MAX_PATH, old_cwd);
  wchar_t old_path[32768];
  const DWORD had_path = ::GetEnvironmentVariableW(L"PATH", old_path, 32768);
  // PATH names only the system's directories: compare-evil.exe is in none of them.
  auto attempt = [&](const std::string& name, const std::string& marker) {
    ::DeleteFileW(wide(marker).c_str());
    ::SetEnvironmentVariableW(L"PATH", L"C:\\windows\\system32;C:\\windows");
    if (!::SetCurrentDirectoryW(wide(cwd).c_str())) fail("SetCurrentDirectoryW");
    const std::string error = guarded([&] { return p.bare(name, {"mark", marker}); });
    ::SetCurrentDirectoryW(old_cwd);
    ::SetEnvironmentVariableW(L"PATH", had_path ? old_path : nullptr);
    if (::GetFileAttributesW(wide(marker).c_str()) != INVALID_FILE_ATTRIBUTES)
      return std::string("ran .\\compare-evil.exe");
    return "not run (" + (error.empty() ? std::string("started something else") : error) + ")";
  };
  // Both spellings: CreateProcessW appends .exe only when it searches, not to lpApplicationName.
  std::string cell = "`compare-evil`: " + attempt("compare-evil", s.dir + "\\marker-bare") +
                     "; `compare-evil.exe`: " + attempt("compare-evil.exe", s.dir + "\\marker-bare-exe");
  if (!p.bare_note.empty()) cell += "; " + p.bare_note;
  return cell;
}

/// Arguments to a batch file cannot make cmd.exe run a command (BatBadBut, CVE-2024-24576).
/// The script itself prints one line and never looks at its arguments, so any "INJECTED" in
/// the child's output was run by cmd.exe from its command line.
inline std::string batch_injection(const peer& p, const setup& s) {
  const std::string script = s.dir + "\\cmp-script.bat";
  {
    std::ofstream f(std::filesystem::path(wide(script)), std::ios::binary);
    f << "@echo off\r\necho the script ran\r\n";
  }
  // A variable that cmd.exe expands inside quotes as well, to a quote that ends the argument.
  ::SetEnvironmentVariableW(L"CMPINJ", L"\"&echo INJECTED-BY-VARIABLE&\"");
  auto attempt = [&](const std::string& arg) {
    std::string out;
    const std::string error = guarded([&] {
      out = p.capture(script, {arg}, nullptr);
      return std::string();
    });
    if (!error.empty()) return "refused (" + error + ")";
    if (out.find("INJECTED") != std::string::npos) {
      const bool by_variable = out.find("INJECTED-BY-VARIABLE") != std::string::npos;
      return std::string(by_variable ? "ran echo INJECTED-BY-VARIABLE" : "ran echo INJECTED");
    }
    if (out.find("the script ran") != std::string::npos) return std::string("the script ran, nothing injected");
    std::string shown = out.substr(0, 80);
    for (char& c : shown) {
      if (c == '\r' || c == '\n' || c == '\t' || c == '|') c = ' ';
    }
    return "the script did not run (output: \"" + shown + "\")";
  };
  const std::string quote_case = attempt("\"&echo INJECTED");
  const std::string variable_case = attempt("%CMPINJ%");
  ::SetEnvironmentVariableW(L"CMPINJ", nullptr);
  return "`\"&echo INJECTED`: " + quote_case +
         "; `%CMPINJ%` (holding `\"&echo INJECTED-BY-VARIABLE&\"`): " + variable_case;
}

/// Runs the scenario named `only` (or all, when empty).
inline void run_all(const peer& p, const setup& s, const std::string& only = "") {
  run_scenarios<peer>(p, s, only,
                      {{"only-listed", only_listed},
                       {"leaked", leaked},
                       {"stdio-to-foreign", stdio_to_foreign},
                       {"bare-name", bare_name},
                       {"batch-injection", batch_injection}});
}

/// The scratch directory for one peer: DIR\NAME, created.
inline setup make_setup(const std::string& probe, const std::string& base, const std::string& name) {
  const std::string dir = scratch_dir(base, '\\', name);
  ::CreateDirectoryW(wide(base).c_str(), nullptr);
  if (!::CreateDirectoryW(wide(dir).c_str(), nullptr) && ::GetLastError() != ERROR_ALREADY_EXISTS)
    fail("CreateDirectoryW " + dir);
  return {probe, dir};
}

}  // namespace comparison
