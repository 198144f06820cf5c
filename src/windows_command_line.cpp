// SPDX-License-Identifier: BSL-1.0
// Windows command lines: building them for the C runtime's parser and for cmd.exe, and
// splitting them again. Pure text, so the property tests run on every platform.
#include "windows_command_line.hpp"

namespace bequest::detail::wincmd {
namespace {

bool is_space_or_tab(char c) noexcept { return c == ' ' || c == '\t'; }

bool is_ascii_alnum(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Characters cmd.exe passes through unchanged outside quotes: no operator (& | < > ( ) ^),
// no argument delimiter (space , ; = and others), no expansion (% !), no quote. Everything
// else, including every non-ASCII character (cmd.exe counts some of them as delimiters),
// is quoted.
bool batch_plain(unsigned char c) noexcept {
  if (is_ascii_alnum(c)) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '/':
    case '\\':
    case ':':
    case '+':
    case '@':
    case '#':
    case '$':
    case '*':
    case '?': return true;
    default: return false;
  }
}

// A control character ends or corrupts a cmd.exe command line (CR is dropped, LF ends the
// command, others have console meanings); only tab is an ordinary delimiter.
bool batch_forbidden(unsigned char c) noexcept { return (c < 0x20 && c != '\t') || c == 0x7F; }

// The empty expansion that follows each % so that cmd.exe cannot read a variable name after
// it: "%%cd:~,%" scans as a literal % (an empty name is not a variable) and then a zero-length
// substring of CD, which always exists while command extensions are on.
constexpr std::string_view percent_guard = "%cd:~,%";

}  // namespace

std::string quote_argument(std::string_view arg) {
  // The runtime splits on spaces and tabs only; the other whitespace is quoted as well so that
  // parsers that also split on it (CommandLineToArgvW's callers, scripts) agree.
  const bool quote = arg.empty() || arg.find_first_of(" \t\n\v\r") != std::string_view::npos;
  if (!quote && arg.find('"') == std::string_view::npos) return std::string(arg);
  std::string out;
  out.reserve(arg.size() + 2);
  if (quote) out += '"';
  std::size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // 2n+1 backslashes and a quote read back as n backslashes and a literal quote.
      out.append(2 * backslashes + 1, '\\');
    } else {
      // Backslashes not followed by a quote are literal.
      out.append(backslashes, '\\');
    }
    out += c;
    backslashes = 0;
  }
  if (quote) {
    // Before the closing quote the backslashes must be doubled, or the last would escape it.
    out.append(2 * backslashes, '\\');
    out += '"';
  } else {
    out.append(backslashes, '\\');
  }
  return out;
}

bool make_command_line(const std::vector<std::string>& argv, std::string& out, problem& bad) {
  out.clear();
  const std::string_view program = argv.empty() ? std::string_view() : std::string_view(argv[0]);
  if (program.find('"') != std::string_view::npos) {
    bad = {0, "argv[0] contains '\"', which the Windows command line cannot carry in the program name"};
    return false;
  }
  // The runtime reads argv[0] up to the next quote without any escapes, so quoting it whole
  // is always right, even with a trailing backslash.
  out += '"';
  out += program;
  out += '"';
  for (std::size_t i = 1; i < argv.size(); ++i) {
    out += ' ';
    out += quote_argument(argv[i]);
  }
  return true;
}

