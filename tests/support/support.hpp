// SPDX-License-Identifier: BSL-1.0
#pragma once

// What the conformance tests need from the OS, behind one interface: support_posix.cpp and
// support_win32.cpp implement it, so the test bodies stay free of #ifdef.

#include <bequest/bequest.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace support {

/// The probe child, next to the test executable.
std::string probe_path();
/// A second child, beside the probe, whose `main` gets argv from the ANSI command line.
std::string ansi_probe_path();

/// How many handles / fds this process has open now.
std::size_t open_handle_count();
/// This process's open fds / handles, one line each: the value and what it is (the fd's
/// /proc link; the handle's object type). For telling what a leak was.
std::vector<std::string> open_handles();

/// What this process was given by whoever started it, beyond stdio, that its own children
/// could inherit in turn, by value: what each one is (as the probe's `fds` mode describes it).
/// POSIX: the fds above 2 that were open without FD_CLOEXEC when the process started — an
/// interactive shell or a CI runner may leave some — recorded before main. Windows: empty; a
/// process cannot tell which of its handles came from its parent (and the test that asks is
/// POSIX-only).
std::map<bequest::native_handle, std::string> inherited_from_caller();

/// A uniquely named temporary file held open. The name (`tag`) appears in the handle list a
/// probe prints (`fds` mode) when the probe holds it, so tests can see which canaries crossed.
/// Destroying it closes the handle and removes the file (a soak makes tens of thousands).
struct canary {
  std::string tag;
  std::string path;
  bequest::unique_handle handle;

  canary() = default;
  canary(canary&& other) noexcept
      : tag(std::move(other.tag)), path(std::exchange(other.path, {})), handle(std::move(other.handle)) {}
  canary& operator=(canary&&) = delete;
  ~canary();
};
/// Opened by bequest: non-inheritable.
canary make_canary(std::string_view prefix);
/// Opened the way careless foreign code does: inheritable (no O_CLOEXEC / bInheritHandle=TRUE).
canary make_leaky_canary(std::string_view prefix);
/// Makes an existing handle inheritable, as foreign code might.
void make_inheritable(bequest::native_handle h);

/// Starts the probe with `args` the careless way — POSIX: fork+exec that closes nothing;
/// Windows: CreateProcessW(bInheritHandles=TRUE) — and returns what it printed on stdout.
std::string rogue_spawn(const std::vector<std::string>& args);
/// The same through a real foreign library that knows nothing of bequest — POSIX:
/// Boost.Process v1; Windows: the C runtime's _wspawnv, which inherits everything.
std::string foreign_library_spawn(const std::vector<std::string>& args);

/// True while a process with this id exists (and is not a zombie).
bool process_alive(bequest::pid_type pid);
/// Ends a process at once (SIGKILL / TerminateProcess), by id; for a process that is not our
/// child (a helper, a test's leftover grandchild). False when that was refused.
bool kill_process(bequest::pid_type pid);
/// Ends the process with this id (as kill_process does) only if it runs this very program —
/// what bequest's helper is on Windows — checking and ending it through one handle, so that an
/// id the system has given to another process meanwhile is left alone. False otherwise.
bool kill_copy_of_self(bequest::pid_type pid);
/// The id of this process.
bequest::pid_type current_pid();
/// The error a handle-making call reports when the process is out of handles: EMFILE (POSIX),
/// ERROR_NO_SYSTEM_RESOURCES (Windows).
std::error_code out_of_handles_error();
/// The handles held by the Windows helper process bequest's next spawn would use, as
/// open_handles() describes ours; empty when there is no helper (and always on POSIX).
std::vector<std::string> helper_handles();
/// True when the suite runs under Wine rather than on the system it was built for.
bool running_under_wine();
/// The major version of the Wine that runs the suite (8 for Wine 8.0), 0 when none does. Wine
/// versions differ in what of Windows they show (docs/windows.md, the Wine table).
int wine_major_version();

