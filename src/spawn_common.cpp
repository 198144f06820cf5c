// SPDX-License-Identifier: BSL-1.0
#include "spawn_common.hpp"

#include "child_impl.hpp"
#include "platform.hpp"
#include "startup_internal.hpp"

#include <bequest/inherited.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace bequest::detail {
namespace {

constexpr std::string_view placeholder_open = "{handle:";

bool has_nul(std::string_view s) noexcept { return s.find('\0') != std::string_view::npos; }

bool ascii_iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool names_equal(std::string_view a, std::string_view b, bool ignore_case) noexcept {
  return ignore_case ? ascii_iequal(a, b) : a == b;
}

const char* stdio_name(int i) noexcept {
  static const char* const names[] = {"stdin", "stdout", "stderr"};
  return names[i];
}

// Replaces every {handle:NAME} in `text`. `where` names the option for the error message.
bool substitute(std::string_view text, const spawn_options& o, const child_values& values, std::string& out,
                const std::string& where, failure& f) {
  out.clear();
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find(placeholder_open, pos);
    if (open == std::string_view::npos) break;
    const std::size_t name_begin = open + placeholder_open.size();
    const std::size_t close = text.find('}', name_begin);
    if (close == std::string_view::npos) {
      return spawn_failed(f, o.program, make_error_code(std::errc::invalid_argument),
                          fmt::format("{}: unterminated {{handle:...}} placeholder", where));
    }
    const std::string_view name = text.substr(name_begin, close - name_begin);
    auto it = std::find_if(o.inherit.begin(), o.inherit.end(), [&](const inherited& e) { return e.name == name; });
    if (it == o.inherit.end()) {
      return spawn_failed(f, o.program, make_error_code(std::errc::invalid_argument),
                          fmt::format("{}: {{handle:{}}} names no entry of inherit", where, name));
    }
    out.append(text.substr(pos, open - pos));
    out += std::to_string(values[static_cast<std::size_t>(it - o.inherit.begin())]);
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return true;
}

}  // namespace

unique_handle open_stdio_object(const spawn_options& o, int index, const stdio& s, child_impl& c, failure& f) {
  static constexpr const char* names[] = {"stdin", "stdout", "stderr"};
  const char* name = names[index];
  std::error_code ec;
  if (s.type() == stdio::kind::file) {
    file_mode mode = s.mode();
    if (mode == file_mode::automatic) mode = index == 0 ? file_mode::read : file_mode::truncate;
    unique_handle h = os::open_file(s.path(), mode, ec);
    if (ec) spawn_failed(f, o.program, ec, fmt::format("{}: open \"{}\"", name, utf8(s.path())));
    return h;
  }
  // pipe or async_pipe. For async_pipe our end supports asynchronous I/O (POSIX: non-blocking;
  // Windows: an overlapped named pipe); the child's end is an ordinary blocking one either way.
  const pipe_end ours_is = index == 0 ? pipe_end::write : pipe_end::read;
  pipe_ends p = s.type() == stdio::kind::pipe ? os::make_pipe(ec) : os::make_async_pipe(ours_is, ec);
  if (ec) {
    spawn_failed(f, o.program, ec, fmt::format("create the {} pipe", name));
    return {};
  }
  unique_handle& ours = index == 0 ? c.in : index == 1 ? c.out : c.err;
  ours = std::move(index == 0 ? p.write : p.read);
  return std::move(index == 0 ? p.read : p.write);
}
bool check_options(const spawn_options& o, failure& f) {
  const auto invalid = make_error_code(std::errc::invalid_argument);
  if (o.program.empty()) return spawn_failed(f, o.program, invalid, "program is empty");
  if (has_nul(o.program)) return spawn_failed(f, o.program, invalid, "program contains a NUL character");
  if (o.argv0 && has_nul(*o.argv0)) return spawn_failed(f, o.program, invalid, "argv0 contains a NUL character");
  for (std::size_t i = 0; i < o.args.size(); ++i) {
    if (has_nul(o.args[i])) {
      return spawn_failed(f, o.program, invalid, fmt::format("args[{}] contains a NUL character", i));
    }
  }
  const auto& changes = o.env.changes();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    const char* problem = nullptr;
    if (c.name.empty()) problem = "the name is empty";
    else if (c.name.find('=') != std::string::npos) problem = "the name contains '='";
    else if (has_nul(c.name)) problem = "the name contains a NUL character";
    else if (c.value && has_nul(*c.value)) problem = "the value contains a NUL character";
    if (problem) return spawn_failed(f, o.program, invalid, fmt::format("env change {} (\"{}\"): {}", i, c.name, problem));
  }
  if (o.startup_data.holds_buffer() && !o.startup_data.buffer().valid()) {
    return spawn_failed(f, o.program, invalid, "startup_data: the startup_buffer is empty (default-constructed)");
  }

  if (o.cwd && o.cwd->empty()) return spawn_failed(f, o.program, invalid, "cwd is an empty path");
  const stdio* streams[] = {&o.in, &o.out, &o.err};
  for (int i = 0; i < 3; ++i) {
    const stdio& s = *streams[i];
    if (s.type() == stdio::kind::to_stdout && i != 2) {
      return spawn_failed(f, o.program, invalid, fmt::format("{}: stdio::to_stdout() is only for stderr", stdio_name(i)));
    }
    if (s.type() == stdio::kind::handle && s.native() == invalid_native_handle) {
      return spawn_failed(f, o.program, invalid, fmt::format("{}: stdio::handle() was given an empty handle", stdio_name(i)));
    }
    if (s.type() == stdio::kind::file && s.path().empty()) {
      return spawn_failed(f, o.program, invalid, fmt::format("{}: stdio::file() was given an empty path", stdio_name(i)));
    }
  }
  for (std::size_t i = 0; i < o.inherit.size(); ++i) {
    const inherited& e = o.inherit[i];
    if (const char* problem = inherited_name_problem(e.name)) {
      return spawn_failed(f, o.program, invalid, fmt::format("inherit[{}] \"{}\": {}", i, e.name, problem));
    }
    if (e.handle == invalid_native_handle) {
      return spawn_failed(f, o.program, make_error_code(std::errc::bad_file_descriptor),
                          fmt::format("inherit[{}] \"{}\": the handle is empty", i, e.name));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (o.inherit[j].name == e.name) {
        return spawn_failed(f, o.program, invalid,
                            fmt::format("inherit[{}] \"{}\": the name is already used by inherit[{}]", i, e.name, j));
      }
      if (o.inherit[j].handle == e.handle) {
        return spawn_failed(f, o.program, invalid,
                            fmt::format("inherit[{}] \"{}\": handle {} is already listed as inherit[{}] \"{}\"", i,
                                        e.name, handle_value(e.handle), j, o.inherit[j].name));
      }
    }
  }
  return true;
}

