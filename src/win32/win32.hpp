// SPDX-License-Identifier: BSL-1.0
#pragma once

// Interfaces between the files of the Win32 backend.

#include "../failure.hpp"
#include "../launch_plan.hpp"
#include "../testing_hooks.hpp"

#include <bequest/options.hpp>

#include <windows.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bequest::detail::win32 {

/// True when the test suite's exhaustion hook (testing_hooks.hpp) says the next handle-making
/// call fails; GetLastError() is then ERROR_NO_SYSTEM_RESOURCES, as a full handle table leaves
/// it. Without BEQUEST_TESTING_HOOKS, always false, and the compiler drops the check.
inline bool out_of_handles() noexcept {
  if (!testing::acquisition_fails()) return false;
  ::SetLastError(ERROR_NO_SYSTEM_RESOURCES);
  return true;
}

// --- unicode.cpp ---

/// UTF-8 to UTF-16. False when `text` is not valid UTF-8 (`out` is then unspecified).
bool to_wide(std::string_view text, std::wstring& out);
/// UTF-16 to UTF-8; an unpaired surrogate becomes U+FFFD.
std::string to_utf8(std::wstring_view text);
/// UTF-16 that need not be valid (the system's own strings: environment, paths) to WTF-8
/// (src/wtf8.hpp), which from_wtf8 turns back into the same units.
std::string to_wtf8(std::wstring_view text);
/// WTF-8 (valid UTF-8 included) to UTF-16. False when `text` is not WTF-8.
bool from_wtf8(std::string_view text, std::wstring& out);

// --- handle.cpp ---

/// True for the values that are not real handles in any handle table: NULL, the
/// pseudo-handles of GetCurrentProcess() (which is also INVALID_HANDLE_VALUE),
/// GetCurrentThread() and the token pseudo-handles.
bool is_pseudo_or_null(HANDLE h) noexcept;
/// Opens the null device for reading (stdin) or writing, non-inheritable.
HANDLE open_null_device(bool for_reading) noexcept;
/// True for the errors a read reports when every writer of a pipe is gone (end of file).
bool is_end_of_pipe(DWORD error) noexcept;

// --- jobs.cpp ---

/// A new job for one process tree (spawn_options::process_tree), non-inheritable. Its
/// processes may break away only by asking (CREATE_BREAKAWAY_FROM_JOB). nullptr with
/// GetLastError() set on failure.
HANDLE create_tree_job() noexcept;
/// The job of every child spawned with kill_on_parent_exit: kill-on-close, made once, and
/// its only handle held by this process until it ends, so that the system's closing of that
/// handle when we die, however we die, ends them. nullptr with GetLastError() set on failure.
HANDLE parent_exit_job() noexcept;

// --- attribute_list.cpp ---

/// A PROC_THREAD_ATTRIBUTE_LIST. It stores pointers to the values it is given, so those
/// must outlive every use of the list.
class attribute_list {
 public:
  attribute_list() = default;
  attribute_list(const attribute_list&) = delete;
  attribute_list& operator=(const attribute_list&) = delete;
  ~attribute_list();
  /// Sets the list up for `count` attributes. False with GetLastError() set on failure.
  bool init(DWORD count) noexcept;
  bool add(DWORD_PTR attribute, void* value, std::size_t size) noexcept;
  [[nodiscard]] LPPROC_THREAD_ATTRIBUTE_LIST get() const noexcept { return list_; }

 private:
  std::unique_ptr<void*[]> storage_;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

/// A lock that never holds a kernel object (an SRW lock), for state that lives as long as the
/// process. std::mutex, with mingw-w64's thread library, creates an event the first time two
/// threads contend for it and closes it only when the mutex is destroyed, which such state
/// never is: a handle that appears in the middle of a run, at a moment chosen by chance, would
/// read as a leak to anyone who counts the process's handles.
class process_lifetime_mutex {
 public:
  void lock() noexcept { ::AcquireSRWLockExclusive(&lock_); }
  void unlock() noexcept { ::ReleaseSRWLockExclusive(&lock_); }

