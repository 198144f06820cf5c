// SPDX-License-Identifier: BSL-1.0
// Checking spawn_options and lowering them into a launch plan; opening what the child needs.
#include "lower.hpp"

#include "handle_value.hpp"
#include "inherit_format.hpp"
#include "platform.hpp"
#include "wtf8.hpp"

#include <bequest/inherited.hpp>

#include "text_format.hpp"

#include <algorithm>
#include <cstdint>

namespace bequest::detail {
namespace {

const std::error_code invalid = make_error_code(std::errc::invalid_argument);

bool has_nul(std::string_view s) noexcept { return s.find('\0') != std::string_view::npos; }

bool path_has_nul(const std::filesystem::path& p) noexcept {
  const auto& native = p.native();
  return std::find(native.begin(), native.end(), std::filesystem::path::value_type{}) != native.end();
}

/// A string field: no NUL, and UTF-8 where the platform converts it.
bool check_text(std::string_view text, const spawn_options& o, const std::string& field, failure& f) {
  if (has_nul(text))
    return spawn_failed(f, o.program, invalid, detail::text::format("{} contains a NUL character", field));
  if (os::strings_must_be_utf8() && !is_valid_utf8(text)) {
    return spawn_failed(f, o.program, make_error_code(std::errc::illegal_byte_sequence),
                        detail::text::format("{} is not valid UTF-8", field));
  }
  return true;
}

bool check_environment_changes(const spawn_options& o, failure& f) {
  const auto& changes = o.env.changes();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    const char* problem = nullptr;
    if (c.name.empty())
      problem = "the name is empty";
    else if (c.name.find('=') != std::string::npos)
      problem = "the name contains '='";
    else if (has_nul(c.name))
      problem = "the name contains a NUL character";
    else if (c.value && has_nul(*c.value))
      problem = "the value contains a NUL character";
    else if (os::strings_must_be_utf8() && !is_valid_utf8(c.name))
      problem = "the name is not valid UTF-8";
    else if (os::strings_must_be_utf8() && c.value && !is_valid_utf8(*c.value))
      problem = "the value is not valid UTF-8";
    if (problem) {
      const bool encoding = std::string_view(problem).find("UTF-8") != std::string_view::npos;
      return spawn_failed(f, o.program, encoding ? make_error_code(std::errc::illegal_byte_sequence) : invalid,
                          detail::text::format("env change {} (\"{}\"): {}", i, c.name, problem));
    }
  }
  return true;
}

/// A handle the caller gave: `where` names the option ("inherit[1] \"log\"").
bool check_caller_handle(native_handle h, const spawn_options& o, const std::string& where, failure& f) {
  if (const std::optional<std::string> problem = os::handle_problem(h)) {
    return spawn_failed(f, o.program, os::bad_handle_error(), detail::text::format("{}: {}", where, *problem));
  }
  return true;
}

std::string entry_name(std::size_t i, const inherited& e) {
  return detail::text::format("inherit[{}] \"{}\"", i, e.name);
}

bool lower_inherit(const spawn_options& o, launch_plan& plan, failure& f) {
  plan.inherit.reserve(o.inherit.size());
  for (std::size_t i = 0; i < o.inherit.size(); ++i) {
    const inherited& e = o.inherit[i];
    if (const char* problem = inherited_name_problem(e.name)) {
      return spawn_failed(f, o.program, invalid, detail::text::format("{}: {}", entry_name(i, e), problem));
    }
    if (e.handle == invalid_native_handle) {
      return spawn_failed(f, o.program, make_error_code(std::errc::bad_file_descriptor),
                          detail::text::format("{}: the handle is empty", entry_name(i, e)));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (o.inherit[j].name == e.name) {
        return spawn_failed(f, o.program, invalid,
                            detail::text::format("{}: the name is already used by inherit[{}]", entry_name(i, e), j));
      }
      if (o.inherit[j].handle == e.handle) {
        return spawn_failed(f, o.program, invalid,
                            detail::text::format("{}: handle {} is already listed as {}", entry_name(i, e),
                                                 handle_value(e.handle), entry_name(j, o.inherit[j])));
      }
    }
  }
  // Open-ness last, so that a list with a mistake in it is reported as that mistake.
  for (std::size_t i = 0; i < o.inherit.size(); ++i) {
    if (!check_caller_handle(o.inherit[i].handle, o, entry_name(i, o.inherit[i]), f)) return false;
    plan.inherit.push_back({o.inherit[i].name, o.inherit[i].handle, o.inherit[i].target_fd});
  }
  return true;
}

bool lower_stdio(const spawn_options& o, launch_plan& plan, failure& f) {
  const stdio* streams[] = {&o.in, &o.out, &o.err};
  for (int i = 0; i < 3; ++i) {
    const stdio& s = *streams[i];
    const char* name = stdio_name(i);
    stdio_plan& p = plan.stdio[static_cast<std::size_t>(i)];
    switch (s.type()) {
      case stdio::kind::inherit: {
        // A stream the parent does not have (closed, or a GUI program) stays absent in the child.
        const native_handle ours = os::standard_handle(i);
        if (!os::handle_problem(ours)) {
          p.what = stdio_plan::source::parent;
          p.handle = ours;
        }
        break;
      }
      case stdio::kind::null: p.what = stdio_plan::source::null_device; break;
      case stdio::kind::pipe: p.what = stdio_plan::source::pipe; break;
      case stdio::kind::async_pipe: p.what = stdio_plan::source::async_pipe; break;
      case stdio::kind::file:
        if (s.path().empty()) {
          return spawn_failed(f, o.program, invalid,
                              detail::text::format("{}: stdio::file() was given an empty path", name));
        }
        if (path_has_nul(s.path())) {
          return spawn_failed(
              f, o.program, invalid,
              detail::text::format("{}: the path given to stdio::file() contains a NUL character", name));
        }
        p.what = stdio_plan::source::file;
        p.path = s.path();
        p.mode = s.mode() != file_mode::automatic ? s.mode() : i == 0 ? file_mode::read : file_mode::truncate;
        break;
      case stdio::kind::handle:
        if (s.native() == invalid_native_handle) {
          return spawn_failed(f, o.program, invalid,
                              detail::text::format("{}: stdio::handle() was given an empty handle", name));
        }
        if (!check_caller_handle(s.native(), o, detail::text::format("{}: stdio::handle()", name), f)) return false;
        p.what = stdio_plan::source::caller_handle;
        p.handle = s.native();
        break;
      case stdio::kind::to_stdout:
        if (i != 2) {
          return spawn_failed(f, o.program, invalid,
                              detail::text::format("{}: stdio::to_stdout() is only for stderr", name));
        }
        p.what = stdio_plan::source::same_as_stdout;
        break;
    }
  }
  return true;
}

/// With a terminal the terminal is all three streams: any other choice for one of them is a
/// contradiction, named as such.
bool lower_terminal(const spawn_options& o, launch_plan& plan, failure& f) {
  if (!o.terminal) return true;
  const stdio* streams[] = {&o.in, &o.out, &o.err};
  for (int i = 0; i < 3; ++i) {
    if (streams[i]->type() != stdio::kind::inherit) {
      return spawn_failed(
          f, o.program, invalid,
          detail::text::format("{}: must stay stdio::inherit() when terminal is set (the terminal is the "
                               "child's stdin, stdout and stderr)",
                               stdio_name(i)));
    }
  }
  if (o.terminal->rows == 0 || o.terminal->cols == 0) {
    return spawn_failed(
        f, o.program, invalid,
        detail::text::format("terminal: {} rows by {} columns is no size", o.terminal->rows, o.terminal->cols));
  }
  plan.terminal = o.terminal;
  return true;
}

bool make_template(std::string text, const spawn_options& o, const std::string& where, handle_template& out,
                   failure& f) {
  if (!o.substitute_handles) {
    out = handle_template(std::move(text));
    return true;
  }
  std::string problem;
  if (!handle_template::parse(std::move(text), o.inherit, out, problem)) {
    return spawn_failed(f, o.program, invalid, detail::text::format("{}: {}", where, problem));
  }
  return true;
}

bool lower_arguments(const spawn_options& o, launch_plan& plan, failure& f) {
  plan.arguments.resize(o.args.size() + 1);
  plan.argv0_given = o.argv0.has_value();
  if (!make_template(o.argv0 ? *o.argv0 : o.program, o, "argv0", plan.arguments[0], f)) return false;
  for (std::size_t i = 0; i < o.args.size(); ++i) {
    if (!make_template(o.args[i], o, detail::text::format("args[{}]", i), plan.arguments[i + 1], f)) return false;
  }
  if (o.windows.command_line) {
    handle_template line;
    if (!make_template(*o.windows.command_line, o, "windows.command_line", line, f)) return false;
    plan.verbatim_command_line = std::move(line);
  }
  return true;
}

}  // namespace

