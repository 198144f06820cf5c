// SPDX-License-Identifier: BSL-1.0
#pragma once

#include <bequest/config.hpp>
#include <bequest/handle.hpp>

#include <filesystem>

namespace bequest {

/// Where one of the child's standard streams (stdin, stdout, stderr) goes.
class stdio {
 public:
  enum class kind {
    inherit,    ///< the parent's own stream of the same number
    null,       ///< the null device (`/dev/null`, `NUL`)
    pipe,       ///< a new pipe; the parent's end is `child::in()` / `out()` / `err()`
    file,       ///< a file opened by `spawn()` (errors name the path)
    handle,     ///< a handle the caller owns and keeps; `spawn()` does not close it
    to_stdout,  ///< stderr only: the same as the child's stdout (`2>&1`)
  };

  [[nodiscard]] static stdio inherit() noexcept { return stdio(kind::inherit); }
  [[nodiscard]] static stdio null() noexcept { return stdio(kind::null); }
  [[nodiscard]] static stdio pipe() noexcept { return stdio(kind::pipe); }
  [[nodiscard]] static stdio file(std::filesystem::path path, file_mode mode = file_mode::automatic) {
    stdio s(kind::file);
    s.path_ = std::move(path);
    s.mode_ = mode;
    return s;
  }
  [[nodiscard]] static stdio handle(native_handle h) noexcept {
    stdio s(kind::handle);
    s.handle_ = h;
    return s;
  }
  [[nodiscard]] static stdio to_stdout() noexcept { return stdio(kind::to_stdout); }

  [[nodiscard]] kind type() const noexcept { return kind_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] file_mode mode() const noexcept { return mode_; }
  [[nodiscard]] native_handle native() const noexcept { return handle_; }

 private:
  explicit stdio(kind k) noexcept : kind_(k) {}
  kind kind_;
  std::filesystem::path path_;
  file_mode mode_ = file_mode::automatic;
  native_handle handle_ = invalid_native_handle;
};

}  // namespace bequest
