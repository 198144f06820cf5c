// Drives 100 children at once on one thread with Asio: each child's stdout and stderr (merged)
// arrive through an asynchronous pipe and are printed line by line as they come, prefixed
// with the child's number; each child's exit is awaited asynchronously too.
#include <bequest/asio.hpp>
#include <bequest/bequest.hpp>

#include <asio/io_context.hpp>
#include <asio/read_until.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

struct worker {
  int id;
  bequest::child process;
  asio::readable_pipe output;
  std::string buffer;
  int lines = 0;
  bool output_done = false;
  std::optional<bequest::exit_status> status;
};

// Reads one line, prints it, and asks for the next, until the child's output ends.
void read_lines(worker& w) {
  asio::async_read_until(w.output, asio::dynamic_buffer(w.buffer), '\n', [&w](std::error_code ec, std::size_t n) {
    if (ec) {
      // The end of the output is eof on POSIX and broken_pipe on Windows.
      if (!bequest::is_end_of_pipe(ec)) std::cout << "[worker " << w.id << "] read error: " << ec.message() << "\n";
      w.output_done = true;
      return;
    }
    std::string line = w.buffer.substr(0, n - 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a C runtime in text mode
    w.buffer.erase(0, n);
    ++w.lines;
    std::cout << "[worker " << w.id << "] " << line << "\n";
    read_lines(w);
  });
}

}  // namespace

int main(int, char** argv) {
  constexpr int count = 100;
  const std::filesystem::path self(argv[0]);
  const std::string program = (self.parent_path() / ("async_fleet_worker" + self.extension().string())).string();

  asio::io_context io;
  std::vector<std::unique_ptr<worker>> workers;  // stable addresses: the handlers point at them
  for (int i = 0; i < count; ++i) {
    bequest::spawn_options o;
    o.program = program;
    o.args = {std::to_string(i)};
    o.in = bequest::stdio::null();
    o.out = bequest::stdio::async_pipe();  // our end can be used with Asio
    o.err = bequest::stdio::to_stdout();   // 2>&1
    bequest::child c = bequest::spawn(o);
    auto pipe = bequest::make_readable_pipe(io.get_executor(), std::move(c.out()));
    workers.push_back(std::unique_ptr<worker>(new worker{i, std::move(c), std::move(pipe), {}, 0, false, {}}));
  }
  std::cout << "started " << count << " workers\n";

  for (auto& w : workers) {
    read_lines(*w);
    bequest::async_wait(io, w->process, [&w = *w](std::error_code ec, bequest::exit_status s) {
      if (ec) {
        std::cout << "[worker " << w.id << "] wait failed: " << ec.message() << "\n";
        return;
      }
      w.status = s;
    });
  }
  io.run();  // returns when every read and every wait has completed

  int lines = 0, failed = 0, unknown = 0;
  for (const auto& w : workers) {
    lines += w->lines;
    if (!w->status)
      ++unknown;
    else if (!w->status->success())
      ++failed;
  }
  std::cout << count << " workers done: " << lines << " lines, " << failed << " reported failure, " << unknown
            << " unknown\n";
  // Every tenth worker fails on purpose; anything else is a fault of this example.
  const bool as_expected = lines == 4 * count && failed == count / 10 && unknown == 0;
  std::cout << (as_expected ? "as expected" : "NOT as expected") << "\n";
  return as_expected ? 0 : 1;
}
