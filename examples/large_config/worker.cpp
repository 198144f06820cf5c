// The worker of examples/large_config: reads its configuration from start-up data.
#include <bequest/bequest.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string_view>

int main(int argc, char** argv) {
  std::error_code ec;
  // Read-only, mapped straight from the parent's shared memory: no pipe, no copy.
  const std::string_view config = bequest::startup_data(ec).as_string_view();
  if (ec) {
    std::cerr << "worker: no usable start-up data: " << ec.message() << "\n";
    return 2;
  }
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : config) h = (h ^ c) * 0x100000001b3ull;
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(h));
  const auto lines = std::count(config.begin(), config.end(), '\n');
  std::cout << "worker " << (argc > 1 ? argv[1] : "?") << ": " << config.size() << " bytes, " << lines
            << " settings, digest " << digest << "\n";
  return 0;
}
