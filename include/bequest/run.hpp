// SPDX-License-Identifier: BSL-1.0
#pragma once

// Run a process to completion and capture what it prints.

#include <bequest/config.hpp>
#include <bequest/exit_status.hpp>
#include <bequest/options.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>

namespace bequest {

/// What `run()` does besides `spawn_options`. An aggregate: every field has the default
/// written beside it.
struct run_options {
  /// Written to the child's stdin through a pipe, which is then closed (end of file). When
  /// empty (`std::nullopt`) stdin is what `spawn_options::in` says. If the child exits or
  /// closes its stdin before reading everything, the rest is dropped: that is not an error.
  std::optional<std::string> input;
  /// Capture stdout into `run_result::out` (replacing `spawn_options::out`).
  bool capture_out = true;
  /// Capture stderr into `run_result::err` (replacing `spawn_options::err`). When false,
  /// stderr is what `spawn_options::err` says, `stdio::to_stdout()` included: then stderr is
  /// captured with stdout, in order, in `run_result::out`.
  bool capture_err = true;
  /// How long the child may run, from the moment it started. Zero (the default): no limit.
  /// When the time is up, the child is killed — with every process it started, if
  /// `spawn_options::process_tree` is set — and `run_result::timed_out` is true.
  std::chrono::milliseconds timeout{0};
  /// The most bytes kept of each captured stream: 64 MiB (the default) each for `out` and
  /// `err`. Past it `run()` goes on reading the stream to its end and drops what it reads, so
  /// the child never blocks on a full pipe and the parent's memory stays near the limit however
  /// much the child writes; `run_result::truncated` says which stream lost bytes. Zero keeps
  /// nothing (the output is drained and dropped); `SIZE_MAX` means no limit, as before this
  /// field existed. 64 MiB is far more than the text programs are usually run for, yet small
  /// enough that both streams together stay an eighth of a GiB when a child floods them.
  std::size_t max_output = std::size_t{64} << 20;
};

/// Which captured streams `run()` cut at `run_options::max_output`.
struct run_truncated {
  bool out = false;  ///< the child wrote more to stdout (stderr too, when merged into it) than was kept
  bool err = false;  ///< the same for stderr
};

/// What `run()` returns.
struct run_result {
  /// How the child ended (killed, when `timed_out`). Meaningless when `run()` reported an error.
  exit_status status = exit_status::exited(-1);
  /// Everything the child wrote to stdout, byte for byte (until the timeout, if it came first),
  /// or its first `run_options::max_output` bytes when `truncated.out`.
  std::string out;
  /// The same for stderr.
  std::string err;
  /// Per stream: the child wrote more than `run_options::max_output` bytes, of which only the
  /// first ones are kept (per stream, because a flood on one says nothing about the other).
  /// Not an error: the child ran to its end, and `status` is how it ended.
  run_truncated truncated;
  /// The timeout ran out: the child (or its tree) was killed, and `out` / `err` hold what it
  /// wrote until then. Also true when the child had exited but another process still held
  /// its stdout or stderr open when the time was up.
  bool timed_out = false;
};

/// Starts `options` and waits for it to end, writing `run.input` to its stdin and collecting
/// its stdout and stderr, all at the same time, so that it never deadlocks however much the
/// child writes or reads, and in whatever order. A non-zero exit is not an error: it is in
/// `run_result::status`. Throws `bequest::error` when the child cannot be started (the
/// message is the one `spawn()` gives) or when reading or writing its pipes fails (the child
/// is then killed and waited for).
///
/// Without a timeout, `run()` returns when the child has exited *and* its stdout and stderr
/// have reached end of file: a grandchild that inherited them keeps `run()` waiting until it
/// closes them or ends.
///
/// The parent keeps at most `run.max_output` bytes of each captured stream (64 MiB by
/// default), and reads and drops the rest, so that a child that writes gigabytes can neither
/// exhaust the parent's memory nor block on a full pipe.
///
/// POSIX: one thread, `poll` on the three non-blocking pipe ends. Windows: one thread,
/// overlapped I/O on the three parent ends (named pipes, see `stdio::async_pipe()`) and
/// `WaitForMultipleObjects`.
[[nodiscard]] BEQUEST_API run_result run(const spawn_options& options, const run_options& run = {});
/// The same, reporting failure through `ec`.
[[nodiscard]] BEQUEST_API run_result run(const spawn_options& options, const run_options& run,
                                         std::error_code& ec) noexcept;
/// The same, also giving the message the throwing form would have thrown.
[[nodiscard]] BEQUEST_API run_result run(const spawn_options& options, const run_options& run, std::error_code& ec,
                                         std::string& message) noexcept;

}  // namespace bequest
