// A parent hands a worker a configuration far too large for a command line or an environment
// (several MiB), through start-up data: one copy into sealed shared memory, mapped read-only
// by each worker. Two workers share the same buffer; each prints what it received and a
// digest, which the parent checks against its own.
#include <bequest/bequest.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

// FNV-1a, 64 bits: the worker computes the same.
std::uint64_t digest(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string make_configuration() {
  std::string config;
  config.reserve(6 << 20);
  for (int i = 0; config.size() < (5u << 20); ++i) {
    config += "service." + std::to_string(i) + ".endpoint = https://backend-" + std::to_string(i % 97) +
              ".internal:8443/api/v2/resource/" + std::to_string(i * 7919 % 100003) + "\n";
  }
  return config;
}

int main(int, char** argv) {
  const std::string config = make_configuration();
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx", static_cast<unsigned long long>(digest(config)));
  std::cout << "parent: configuration of " << config.size() << " bytes, digest " << expected << "\n";

  // One sealed copy for every worker: nothing is copied again at each spawn. (For one child,
  // `o.startup_data = config;` does the same in one line.)
  const bequest::startup_buffer shared = bequest::startup_buffer::copy_of(config);

  const std::filesystem::path self(argv[0]);
  bequest::spawn_options o;
  o.program = (self.parent_path() / ("large_config_worker" + self.extension().string())).string();
  o.startup_data = shared;
  o.out = bequest::stdio::pipe();

  int failures = 0;
  for (int i = 0; i < 2; ++i) {
    o.args = {std::to_string(i)};
    bequest::child worker = bequest::spawn(o);
    std::string said = worker.out().read_all();
    said.erase(std::remove(said.begin(), said.end(), '\r'), said.end());  // a Windows worker's text mode
    const bequest::exit_status status = worker.wait();
    std::cout << said;
    const bool same = said.find(std::string("digest ") + expected) != std::string::npos;
    if (!status.success() || !same) {
      std::cout << "parent: worker " << i << " " << status.to_string() << (same ? "" : ", wrong digest") << "\n";
      ++failures;
    }
  }
  std::cout << (failures ? "parent: FAILED\n" : "parent: both workers saw the whole configuration\n");
  return failures ? 1 : 0;
}