/// The system's own splitter of Windows command lines (CommandLineToArgvW) applied to the
/// UTF-8 `line`; nullopt on systems that have none (POSIX).
std::optional<std::vector<std::string>> system_split_command_line(const std::string& line);
/// Writes a script in `dir` that runs the probe's `argv` command with the script's own
/// arguments forwarded — Windows: NAME.bat holding `@"PROBE" argv %*`; POSIX: an executable
/// /bin/sh script NAME that runs `exec PROBE argv "$@"` — and returns its path.
std::string make_forwarding_script(const std::string& dir, const std::string& name);

/// Holds this process at its handle limit while alive: `spare` more handles can be made, and
/// every one after them fails, until the object goes and resources return.
/// POSIX: RLIMIT_NOFILE lowered and all but `spare` of the remaining fds used up, so every
/// descriptor-making call fails with EMFILE. Windows allows some 16 million handles per
/// process and has no limit to lower (filling the table takes ~80 s per million under Wine),
/// so there the library's test hook (src/testing_hooks.hpp) fails every handle-making call
/// of its backend after `spare` of them, with ERROR_NO_SYSTEM_RESOURCES, as a full table
/// would.
class handle_exhaustion {
 public:
  explicit handle_exhaustion(int spare = 0);
  ~handle_exhaustion();
  handle_exhaustion(const handle_exhaustion&) = delete;
  handle_exhaustion& operator=(const handle_exhaustion&) = delete;

 private:
  std::vector<bequest::native_handle> held_;
  unsigned long long saved_limit_ = 0;
};

/// While alive, this process handles signals the way careless code leaves them — POSIX:
/// SIGTERM ignored, and blocked in the calling thread — so tests can check that children do
/// not inherit that. Windows has no such state: nothing happens there.
class hostile_signal_state {
 public:
  hostile_signal_state();
  ~hostile_signal_state();
  hostile_signal_state(const hostile_signal_state&) = delete;
  hostile_signal_state& operator=(const hostile_signal_state&) = delete;

 private:
  alignas(16) unsigned char saved_[512];  // the previous action and mask, in the OS's own layout
};

/// While alive, this process has a handler of its own for a signal that nothing else uses
/// (POSIX: SIGUSR2), as a program that embeds bequest may. Windows has no signals: nothing
/// happens there, and handler_runs() is true.
class own_signal_handler {
 public:
  own_signal_handler();
  ~own_signal_handler();
  own_signal_handler(const own_signal_handler&) = delete;
  own_signal_handler& operator=(const own_signal_handler&) = delete;
  /// Raises the signal in this thread; true when the handler ran for it.
  bool handler_runs();

 private:
  alignas(16) unsigned char saved_[512];  // the previous action, in the OS's own layout
};

/// POSIX, while alive: this process's stdin (fd 0) is closed, and every spawn, after it has
/// been lowered and right before the child starts, opens an inheritable canary file, which
/// lands at the lowest free number, 0 (the library's before_launch test hook): another thread
/// filling the hole at the worst moment. Restores stdin when destroyed. Throws on Windows.
class stdin_closed_then_filled {
 public:
  stdin_closed_then_filled();
  ~stdin_closed_then_filled();
  stdin_closed_then_filled(const stdin_closed_then_filled&) = delete;
  stdin_closed_then_filled& operator=(const stdin_closed_then_filled&) = delete;
  /// The tag of the canary opened by the last spawn (empty before one).
  std::string tag() const;
  /// The descriptor it got (-1 before a spawn).
  long long fd() const;

 private:
  long long saved_ = -1;
};

/// The signal own_signal_handler handles (POSIX: SIGUSR2; Windows: 0).
int own_signal_number();

/// This process's resident memory, in bytes: now, and the most it has been (Linux:
/// /proc/self/status VmRSS and VmHWM; Windows: GetProcessMemoryInfo's WorkingSetSize and
/// PeakWorkingSetSize).
std::size_t resident_memory();
std::size_t peak_resident_memory();
/// Starts the peak afresh from the current size where the system allows it (Linux: "5" into
/// /proc/self/clear_refs) and returns true; false where it cannot be reset (Windows), and
/// then the peak is that of the whole process so far.
bool reset_peak_resident_memory();

