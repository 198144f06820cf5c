// What `expect` does: run an interactive program on a terminal (spawn_options::terminal),
// wait for its prompt, answer it, and print the whole session as the terminal showed it —
// the answer appears twice when the terminal echoes it, once as typed and once in the reply.
#include <bequest/bequest.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

/// Reads the terminal's output until `marker` has appeared or the output ends.
bool read_until(bequest::child& c, const std::string& marker, std::string& transcript) {
  char buffer[1024];
  while (transcript.find(marker) == std::string::npos) {
    const std::size_t n = c.out().read_some(buffer, sizeof buffer);
    if (n == 0) return false;  // end of file: the program has gone (never an EIO)
    transcript.append(buffer, n);
  }
  return true;
}

}  // namespace

int main(int, char** argv) {
  const std::filesystem::path self(argv[0]);
  bequest::spawn_options o;
  o.program = (self.parent_path() / ("terminal_driver_asker" + self.extension().string())).string();
  o.terminal = bequest::terminal_size{24, 80};

  bequest::child asker = bequest::spawn(o);
  std::string transcript;
  if (!read_until(asker, "name?", transcript)) {
    const bequest::exit_status status = asker.wait();
    std::fprintf(stderr, "terminal_driver: no prompt came (the program %s); it said:\n%s\n",
                 status.code() ? ("exited " + std::to_string(*status.code())).c_str() : "was killed",
                 transcript.c_str());
    return 1;
  }
  // Enter is a carriage return on a terminal; the terminal turns it into the end of a line.
  asker.in().write_all("bequest\r");
  transcript += asker.out().read_all();
  const bequest::exit_status status = asker.wait();

  std::printf("--- transcript ---\n%s\n--- asker: %s ---\n", transcript.c_str(),
              status.success() ? "exited 0" : "failed");
  const bool answered = transcript.find("Hello, bequest!") != std::string::npos;
  return status.success() && answered ? 0 : 1;
}
