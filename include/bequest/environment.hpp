// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// `bequest::environment`, the environment a child starts with.

#include <bequest/config.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bequest {

/// The environment a child starts with: the parent's (`inherit()`, the default) or none
/// (`empty()`), then the changes made with `set()` and `unset()`, applied in order.
///
/// Names and values are UTF-8. Windows compares names without regard to case, as its own
/// environment does; POSIX compares them exactly. A name must be non-empty and contain
/// neither `=` nor NUL; a value must not contain NUL (checked by `spawn()`, which names the
/// offending entry).
///
/// ```
/// opts.env = bequest::environment::inherit().set("LANG", "C").unset("DISPLAY");
/// ```
class environment {
 public:
  /// One change: `value` set means "set", empty means "unset".
  struct change {
    std::string name;                  ///< the variable's name
    std::optional<std::string> value;  ///< its new value, or empty to remove it
  };

  /// Starts from the parent's environment as it is when `spawn()` is called.
  [[nodiscard]] static environment inherit() { return environment(true); }
  /// Starts from nothing.
  [[nodiscard]] static environment empty() { return environment(false); }

  /// @{
  /// Sets `name` to `value` in the child (replacing an inherited value). Returns `*this`,
  /// so calls chain.
  environment& set(std::string name, std::string value) & {
    changes_.push_back({std::move(name), std::move(value)});
    return *this;
  }
  environment&& set(std::string name, std::string value) && {
    return std::move(set(std::move(name), std::move(value)));
  }
  /// @}
  /// @{
  /// Removes `name` from the child's environment (an inherited one or one set before).
  /// Returns `*this`, so calls chain.
  environment& unset(std::string name) & {
    changes_.push_back({std::move(name), std::nullopt});
    return *this;
  }
  environment&& unset(std::string name) && { return std::move(unset(std::move(name))); }
  /// @}

  /// True when the child starts from the parent's environment (`inherit()`).
  [[nodiscard]] bool inherits() const noexcept { return inherit_; }
  /// The changes, in the order they were made.
  [[nodiscard]] const std::vector<change>& changes() const noexcept { return changes_; }

 private:
  explicit environment(bool inherit) : inherit_(inherit) {}
  bool inherit_;
  std::vector<change> changes_;
};

}  // namespace bequest
