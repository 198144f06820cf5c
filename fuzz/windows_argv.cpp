// SPDX-License-Identifier: BSL-1.0
#include "windows_argv.hpp"

#include <cstddef>
#include <optional>

namespace bequest_fuzz {

std::vector<std::string> split_windows_command_line(std::string_view line, argv_dialect dialect) {
  std::vector<std::string> argv;
  std::size_t at = 0;

  // The program name: quotes toggle grouping, a space or tab outside them ends it.
  {
    std::string program;
    bool grouped = false;
    for (; at < line.size(); ++at) {
      const char c = line[at];
      if (c == '"') {
        grouped = !grouped;
      } else if ((c == ' ' || c == '\t') && !grouped) {
        break;
      } else {
        program.push_back(c);
      }
    }
    argv.push_back(std::move(program));
  }

  // The arguments, one character at a time. `pending` counts backslashes not yet known to be
  // literal; `arg` is empty while between arguments.
  std::optional<std::string> arg;
  std::size_t pending = 0;
  bool in_quotes = false;
  auto flush_literal_backslashes = [&] {
    if (pending) arg->append(pending, '\\');
    pending = 0;
  };
  for (; at < line.size(); ++at) {
    const char c = line[at];
    const bool separator = (c == ' ' || c == '\t') && !in_quotes;
    if (separator) {
      if (arg) {
        flush_literal_backslashes();
        argv.push_back(std::move(*arg));
        arg.reset();
      }
      continue;
    }
    if (!arg) arg.emplace();
    if (c == '\\') {
      ++pending;
      continue;
    }
    if (c != '"') {
      flush_literal_backslashes();
      arg->push_back(c);
      continue;
    }
    // A double quote: the backslashes before it are halved.
    arg->append(pending / 2, '\\');
    const bool escaped = pending % 2 == 1;
    pending = 0;
    if (escaped) {
      arg->push_back('"');
    } else if (in_quotes && at + 1 < line.size() && line[at + 1] == '"') {
      arg->push_back('"');
      ++at;
      if (dialect == argv_dialect::command_line_to_argv) in_quotes = false;
    } else {
      in_quotes = !in_quotes;
    }
  }
  if (arg) {
    flush_literal_backslashes();
    argv.push_back(std::move(*arg));
  }
  return argv;
}

}  // namespace bequest_fuzz
