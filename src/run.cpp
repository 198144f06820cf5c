// SPDX-License-Identifier: BSL-1.0
// run(): start, feed stdin, capture stdout and stderr, wait — with an optional timeout. The
// moving of bytes in all three directions at once is the backend's (os::communicate).
#include <bequest/error.hpp>
#include <bequest/run.hpp>

#include "child_impl.hpp"
#include "platform.hpp"
#include "spawn.hpp"

#include "text_format.hpp"

#include <new>

namespace bequest {
namespace detail {
namespace {

using clock = std::chrono::steady_clock;

void end_child(child& c, child_impl& impl) {
  std::error_code ignored;
  if (impl.tree) c.kill_tree(ignored);
  c.kill(ignored);
}

}  // namespace

void os::output_sink::keep(const char* data, std::size_t n) {
  const std::size_t room = limit - text->size();  // the text never grows past the limit
  const std::size_t kept = n < room ? n : room;
  if (kept < n) truncated = true;
  if (kept == 0) return;
  const std::size_t needed = text->size() + kept;
  if (needed > text->capacity()) {
    // Grow by doubling, as std::string does, but never past the limit: a string's own growth
    // could reserve up to twice the limit for the last bytes, and reserve() on a non-empty
    // string may round up the same way. A new string reserved from empty gets exactly what it
    // asks for, so at the worst moment the old and new blocks hold twice the limit.
    std::size_t wanted = text->capacity() < limit / 2 ? text->capacity() * 2 : limit;
    if (wanted < needed) wanted = needed;
    std::string grown;
    grown.reserve(wanted);
    grown.append(*text);
    text->swap(grown);
  }
  text->append(data, kept);
}

namespace {

void run_child(const spawn_options& o, const run_options& r, run_result& result, failure& f) {
  spawn_options options = o;
  if (r.input) options.in = stdio::async_pipe();
  if (r.capture_out) options.out = stdio::async_pipe();
  if (r.capture_err) options.err = stdio::async_pipe();
  child c = spawn_child(options, f);
  if (!c) return;
  const auto started = clock::now();
  std::optional<clock::time_point> deadline;
  if (r.timeout.count() > 0) deadline = started + r.timeout;

  child_impl& impl = *child_access::impl(c);
  // A pipe the caller asked for in spawn_options that run() does not drive would leave the
  // child waiting on it: stdin reads end of file at once, output pipes are closed.
  if (!r.input) impl.in.reset();
  if (!r.capture_out) impl.out.reset();
  if (!r.capture_err) impl.err.reset();

  os::transfer t;
  os::output_sink out_sink{&result.out, r.max_output};
  os::output_sink err_sink{&result.err, r.max_output};
  if (r.input) {
    t.in = &impl.in;
    t.input = *r.input;
  }
  if (r.capture_out) {
    t.out = &impl.out;
    t.out_sink = &out_sink;
  }
  if (r.capture_err) {
    t.err = &impl.err;
    t.err_sink = &err_sink;
  }
  std::error_code ec;
  const char* step = "";
  bool finished;
  try {
    finished = os::communicate(t, deadline, ec, step);
  } catch (...) {
    end_child(c, impl);
    (void)c.wait(ec);
    throw;
  }
  result.truncated.out = out_sink.truncated;
  result.truncated.err = err_sink.truncated;
  if (ec) {
    f.code = ec;
    f.message = detail::text::format("run \"{}\": {}", o.program, step);
    end_child(c, impl);
    (void)c.wait(ec);
    return;
  }
  if (!finished) {
    result.timed_out = true;
    end_child(c, impl);
  } else if (deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now());
    if (!c.wait_for(left.count() > 0 ? left : std::chrono::milliseconds(0), ec) && !ec) {
      result.timed_out = true;
      end_child(c, impl);
    }
  }
  impl.in.reset();
  impl.out.reset();
  impl.err.reset();
  result.status = c.wait(ec);
  if (ec) {
    f.code = ec;
    f.message = detail::text::format("run \"{}\": wait for process {}", o.program, c.pid());
  }
}

run_result run_noexcept(const spawn_options& o, const run_options& r, failure& f) noexcept {
  run_result result;
  try {
    run_child(o, r, result, f);
  } catch (const std::bad_alloc&) {
    f.code = make_error_code(std::errc::not_enough_memory);
    f.message = "run: allocate";
  } catch (const std::exception& e) {
    f.code = make_error_code(std::errc::invalid_argument);
    f.message = std::string("run: ") + e.what();
  }
  return result;
}

}  // namespace
}  // namespace detail

run_result run(const spawn_options& options, const run_options& r) {
  detail::failure f;
  run_result result = detail::run_noexcept(options, r, f);
  if (f.code) throw error(f.code, f.message);
  return result;
}

run_result run(const spawn_options& options, const run_options& r, std::error_code& ec) noexcept {
  detail::failure f;
  run_result result = detail::run_noexcept(options, r, f);
  ec = f.code;
  return result;
}

run_result run(const spawn_options& options, const run_options& r, std::error_code& ec, std::string& message) noexcept {
  detail::failure f;
  run_result result = detail::run_noexcept(options, r, f);
  ec = f.code;
  try {
    message = f.code ? detail::full_message(f) : std::string();
  } catch (const std::bad_alloc&) {
    message.clear();
  }
  return result;
}

}  // namespace bequest