bool make_batch_command_line(std::string_view comspec, std::string_view script, const std::vector<std::string>& args,
                             bool cd_is_overridden, std::string& out, problem& bad) {
  out.clear();
  if (comspec.find('"') != std::string_view::npos) {
    bad = {0, "the command interpreter's path contains '\"'"};
    return false;
  }
  auto append_checked = [&](std::string_view text, std::size_t index, bool quote_always) {
    bool quote = quote_always || text.empty() || text.back() == '\\';
    for (unsigned char c : text) {
      if (batch_forbidden(c)) {
        bad = {index,
               "contains a control character (such as CR or LF), which cmd.exe cannot receive safely in a "
               "batch file's command line"};
        return false;
      }
      if (c == '%' && cd_is_overridden) {
        bad = {index,
               "contains '%', which cmd.exe would expand, and the child's environment defines CD, which the "
               "escaping of '%' relies on"};
        return false;
      }
      if (!batch_plain(c)) quote = true;
    }
    if (quote) out += '"';
    std::size_t backslashes = 0;
    for (char c : text) {
      if (c == '\\') {
        ++backslashes;
        continue;
      }
      if (c == '"') {
        // Doubled backslashes and a doubled quote: cmd.exe's quote state toggles twice and stays
        // "inside", and a C runtime program that receives the line through %* reads n
        // backslashes and one literal quote.
        out.append(2 * backslashes, '\\');
        out += "\"\"";
      } else {
        out.append(backslashes, '\\');
        out += c;
        if (c == '%') out += percent_guard;
      }
      backslashes = 0;
    }
    if (quote) {
      out.append(2 * backslashes, '\\');
      out += '"';
    } else {
      out.append(backslashes, '\\');
    }
    return true;
  };

  out += '"';
  out += comspec;
  // /d: no AutoRun commands from the registry; /e:ON: command extensions, which the %
  // guard needs; /v:OFF: no delayed expansion, so '!' stays literal; /c: run and exit.
  // The outer quotes around the command are removed by /c (more than two quotes on the line).
  out += "\" /d /e:ON /v:OFF /c \"";
  if (script.find('"') != std::string_view::npos || script.empty() || script.back() == '\\') {
    bad = {0, "the batch file's path contains '\"' or ends with '\\'"};
    return false;
  }
  if (!append_checked(script, 0, true)) return false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    out += ' ';
    if (!append_checked(args[i], i + 1, false)) return false;
  }
  out += '"';
  return true;
}

std::vector<std::string> split_command_line(std::string_view line) {
  std::vector<std::string> argv;
  std::size_t i = 0;
  const std::size_t n = line.size();
  std::string current;

  // argv[0]: quotes only group, nothing escapes.
  bool quoted = false;
  for (; i < n; ++i) {
    const char c = line[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && is_space_or_tab(c)) {
      break;
    } else {
      current += c;
    }
  }
  argv.push_back(current);

  while (true) {
    while (i < n && is_space_or_tab(line[i])) ++i;
    if (i >= n) break;
    current.clear();
    quoted = false;
    while (i < n) {
      const char c = line[i];
      if (!quoted && is_space_or_tab(c)) break;
      if (c == '\\') {
        std::size_t count = 0;
        while (i < n && line[i] == '\\') {
          ++count;
          ++i;
        }
        if (i < n && line[i] == '"') {
          current.append(count / 2, '\\');
          if (count % 2 == 1) {
            current += '"';
            ++i;
          }
          // With an even count the quote is left for the next round, as a delimiter.
        } else {
          current.append(count, '\\');
        }
        continue;
      }
      if (c == '"') {
        if (quoted && i + 1 < n && line[i + 1] == '"') {
          current += '"';
          i += 2;
          continue;
        }
        quoted = !quoted;
        ++i;
        continue;
      }
      current += c;
      ++i;
    }
    argv.push_back(current);
  }
  return argv;
}

std::size_t utf16_length(std::string_view s) noexcept {
  std::size_t units = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // four-byte sequences need a surrogate pair
  }
  return units;
}

bool splits_command_line(char c, bool batch) noexcept {
  if (c == '"' || c == '\\' || c == ' ' || c == '\t') return true;
  return batch && std::string_view("&|<>^()%!,;=").find(c) != std::string_view::npos;
}

std::optional<best_fit_hazard> find_best_fit_hazard(std::string_view text, bool batch, best_fit_lookup lookup,
                                                    void* context) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    // Only a whole sequence is a character (spawn has checked the text is UTF-8; this scan
    // stays within what it is given all the same).
    bool whole = i + length <= text.size();
    for (std::size_t k = 1; whole && k < length; ++k)
      whole = (static_cast<unsigned char>(text[i + k]) & 0xC0u) == 0x80u;
    if (!whole) length = 1;
    if (c >= 0x80 && length > 1) {
      char32_t cp = c & (length == 2 ? 0x1Fu : length == 3 ? 0x0Fu : 0x07u);
      for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
      const char image = lookup(cp, context);
      if (image != 0 && splits_command_line(image, batch)) return best_fit_hazard{i, cp, image};
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace bequest::detail::wincmd
