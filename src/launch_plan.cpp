// SPDX-License-Identifier: BSL-1.0
// The launch plan's pure parts: placeholders, the environment's pairs, rendering.
#include "launch_plan.hpp"

#include "inherit_format.hpp"
#include "platform.hpp"

#include <bequest/inherited.hpp>

#include "text_format.hpp"

#include <algorithm>

namespace bequest::detail {
namespace {

constexpr std::string_view placeholder_open = "{handle:";

}  // namespace

const char* stdio_name(int index) noexcept {
  static constexpr const char* names[] = {"stdin", "stdout", "stderr"};
  return index >= 0 && index < 3 ? names[index] : "stdio";
}

bool handle_template::parse(std::string text, const std::vector<inherited>& inherit, handle_template& out,
                            std::string& problem) {
  out.placeholders_.clear();
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find(placeholder_open, pos);
    if (open == std::string::npos) break;
    const std::size_t name_begin = open + placeholder_open.size();
    const std::size_t close = text.find('}', name_begin);
    if (close == std::string::npos) {
      problem = "unterminated {handle:...} placeholder";
      return false;
    }
    const std::string_view name = std::string_view(text).substr(name_begin, close - name_begin);
    auto it = std::find_if(inherit.begin(), inherit.end(), [&](const inherited& e) { return e.name == name; });
    if (it == inherit.end()) {
      problem = detail::text::format("{{handle:{}}} names no entry of inherit", name);
      return false;
    }
    out.placeholders_.push_back({open, close + 1, static_cast<std::size_t>(it - inherit.begin())});
    pos = close + 1;
  }
  out.text_ = std::move(text);
  return true;
}

std::string handle_template::render(const child_values& values) const {
  if (placeholders_.empty()) return text_;
  std::string out;
  std::size_t pos = 0;
  for (const placeholder& p : placeholders_) {
    out.append(text_, pos, p.begin - pos);
    out += std::to_string(values.at(p.entry));
    pos = p.end;
  }
  out.append(text_, pos, std::string::npos);
  return out;
}

env_pairs::env_pairs(std::vector<std::pair<std::string, std::string>> initial, env_name_rule same_name)
    : same_name_(same_name) {
  entries_.reserve(initial.size() + 8);
  for (auto& [name, value] : initial) entries_.emplace_back(std::move(name), handle_template(std::move(value)));
}

const handle_template* env_pairs::find(std::string_view name) const {
  for (const auto& e : entries_) {
    if (same_name_(e.first, name)) return &e.second;
  }
  return nullptr;
}

std::optional<std::string_view> env_pairs::text_of(std::string_view name) const {
  const handle_template* value = find(name);
  if (!value) return std::nullopt;
  return std::string_view(value->text());
}

void env_pairs::set(std::string name, handle_template value) {
  for (auto& e : entries_) {
    if (same_name_(e.first, name)) {
      e.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(value));
}

void env_pairs::erase(std::string_view name) {
  entries_.erase(
      std::remove_if(entries_.begin(), entries_.end(), [&](const auto& e) { return same_name_(e.first, name); }),
      entries_.end());
}

std::optional<std::string> launch_plan::child_variable(std::string_view name) const {
  if (parents_environment) return os::get_env(std::string(name));
  if (auto text = environment.text_of(name)) return std::string(*text);
  return std::nullopt;
}

std::vector<std::string> launch_plan::render_arguments(const child_values& values) const {
  std::vector<std::string> argv;
  argv.reserve(arguments.size());
  for (const handle_template& a : arguments) argv.push_back(a.render(values));
  return argv;
}

std::string launch_plan::inherit_variable_text(const child_values& values, startup_value startup) const {
  std::vector<inherit_entry> entries;
  entries.reserve(inherit.size() + 1);
  for (std::size_t i = 0; i < inherit.size(); ++i) entries.emplace_back(inherit[i].name, values.at(i));
  if (startup) entries.emplace_back(std::string(startup_entry), *startup);
  return format_inherit_variable(entries);
}

std::vector<std::pair<std::string, std::string>> launch_plan::render_environment(const child_values& values,
                                                                                 startup_value startup) const {
  std::vector<std::pair<std::string, std::string>> vars;
  vars.reserve(environment.entries().size() + 1);
  for (const auto& [name, value] : environment.entries()) vars.emplace_back(name, value.render(values));
  if (set_inherit_variable && (!inherit.empty() || startup)) {
    vars.emplace_back(inherit_variable, inherit_variable_text(values, startup));
  }
  return vars;
}

std::vector<std::string> join_environment(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<std::string> block;
  block.reserve(pairs.size());
  for (const auto& [name, value] : pairs) {
    std::string entry;
    entry.reserve(name.size() + 1 + value.size());
    entry += name;
    entry += '=';
    entry += value;
    block.push_back(std::move(entry));
  }
  return block;
}

}  // namespace bequest::detail