bool lower_environment(const spawn_options& o, launch_plan& plan, failure& f, env_name_rule same_name) {
  plan.parents_environment = o.env.inherits() && o.env.changes().empty() &&
                             (o.inherit.empty() || !o.set_inherit_variable) && o.startup_data.empty() &&
                             !os::get_env(inherit_variable);
  if (plan.parents_environment) return true;
  // Ordered as the parent's environment, then new names in the order they were set; a
  // variable set twice (under names the system calls the same) keeps its first position and
  // spelling, and its last value.
  env_pairs env(o.env.inherits() ? os::current_environment() : std::vector<std::pair<std::string, std::string>>{},
                same_name);
  const auto& changes = o.env.changes();
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    if (!c.value) {
      env.erase(c.name);
      continue;
    }
    handle_template value;
    if (!make_template(*c.value, o, detail::text::format("env change {} (\"{}\")", i, c.name), value, f)) return false;
    env.set(c.name, std::move(value));
  }
  // A stale BEQUEST_INHERIT from our own parent must never reach the child; render_environment
  // adds this spawn's.
  env.erase(inherit_variable);
  plan.environment = std::move(env);
  return true;
}

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    std::size_t length = 0;
    if (!wtf8::decode_one(text, i, cp, length) || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

bool lower_options(const spawn_options& o, launch_plan& plan, failure& f) {
  plan.program = o.program;
  if (o.program.empty()) return spawn_failed(f, o.program, invalid, "program is empty");
  if (!check_text(o.program, o, "program", f)) return false;
  if (o.argv0 && !check_text(*o.argv0, o, "argv0", f)) return false;
  for (std::size_t i = 0; i < o.args.size(); ++i) {
    if (!check_text(o.args[i], o, detail::text::format("args[{}]", i), f)) return false;
  }
  if (!check_environment_changes(o, f)) return false;
  if (!o.startup_data.empty() && !o.set_inherit_variable) {
    return spawn_failed(f, o.program, invalid,
                        "startup_data is announced to the child through BEQUEST_INHERIT, which "
                        "set_inherit_variable = false leaves out");
  }
  if (o.startup_data.holds_buffer() && !o.startup_data.buffer().valid()) {
    return spawn_failed(f, o.program, invalid, "startup_data: the startup_buffer is empty (default-constructed)");
  }
  if (o.windows.command_line) {
    if (!check_text(*o.windows.command_line, o, "windows.command_line", f)) return false;
    if (!o.args.empty() || o.argv0) {
      return spawn_failed(f, o.program, invalid,
                          "windows.command_line is the whole command line: args and argv0 must be empty with it");
    }
  }
  if (o.cwd && o.cwd->empty()) return spawn_failed(f, o.program, invalid, "cwd is an empty path");
  if (o.cwd && path_has_nul(*o.cwd)) return spawn_failed(f, o.program, invalid, "cwd contains a NUL character");
  if (!lower_terminal(o, plan, f)) return false;
  // With a terminal every stream stays source::none: the backend gives the child the terminal.
  if (!plan.terminal && !lower_stdio(o, plan, f)) return false;
  if (!lower_inherit(o, plan, f)) return false;

  if (!lower_arguments(o, plan, f)) return false;
  if (!lower_environment(o, plan, f)) return false;
  if (!os::resolve_cwd(o.cwd, plan.program, plan.cwd, f)) return false;
  if (!os::resolve_program(plan, o.cwd.has_value(), plan.executable, f)) return false;

  plan.startup_data = o.startup_data.empty() ? nullptr : &o.startup_data;
  plan.set_inherit_variable = o.set_inherit_variable;
  plan.new_process_group = o.new_process_group;
  plan.process_tree = o.process_tree;
  plan.kill_on_parent_exit = o.kill_on_parent_exit;
  plan.posix = o.posix;
  plan.windows = o.windows;
  return os::check_launch(plan, f);
}

bool acquire_resources(const launch_plan& plan, child_impl& c, launch_resources& r, failure& f) {
  for (int i = 0; i < 3; ++i) {
    const stdio_plan& s = plan.stdio[static_cast<std::size_t>(i)];
    const auto slot = static_cast<std::size_t>(i);
    const char* name = stdio_name(i);
    std::error_code ec;
    switch (s.what) {
      case stdio_plan::source::parent:
      case stdio_plan::source::caller_handle: r.stdio[slot] = s.handle; break;
      case stdio_plan::source::file:
        r.opened[slot] = os::open_file(s.path, s.mode, ec);
        if (ec) return spawn_failed(f, plan.program, ec, detail::text::format("{}: open \"{}\"", name, utf8(s.path)));
        r.stdio[slot] = r.opened[slot].get();
        break;
      case stdio_plan::source::pipe:
      case stdio_plan::source::async_pipe: {
        // For async_pipe our end supports asynchronous I/O (POSIX: non-blocking; Windows: an
        // overlapped named pipe); the child's end is an ordinary blocking one either way.
        const pipe_end ours_is = i == 0 ? pipe_end::write : pipe_end::read;
        pipe_ends p = s.what == stdio_plan::source::pipe ? os::make_pipe(ec) : os::make_async_pipe(ours_is, ec);
        if (ec) return spawn_failed(f, plan.program, ec, detail::text::format("create the {} pipe", name));
        unique_handle& ours = i == 0 ? c.in : i == 1 ? c.out : c.err;
        ours = std::move(i == 0 ? p.write : p.read);
        r.opened[slot] = std::move(i == 0 ? p.read : p.write);
        r.stdio[slot] = r.opened[slot].get();
        break;
      }
      case stdio_plan::source::none:
      case stdio_plan::source::null_device:
      case stdio_plan::source::same_as_stdout: break;
    }
  }
  // Last, so that a spawn that fails its cheaper steps copies nothing.
  if (plan.startup_data) return prepare_startup_data(plan.program, *plan.startup_data, r.startup, f);
  return true;
}

}  // namespace bequest::detail