 private:
  SRWLOCK lock_ = SRWLOCK_INIT;
};

// --- create_process.cpp ---

/// CreateProcessW with no security attributes, made again (up to three more times, after a
/// short pause) while it fails with ERROR_INTERNAL_ERROR, which Wine reports now and then for
/// a process whose start-up failed before any of its code ran. GetLastError() as the last try left it.
BOOL create_process(const wchar_t* application, wchar_t* command_line, BOOL inherit_handles, DWORD flags,
                    void* environment, const wchar_t* cwd, STARTUPINFOW* startup, PROCESS_INFORMATION* info) noexcept;

// --- helper.cpp ---

/// The helper parent: a suspended, never-resumed copy of this program in a kill-on-close job,
/// from which children inherit their handles (see docs/windows.md).
struct helper {
  HANDLE process = nullptr;
  HANDLE job = nullptr;
  DWORD pid = 0;
  LUID token_modified{};  ///< our token's ModifiedId when the helper was made from it
  helper() = default;
  helper(const helper&) = delete;
  helper& operator=(const helper&) = delete;
  ~helper();
};

/// The current helper, made (or remade, if it has died or our token has changed since) on
/// demand. Safe to call from any thread; the lock is held only while a new helper is made.
std::shared_ptr<const helper> acquire_helper(std::string_view program, failure& f);
/// True when the helper process has ended (someone killed it).
bool helper_is_dead(const helper& h) noexcept;
/// Makes the helper's processor affinity ours again if this process changed its own since,
/// because a child takes its affinity from its parent process, the helper.
void sync_helper_affinity(const helper& h) noexcept;

// --- path_search.cpp ---

/// True when CreateProcessW would hand `path` to cmd.exe itself (a .bat or .cmd file).
bool is_batch_file(std::wstring_view path) noexcept;

// --- command_line.cpp ---

/// The application name and command line for CreateProcessW, rendered with the child-side
/// handle `values`: the program itself with a C-runtime command line (or the caller's
/// verbatim windows.command_line), or cmd.exe with a batch command line for .bat/.cmd files.
/// Fails naming the argument that cannot be passed, or the length.
bool make_process_command_line(const launch_plan& plan, const child_values& values, std::wstring& application,
                               std::wstring& command_line, failure& f);

/// Refuses the spawn when the program path or an argument holds a character that the child's
/// ANSI code page (GetACP) best-fits onto one that changes how the line is split, unless
/// windows.child_reads_wide_command_line says the child never sees the ANSI line.
bool check_best_fit(const launch_plan& plan, const child_values& values, failure& f);

// --- environ.cpp ---

/// The UTF-16 environment block CreateProcessW wants: entries sorted by name without regard
/// to case, each NUL-terminated, one more NUL at the end. `env` is WTF-8: the parent's
/// variables as os::current_environment gave them (so each reaches the child unit for unit,
/// an unpaired surrogate included) and the caller's, which lowering checked to be UTF-8.
bool make_environment_block(const std::vector<std::pair<std::string, std::string>>& env, std::wstring& block,
                            std::string_view program, failure& f);

// --- terminal.cpp ---

/// Makes the pseudoconsole of a child started with spawn_options::terminal: its state goes to
/// `c.terminal`, our ends of its input and output pipes (overlapped) to `c.in` and `c.out`.
/// not_supported where the system has no ConPTY.
bool open_pseudoconsole(terminal_size size, std::string_view program, child_impl& c, failure& f);
/// The HPCON of `c`'s terminal, for PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE.
native_handle pseudoconsole_of(const child_impl& c) noexcept;
/// Adds PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE for `console` to `attributes`.
bool add_pseudoconsole(attribute_list& attributes, native_handle console) noexcept;
/// Once the child runs (`c.process` set): the pseudoconsole is closed when it exits, so that
/// `c.out()` reaches end of file.
void watch_terminal(child_impl& c) noexcept;

}  // namespace bequest::detail::win32