bool build_arguments(const spawn_options& o, const child_values& values, std::vector<std::string>& argv, failure& f) {
  argv.clear();
  argv.reserve(o.args.size() + 1);
  if (!o.substitute_handles) {
    argv.push_back(o.argv0 ? *o.argv0 : o.program);
    argv.insert(argv.end(), o.args.begin(), o.args.end());
    return true;
  }
  std::string out;
  if (!substitute(o.argv0 ? *o.argv0 : o.program, o, values, out, "argv0", f)) return false;
  argv.push_back(std::move(out));
  for (std::size_t i = 0; i < o.args.size(); ++i) {
    if (!substitute(o.args[i], o, values, out, fmt::format("args[{}]", i), f)) return false;
    argv.push_back(std::move(out));
  }
  return true;
}

bool environment_is_parents(const spawn_options& o) {
  return o.env.inherits() && o.env.changes().empty() && o.inherit.empty() && o.startup_data.empty() &&
         !os::get_env(inherit_variable);
}

std::string inherit_variable_value(const spawn_options& o, const child_values& values, startup_value startup) {
  std::vector<inherit_entry> entries;
  entries.reserve(o.inherit.size() + 1);
  for (std::size_t i = 0; i < o.inherit.size(); ++i) entries.emplace_back(o.inherit[i].name, values[i]);
  if (startup) entries.emplace_back(std::string(startup_entry), *startup);
  return format_inherit_variable(entries);
}

bool build_environment(const spawn_options& o, const child_values& values, std::vector<std::string>& block,
                       failure& f, startup_value startup) {
  const bool ignore_case = os::env_names_ignore_case();
  // Ordered as the parent's environment, then new names in the order they were set; a
  // variable set twice keeps its first position and its last value.
  std::vector<std::pair<std::string, std::string>> vars;
  if (o.env.inherits()) vars = os::current_environment();
  auto find = [&](std::string_view name) {
    return std::find_if(vars.begin(), vars.end(), [&](const auto& v) { return names_equal(v.first, name, ignore_case); });
  };
  auto assign = [&](std::string name, std::string value) {
    auto it = find(name);
    if (it != vars.end()) it->second = std::move(value);
    else vars.emplace_back(std::move(name), std::move(value));
  };
  auto remove = [&](std::string_view name) {
    vars.erase(std::remove_if(vars.begin(), vars.end(), [&](const auto& v) { return names_equal(v.first, name, ignore_case); }),
               vars.end());
  };
  const auto& changes = o.env.changes();
  std::string value;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    if (!c.value) {
      remove(c.name);
      continue;
    }
    if (o.substitute_handles) {
      if (!substitute(*c.value, o, values, value, fmt::format("env change {} (\"{}\")", i, c.name), f)) return false;
    } else {
      value = *c.value;
    }
    assign(c.name, std::move(value));
  }
  // A stale BEQUEST_INHERIT from our own parent must never reach the child.
  remove(inherit_variable);
  if (!o.inherit.empty() || startup) assign(inherit_variable, inherit_variable_value(o, values, startup));

  block.clear();
  block.reserve(vars.size());
  for (auto& v : vars) {
    std::string entry = std::move(v.first);
    entry += '=';
    entry += v.second;
    block.push_back(std::move(entry));
  }
  return true;
}

std::optional<std::string_view> find_variable(const std::vector<std::string>& block, std::string_view name) {
  const bool ignore_case = os::env_names_ignore_case();
  for (const std::string& entry : block) {
    // Windows keeps per-drive variables named "=C:"; skip a leading '=' when splitting.
    const std::size_t eq = entry.find('=', 1);
    if (eq == std::string::npos) continue;
    if (names_equal(std::string_view(entry).substr(0, eq), name, ignore_case)) {
      return std::string_view(entry).substr(eq + 1);
    }
  }
  return std::nullopt;
}

}  // namespace bequest::detail
