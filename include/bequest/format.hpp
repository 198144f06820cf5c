// SPDX-License-Identifier: BSL-1.0
#pragma once

/// @file
/// fmt formatters for bequest's types: `fmt::format("{}", status)` formats an
/// `exit_status` as `exit_status::to_string()` does ("exited with code 3"), and
/// `fmt::format("{}", err)` a `bequest::error` as its `what()`. Both take the format
/// specifications of a string (`{:>30}`).
///
/// Opt-in: the only public header of bequest that uses fmt, and not included by
/// `<bequest/bequest.hpp>`. A program that includes it brings its own fmt (any version from
/// 9 on; the formatters use only `to_string()` and `what()`, so fmt is not part of
/// bequest's ABI and the library itself neither includes nor links it).

#include <bequest/error.hpp>
#include <bequest/exit_status.hpp>

#include <fmt/format.h>

/// @cond fmt_formatters
template <>
struct fmt::formatter<bequest::exit_status> : fmt::formatter<fmt::string_view> {
  template <class FormatContext>
  auto format(const bequest::exit_status& s, FormatContext& ctx) const -> decltype(ctx.out()) {
    const std::string text = s.to_string();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(text), ctx);
  }
};

template <>
struct fmt::formatter<bequest::error> : fmt::formatter<fmt::string_view> {
  template <class FormatContext>
  auto format(const bequest::error& e, FormatContext& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(e.what()), ctx);
  }
};
/// @endcond
