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
/// Names and values are UTF-8 (on POSIX any bytes). A name must be non-empty and contain
/// neither `=` nor NUL; a value must not contain NUL; on Windows both must be valid UTF-8
/// (checked by `spawn()`, which names the offending entry).
///
/// Names are compared as the system compares them. Windows: ordinally and without regard to
/// case, for every letter the system's uppercase table knows, not ASCII only (what
/// `CompareStringOrdinal(..., TRUE)` does): `PEER_äßö` and `PEER_ÄßÖ` are one variable, `ß`
/// and `SS` are two. POSIX: byte for byte. Where two names are one variable the child has it
/// once, under the spelling it had FIRST (the parent's, else the first `set()`), with the
/// last value set.
///
/// What the child inherits and the caller does not change reaches it exactly as the parent
/// has it, even when it is not valid text (POSIX: bytes that are no UTF-8; Windows: UTF-16
/// with an unpaired surrogate). bequest never reads such a variable for the caller: there is
/// no call that returns the parent's environment, and a name that is not valid UTF-16 cannot
/// be given to `set()` or `unset()` (`empty()` leaves it out).
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