/// Windows: the access control entries of the object behind `h`, read with GetSecurityInfo
/// (`h` needs READ_CONTROL): one "allow<TAB>SID<TAB>MASK" or "deny<TAB>SID<TAB>MASK" per entry
/// of its DACL ("no dacl" when it has none, which admits everyone), then
/// "label<TAB>SID<TAB>POLICY" for its mandatory label, if any; MASK and POLICY in hex
/// ("0x12019f"). Empty on POSIX, whose pipes have no access list.
std::vector<std::string> security_entries(bequest::native_handle h);
/// Windows: the SID of this process's logon session (the token group marked
/// SE_GROUP_LOGON_ID), or its user's when there is none; and the SID of its integrity level.
/// Empty on POSIX.
std::string own_logon_sid();
std::string own_integrity_sid();

/// While alive, every `every`-th asynchronous pipe that bequest makes in this process (with
/// the default 2: the 1st, 3rd, 5th, ... since it was made; with 1: all) is connected to
/// first by another local process — the
/// probe in its `squat` mode, started with CreateProcessW from the library's test hook
/// (src/testing_hooks.hpp) between the pipe's creation and bequest's own connection — as a
/// squatter racing bequest would. Windows only: POSIX has no such pipes, and there the
/// constructor throws.
class pipe_squatting {
 public:
  explicit pipe_squatting(unsigned every = 2);
  ~pipe_squatting();
  pipe_squatting(const pipe_squatting&) = delete;
  pipe_squatting& operator=(const pipe_squatting&) = delete;
  /// Waits for every squatter to end; what each reported, one string each: its attempt
  /// ("connected read", "connected write" or "refused ERROR"), then " / " and what it got
  /// ("read N bytes", "wrote N bytes", "write refused ERROR"), in the order they came.
  std::vector<std::string> reports();
};

/// Runs `scenario` where process ids can be handed out again on demand, and returns what it
/// returned: a description of every expectation that failed, empty when all held. POSIX
/// (Linux): as process 1 of a new pid namespace in a new user namespace
/// (`unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS)` in a child of this process, the
/// scenario in that child's child, with a /proc of its own), so every process it makes dies
/// with it. The scenario must not use Catch2. Windows: here, in this process, where ids
/// cannot be chosen.
std::string in_pid_namespace(const std::function<std::string()>& scenario);
/// In in_pid_namespace: makes the next process created get id `pid`, if it is free then
/// (Linux: `ns_last_pid`). False where ids cannot be chosen (Windows).
bool give_next_process_id(bequest::pid_type pid);

/// POSIX: a child of this process that bequest knows nothing of (fork), which runs until
/// killed, or with `exit_code` >= 0 exits at once with it and stays unreaped. Windows: throws.
bequest::pid_type start_stranger(int exit_code = -1);
/// POSIX: how this process's child `pid` stands, without reaping it: "running", "exited N",
/// "signal N", or "not our child" (ECHILD). Windows: throws.
std::string peek_child(bequest::pid_type pid);
/// POSIX: reaps this process's child `pid` as foreign code does (waitpid; blocks while it runs);
/// what it got, in peek_child's words. Windows: throws.
std::string reap_child(bequest::pid_type pid);
/// POSIX: ends and reaps a stranger from start_stranger with a signal bequest never sends
/// (SIGVTALRM, numbered above SIGKILL and SIGTERM, so either of those already pending wins):
/// "untouched" when it ended by that signal, else what peek_child would say ("signal 9",
/// "exited N", "not our child"). Windows: throws.
std::string end_stranger(bequest::pid_type pid);
/// POSIX: true when this process has no child at all, running or unreaped. Windows: throws.
bool no_children();

/// While alive, this process ignores SIGCHLD (SIG_IGN), so that the system reaps every child
/// the moment it exits, as some programs arrange. Windows: nothing happens.
class sigchld_ignored {
 public:
  sigchld_ignored();
  ~sigchld_ignored();
  sigchld_ignored(const sigchld_ignored&) = delete;
  sigchld_ignored& operator=(const sigchld_ignored&) = delete;

 private:
  alignas(16) unsigned char saved_[512];  // the previous action, in the OS's own layout
};

