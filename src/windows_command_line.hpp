// SPDX-License-Identifier: BSL-1.0
#pragma once

// Windows command lines, as pure text functions with no OS calls, so that the same property
// tests run on every platform. All strings are UTF-8; the Win32 backend converts the result.
//
// A Windows process receives one string, not an argument vector: each program splits it
// itself. Nearly every program does so with the Microsoft C runtime's rules ("Parsing C++
// command-line arguments"), which `quote_argument` targets and `split_command_line`
// implements independently. Batch files are the exception: cmd.exe reads their command
// line, with rules of its own (see make_batch_command_line).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bequest::detail::wincmd {

/// The most UTF-16 units CreateProcessW accepts in a command line, without the final NUL.
inline constexpr std::size_t max_command_line = 32766;
/// The most characters cmd.exe accepts in the command it is given.
inline constexpr std::size_t max_batch_command_line = 8191;

/// Why an argument vector cannot be turned into a command line.
struct problem {
  /// Index into the argument vector: 0 is argv[0] (or the script), i is argv[i].
  std::size_t index = 0;
  std::string why;
};

/// `arg` as one argument (argv[1] or later) for the C runtime's parser: unchanged when it
/// needs nothing, otherwise in quotes, with backslashes doubled where they precede a quote.
std::string quote_argument(std::string_view arg);

/// The command line for a program that splits it with the C runtime's rules. argv[0] follows
/// the runtime's own rule for the program name (quotes delimit, nothing escapes), so it may
/// not contain a double quote. False, with `bad` filled, when that is the case.
bool make_command_line(const std::vector<std::string>& argv, std::string& out, problem& bad);

/// The command line that runs the batch file `script` through cmd.exe (`comspec`, the
/// interpreter's path) with `args` as %1, %2, ...:
///
///     "COMSPEC" /d /e:ON /v:OFF /c ""SCRIPT" ARG1 ARG2"
///
/// cmd.exe expands %NAME% anywhere in the line and treats & | < > ( ) ^ as operators outside
/// quotes; a batch file cannot undo either. So every argument that holds anything but a
/// small set of plain characters is quoted, a double quote inside is doubled (which keeps
/// cmd.exe's quote state in step), and each % is followed by an empty substring expansion of
/// the always-defined variable CD (`%%cd:~,%`) so the text after it can never form a
/// variable name (this needs command extensions, hence /e:ON; /v:OFF keeps `!` literal; /d
/// skips AutoRun commands). `cd_is_overridden` says the child's environment defines CD
/// itself, when that trick is not reliable and % is refused instead. CR and LF end a cmd.exe
/// command, and other control characters are refused as well: such an argument cannot be
/// passed safely, so the call fails (index i for args[i-1]: `bad.index` counts the script as 0).
bool make_batch_command_line(std::string_view comspec, std::string_view script, const std::vector<std::string>& args,
                             bool cd_is_overridden, std::string& out, problem& bad);

/// Splits a command line with the C runtime's documented rules: argv[0] up to the first
/// space or tab outside quotes, quotes removed; then arguments separated by spaces and tabs;
/// 2n backslashes before a quote give n backslashes and the quote opens or closes a quoted
/// part; 2n+1 give n backslashes and a literal quote; inside a quoted part a doubled quote is
/// a literal quote and the part continues; other backslashes are literal.
std::vector<std::string> split_command_line(std::string_view line);

/// The single byte a best-fit conversion of `code_point` (never ASCII) into the child's ANSI
/// code page yields, or 0 when it yields no ASCII byte (the character exists in the code
/// page, needs several bytes, or becomes the default character). The Win32 backend asks
/// WideCharToMultiByte with and without WC_NO_BEST_FIT_CHARS; the fuzzer uses a model.
using best_fit_lookup = char (*)(char32_t code_point, void* context);

/// A character whose best-fit image changes how a command line is split.
struct best_fit_hazard {
  std::size_t offset = 0;   ///< of its first byte in the UTF-8 text
  char32_t code_point = 0;  ///< what the caller wrote (U+FF02)
  char becomes = 0;         ///< what a C runtime that reads the ANSI command line sees ('"')
};

/// True for the ASCII characters that change how a command line is split when they appear
/// where the caller meant an ordinary character: '"', '\', space and tab for the C runtime;
/// for a batch file also cmd.exe's operators, quote and expansion characters
/// (& | < > ^ ( ) % ! , ; =).
bool splits_command_line(char c, bool batch) noexcept;

/// The first character of the UTF-8 `text` that `lookup` maps onto a character
/// splits_command_line names: the "WorstFit" argument injection, where a child whose C runtime
/// builds argv from the ANSI command line (`main`, GetCommandLineA) reads U+FF02 as '"'.
std::optional<best_fit_hazard> find_best_fit_hazard(std::string_view text, bool batch, best_fit_lookup lookup,
                                                    void* context);

/// The number of UTF-16 units the UTF-8 text `s` becomes.
std::size_t utf16_length(std::string_view s) noexcept;

}  // namespace bequest::detail::wincmd
