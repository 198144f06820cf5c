// SPDX-License-Identifier: BSL-1.0
#pragma once

// The launch plan: everything one spawn needs, checked once and in the form the OS wants,
// built by lower_options() (src/lower.cpp) from the caller's spawn_options and carried out by
// a backend's os::spawn_process() in one call. The backend never calls back into shared
// spawn logic: the one step that needs values only the backend learns (the child-side value
// of each inherited handle, known on Windows only after duplication into the helper) is a
// pure method of the plan, render_arguments() / render_environment().

#include "child_impl.hpp"
#include "platform.hpp"
#include "startup_internal.hpp"

#include <bequest/handle.hpp>
#include <bequest/options.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bequest::detail {

/// "stdin", "stdout" or "stderr" for stream 0, 1 or 2: the one table of stream names.
const char* stdio_name(int index) noexcept;

/// The child-side value of each entry of `inherit`, in order.
using child_values = std::vector<std::uint64_t>;
/// The child-side value of the start-up data's handle, when there is start-up data.
using startup_value = std::optional<std::uint64_t>;

/// Text in which `{handle:NAME}` placeholders have been found once and tied to the index of
/// the inherit entry they name, so that rendering it cannot fail.
class handle_template {
 public:
  handle_template() = default;
  /// Text without placeholders (substitute_handles off): rendered as it is.
  explicit handle_template(std::string text) : text_(std::move(text)) {}
  /// Parses `text` against the names of `inherit`. False, with `problem` saying why, for an
  /// unterminated placeholder or one that names no entry.
  static bool parse(std::string text, const std::vector<inherited>& inherit, handle_template& out,
                    std::string& problem);
  /// The text with every placeholder replaced by its entry's value in decimal.
  [[nodiscard]] std::string render(const child_values& values) const;
  /// The text as the caller wrote it, placeholders included.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  struct placeholder {
    std::size_t begin;  ///< offset of the '{' in text_
    std::size_t end;    ///< offset just past the '}'
    std::size_t entry;  ///< index into inherit
  };
  std::string text_;
  std::vector<placeholder> placeholders_;
};

/// The rule that says whether two environment names are one variable's: the system's,
/// os::env_names_equal, except in unit tests, which give a double to see what shared code
/// does with a rule that is not their own platform's.
using env_name_rule = bool (*)(std::string_view, std::string_view);

/// The child's environment as (name, value) pairs, in the parent's order then the order new
/// names were set, looked up with the platform's own name comparison. Values may hold
/// handle placeholders; lookups see the value as written. Names that the rule calls the
/// same are one variable, which keeps the spelling it had first and takes the last value.
class env_pairs {
 public:
  explicit env_pairs(env_name_rule same_name = os::env_names_equal) : same_name_(same_name) {}
  /// Starts from `initial` (this process's environment), kept as it is, in its order.
  explicit env_pairs(std::vector<std::pair<std::string, std::string>> initial,
                     env_name_rule same_name = os::env_names_equal);
  /// The value of `name`, or nullptr.
  [[nodiscard]] const handle_template* find(std::string_view name) const;
  /// The text of `name`'s value as written, or empty when it is not set.
  [[nodiscard]] std::optional<std::string_view> text_of(std::string_view name) const;
  /// Sets `name`: an existing entry keeps its position and its name's spelling, and takes the
  /// new value.
  void set(std::string name, handle_template value);
  /// Removes every entry named `name`.
  void erase(std::string_view name);
  [[nodiscard]] const std::vector<std::pair<std::string, handle_template>>& entries() const noexcept {
    return entries_;
  }

 private:
  env_name_rule same_name_;
  std::vector<std::pair<std::string, handle_template>> entries_;
};

/// The file a spawn executes, found by the backend's os::resolve_program.
struct resolved_program {
  /// What the OS is asked to execute: absolute, except a POSIX relative path when cwd stays.
  std::filesystem::path path;
  /// Windows: a .bat or .cmd file, which runs through `interpreter` with a cmd.exe command
  /// line (never through CreateProcess's own unescaped batch handling).
  bool batch = false;
  /// Windows, for a batch file: the cmd.exe that runs it.
  std::filesystem::path interpreter;
  /// Windows, for a batch file: the child's environment defines CD itself (see
  /// wincmd::make_batch_command_line).
  bool cd_overridden = false;
};

