// SPDX-License-Identifier: BSL-1.0
// Opts in to <bequest/format.hpp> with the consumer's own fmt: bequest's types format as
// their to_string() / what().
#include <bequest/bequest.hpp>
#include <bequest/format.hpp>

#include <fmt/format.h>

#include <string>

int main() {
  const std::string status = fmt::format("{:>20}", bequest::exit_status::exited(3));
  std::string error_text;
  try {
    bequest::spawn_options missing;
    missing.program = "bequest-consumer-no-such-program";
    (void)bequest::spawn(missing);
  } catch (const bequest::error& e) {
    error_text = fmt::format("{}", e);
  }
  const bool ok =
      status == "  exited with code 3" && error_text.find("bequest-consumer-no-such-program") != std::string::npos;
  fmt::print("consumer_format: \"{}\", \"{}\"\nconsumer_format: {}\n", status, error_text, ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
