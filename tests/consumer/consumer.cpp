// SPDX-License-Identifier: BSL-1.0
// Uses bequest as an installed package: starts itself as a child that inherits one pipe end
// by name, reads what the child wrote through it, and catches an error thrown inside the
// library (across the DLL / shared-object boundary in a shared build). Needs nothing of fmt:
// it compiles with fmt's headers out of reach (CMakeLists.txt).
#include <bequest/bequest.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "child") {
    const auto report = bequest::inherited_handle("report");
    if (!report) return 3;
    bequest::unique_handle(*report).write_all(std::string("child of bequest ") + BEQUEST_VERSION_STRING);
    return 0;
  }

  bequest::pipe_ends pipe = bequest::make_pipe();
  bequest::spawn_options options;
  options.program = argv[0];
  options.args = {"child"};
  options.inherit = {{"report", pipe.write.get()}};
  bequest::child child = bequest::spawn(options);
  pipe.write.reset();
  const std::string text = pipe.read.read_all();
  const bequest::exit_status status = child.wait();
  std::printf("consumer: child %s, wrote \"%s\"\n", status.to_string().c_str(), text.c_str());

  std::string error_text;
  try {
    bequest::spawn_options missing;
    missing.program = "bequest-consumer-no-such-program";
    (void)bequest::spawn(missing);
  } catch (const bequest::error& e) {
    error_text = e.what();
  }
  std::printf("consumer: %s\n", error_text.c_str());

  const bool ok = status.success() && text == std::string("child of bequest ") + BEQUEST_VERSION_STRING &&
                  error_text.find("bequest-consumer-no-such-program") != std::string::npos;
  std::printf("consumer: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