/// Where one of the child's standard streams comes from.
struct stdio_plan {
  enum class source {
    none,            ///< the child gets no stream here (the parent has none to inherit)
    parent,          ///< `handle` is the parent's own stream
    null_device,     ///< the null device, opened by the backend
    pipe,            ///< a new pipe; the parent keeps the other end
    async_pipe,      ///< a new pipe whose parent end supports asynchronous I/O
    file,            ///< `path`, opened with `mode` (never automatic)
    caller_handle,   ///< `handle`, owned by the caller
    same_as_stdout,  ///< stderr only: whatever stdout is
  };
  source what = source::none;
  native_handle handle = invalid_native_handle;
  std::filesystem::path path;
  file_mode mode = file_mode::read;
};

/// One entry of the inherit set, checked: a valid unique name, an open handle.
struct inherit_slot {
  std::string name;
  native_handle handle = invalid_native_handle;
  std::optional<int> target_fd = std::nullopt;  ///< POSIX: where the caller wants it; checked by the backend
};

/// Everything a backend needs to start one process.
struct launch_plan {
  std::string program;  ///< as the caller gave it, for messages
  resolved_program executable;
  /// argv[0] (argv0, or program) then args.
  std::vector<handle_template> arguments;
  bool argv0_given = false;  ///< arguments[0] is the caller's argv0, not the program
  /// windows.command_line, when given: the whole command line, passed as it is.
  std::optional<handle_template> verbatim_command_line;
  /// True when the child's environment is exactly this process's own, so a backend may pass
  /// its environment through untouched; `environment` is then empty.
  bool parents_environment = false;
  /// Without BEQUEST_INHERIT, which render_environment adds.
  env_pairs environment;
  /// Checked: an existing directory. On Windows always set (the parent's current directory
  /// when the caller gave none) and absolute.
  std::optional<std::filesystem::path> cwd;
  std::array<stdio_plan, 3> stdio;
  std::vector<inherit_slot> inherit;
  bool set_inherit_variable = true;               ///< publish BEQUEST_INHERIT
  const startup_payload* startup_data = nullptr;  ///< the caller's, or nullptr when empty
  bool new_process_group = false;
  bool process_tree = false;
  bool kill_on_parent_exit = false;
  /// Set: the child's three streams are a new terminal of this size (checked: every `stdio`
  /// entry is then source::none, and the backend makes the terminal).
  std::optional<terminal_size> terminal;
  posix_options posix;
  windows_options windows;

  /// The value the child's variable `name` starts with, as written (placeholders are not
  /// replaced): for the variables that decide what runs (PATH, PATHEXT, ComSpec, CD). Read
  /// from this process's environment when the child's is the same.
  [[nodiscard]] std::optional<std::string> child_variable(std::string_view name) const;
  /// argv as the child receives it, placeholders replaced by `values`.
  [[nodiscard]] std::vector<std::string> render_arguments(const child_values& values) const;
  /// The child's environment, placeholders replaced, with BEQUEST_INHERIT naming `values` and
  /// `startup` (or absent when there is neither).
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> render_environment(const child_values& values,
                                                                                    startup_value startup) const;
  /// The text of BEQUEST_INHERIT for these values.
  [[nodiscard]] std::string inherit_variable_text(const child_values& values, startup_value startup) const;
};

/// What a spawn opened for the child before the backend runs (lower.cpp's acquire_resources):
/// the handle each stream gets, and the start-up data object. Closed when the spawn is over.
struct launch_resources {
  /// Our handle that becomes the child's stream i: the parent's or caller's own (not owned),
  /// or a pipe end or file opened for the child (owned by `opened`). Invalid for none and for
  /// the null device, which the backend opens.
  std::array<native_handle, 3> stdio{invalid_native_handle, invalid_native_handle, invalid_native_handle};
  std::array<unique_handle, 3> opened;
  startup_object startup;
};

/// "NAME=VALUE" for each pair, as execve and the Windows block want them.
std::vector<std::string> join_environment(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace bequest::detail