/// While alive, a thread that reaps every child of this process the moment it can, as a
/// careless library's `waitpid(-1)` loop does. With `spawns` (only in in_pid_namespace) it also
/// hands reaped ids out again (give_next_process_id), one at a time and only while it holds
/// `spawns` exclusively: hold it shared around each spawn(). Handing an id out moves the
/// namespace's allocator back, and the allocator then walks up through every free id after it;
/// so only while no spawn is running can neither the id handed out nor one the walk reaches
/// belong to a child reaped inside its own spawn() (the window glibc before 2.39 leaves open,
/// docs/posix.md). That holds as long as the ids do not wrap around at pid_max and every call
/// in the namespace that makes a process holds `spawns` shared. A null `spawns` hands out
/// nothing. POSIX only; Windows: throws.
class foreign_reaper {
 public:
  explicit foreign_reaper(std::shared_mutex* spawns);
  ~foreign_reaper();
  foreign_reaper(const foreign_reaper&) = delete;
  foreign_reaper& operator=(const foreign_reaper&) = delete;
  /// How many children it has reaped so far.
  int reaped() const;
  /// How many times it has handed a reaped id out again so far (the next process made gets
  /// it; an offer that no process took before the next one is lost, harmlessly).
  int handed_out() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// --- environ_posix.cpp / environ_win32.cpp ---

/// While alive, this process has the environment variable `name` set to `value` (both UTF-8),
/// set the way any code of the process would (POSIX: setenv; Windows:
/// SetEnvironmentVariableW); what was there before comes back when it is destroyed.
class scoped_variable {
 public:
  scoped_variable(std::string name, const std::string& value);
  ~scoped_variable();
  scoped_variable(const scoped_variable&) = delete;
  scoped_variable& operator=(const scoped_variable&) = delete;

 private:
  std::string name_;
  std::optional<std::string> saved_;
};

/// While alive, this process has one environment variable whose name begins with the ASCII
/// `prefix` and whose name and value are not valid text on this system, set the way foreign
/// code may set one: POSIX (setenv): name PREFIX "\xFE", value "a\xFF" "b", bytes that are no
/// UTF-8; Windows (SetEnvironmentVariableW): name PREFIX U+DC00 and value a U+D800 b, UTF-16
/// units that are unpaired surrogates, so no UTF-16. Removed when destroyed.
class variable_not_text {
 public:
  explicit variable_not_text(const std::string& prefix);
  ~variable_not_text();
  variable_not_text(const variable_not_text&) = delete;
  variable_not_text& operator=(const variable_not_text&) = delete;
  /// The variable as the probe's `env-hex` mode prints it: "NAME=VALUE" in its raw units, in
  /// hexadecimal (POSIX: two digits a byte; Windows: four a UTF-16 unit).
  [[nodiscard]] std::string hex() const { return hex_; }

 private:
  std::vector<unsigned> name_;  // the name's raw units (bytes / UTF-16 units)
  std::string hex_;
};

/// A path guaranteed not to exist.
std::string missing_path();
/// A directory for the test's files.
std::string temp_dir();
/// The platform's executable suffix ("" or ".exe").
std::string exe_suffix();
/// Copies the probe to `dir` under `name` (plus the executable suffix); returns the path.
std::string copy_probe(const std::string& dir, const std::string& name);
/// Writes a file that exists but cannot be executed; returns its path.
std::string make_non_executable(const std::string& dir, const std::string& name);
/// Writes a file that passes every check before a spawn (POSIX: executable permission;
/// Windows: an .exe) but that the system refuses to run; returns its path.
std::string make_invalid_program(const std::string& dir, const std::string& name);

/// A shared-memory object holding exactly `bytes`, made the way spawn makes start-up data
/// objects (POSIX: a memfd sealed against writing and resizing; Windows: a pagefile-backed
/// section) but with whatever contents the test wants, to forge start-up data.
bequest::unique_handle make_shared_memory(const std::string& bytes);
/// True when this process can open files whatever their permission bits say (POSIX: root).
bool bypasses_file_permissions();

}  // namespace support
