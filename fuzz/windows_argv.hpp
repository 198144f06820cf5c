// SPDX-License-Identifier: BSL-1.0
#pragma once

// An argv splitter for Windows command lines, written for the fuzzer from Microsoft's
// documentation alone ("Parsing C++ command-line arguments" / "Parsing C command-line
// arguments" for the C runtime, and the CommandLineToArgvW reference), independently of
// src/windows_command_line.cpp, whose output it checks.
//
// The documented rules:
//  - argv[0] is the program name: text up to the first space or tab outside double quotes;
//    quotes group and are dropped; nothing else is special (no escapes).
//  - Later arguments are separated by runs of spaces and tabs outside quotes.
//  - A double-quoted part is one argument (or part of one), whatever it contains; the caret
//    is not special. A line that ends inside quotes ends the last argument.
//  - Backslashes are literal unless they immediately precede a double quote. Then 2n
//    backslashes give n and the quote is a delimiter; 2n+1 give n and a literal quote.
//  - Inside a quoted part, a pair of double quotes gives one literal quote. Here the two
//    parsers differ, and the documentation is unclear: the C runtime (since 2008) stays
//    inside the quoted part after the pair; CommandLineToArgvW leaves it (confirmed by the
//    corrected last row of Microsoft's example table, `a"b"" c d` -> `ab"`, `c`, `d`).
//    A delimiter quote after an even run of backslashes counts as a quote for this rule.

#include <string>
#include <string_view>
#include <vector>

namespace bequest_fuzz {

enum class argv_dialect {
  c_runtime,            ///< the Microsoft C runtime's startup code (main's argv)
  command_line_to_argv  ///< shell32's CommandLineToArgvW
};

std::vector<std::string> split_windows_command_line(std::string_view line, argv_dialect dialect);

}  // namespace bequest_fuzz
