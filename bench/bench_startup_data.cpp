// SPDX-License-Identifier: BSL-1.0
// The start-up data benchmark: the end-to-end time for a parent that holds N bytes to start a
// child that needs all of them in memory and checksums them — spawn, transfer, the child's
// work and its exit included — for N = 1, 64 and 256 MiB:
//
//   bequest startup_data     o.startup_data = bytes (spawn writes them into a sealed memfd or
//                            section once; the child maps it read-only)
//   bequest startup_buffer   startup_buffer::create(N), memcpy into it, spawn, release
//   stdin pipe               the same child reads its stdin into one buffer of N bytes
//   raw memfd (Linux)        no bequest: memfd_create + write + seals + posix_spawn with the
//                            memfd as fd 3, the child maps it itself — the floor that bequest's
//                            own work sits on, measured in the same rounds
//
// usage: bench_startup_data [--csv FILE] [--scale F] [--sizes MIB,MIB,...]
//
// Rows follow the CSV protocol of ./dev.sh bench (case,impl,median_us,p90_us,ratio_to_raw,
// bytes_per_s). The peer here is the pipe: ratio_to_raw is this row's median time over the
// pipe's median time for the same N (0.25 means four times as fast), bytes_per_s is N over
// the median time. The implementations take turns, in an order shuffled every round, so
// that load from elsewhere on the machine falls on all of them alike.
#include <bequest/bequest.hpp>

#include "bench_common.hpp"
#include "self_path.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(_WIN32)
#  include <windows.h>
#else
#  include <climits>
#  include <fcntl.h>
#  include <spawn.h>
#  include <sys/mman.h>
#  include <sys/stat.h>
#  include <sys/wait.h>
#  include <unistd.h>
extern char** environ;  // NOLINT
#endif

namespace {

// --- the few OS facts a benchmark needs (file scope, not library code) --------------------

/// This process's stdin, not owned.
bequest::native_handle standard_input() {
#if defined(_WIN32)
  return ::GetStdHandle(STD_INPUT_HANDLE);
#else
  return 0;
#endif
}

// --- the child ------------------------------------------------------------------------------

std::uint64_t checksum(const unsigned char* p, std::size_t n) {
  // Four independent sums of 64-bit words: memory-bound, so the checksum costs the same
  // whichever way the bytes arrived.
  std::uint64_t s[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      s[k] += w;
    }
  }
  for (; i < n; ++i) s[0] += p[i];
  return s[0] ^ (s[1] * 3) ^ (s[2] * 5) ^ (s[3] * 7) ^ n;
}

int print_checksum(const unsigned char* p, std::size_t n) {
  std::printf("%016llx\n", static_cast<unsigned long long>(checksum(p, n)));
  return std::fflush(stdout) == 0 ? 0 : 3;
}

int child_startup() {
  std::error_code ec;
  const bequest::byte_view data = bequest::startup_data(ec);
  if (ec) {
    std::fprintf(stderr, "child: %s\n", ec.message().c_str());
    return 2;
  }
  return print_checksum(reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

#if !defined(_WIN32)
/// The raw peer's child: the memfd is fd 3.
int child_raw() {
  struct stat st {};
  if (::fstat(3, &st) != 0) return 2;
  const auto n = static_cast<std::size_t>(st.st_size);
  void* p = ::mmap(nullptr, n, PROT_READ, MAP_SHARED | MAP_POPULATE, 3, 0);
  if (p == MAP_FAILED) return 2;
  return print_checksum(static_cast<const unsigned char*>(p), n);
}

/// The raw peer's parent: the same steps as bequest's Linux path, with nothing around them.
void raw_memfd_spawn(const std::string& self, const std::string& held, const std::string& expected) {
  const int fd = ::memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  std::size_t done = 0;
  while (fd >= 0 && done < held.size()) {
    const ssize_t k = ::write(fd, held.data() + done, held.size() - done);
    if (k <= 0) break;
    done += static_cast<std::size_t>(k);
  }
  int out[2];
  const int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
  if (fd < 0 || done != held.size() || ::fcntl(fd, F_ADD_SEALS, seals) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    std::fprintf(stderr, "bench_startup_data: raw memfd setup failed\n");
    std::exit(1);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, 3);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::string arg0 = self, arg1 = "--child-raw";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, self.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  ::close(out[1]);
  std::string said;
  char buffer[256];
  ssize_t k;
  while ((k = ::read(out[0], buffer, sizeof buffer)) > 0) said.append(buffer, static_cast<std::size_t>(k));
  ::close(out[0]);
  int status = 0;
  if (rc == 0) ::waitpid(pid, &status, 0);
  if (rc != 0 || status != 0 || said != expected) {
    std::fprintf(stderr, "bench_startup_data: raw memfd child failed\n");
    std::exit(1);
  }
}
constexpr bool have_raw_peer = true;
#else
int child_raw() { return 2; }
void raw_memfd_spawn(const std::string&, const std::string&, const std::string&) {}
constexpr bool have_raw_peer = false;
#endif

int child_pipe(std::size_t n) {
  // One buffer of the announced size, filled from the pipe as the bytes come.
  std::unique_ptr<unsigned char[]> buffer(new unsigned char[n ? n : 1]);
  bequest::unique_handle in(standard_input());
  std::size_t got = 0;
  std::error_code ec;
  while (got < n) {
    const std::size_t k = in.read_some(buffer.get() + got, n - got, ec);
    if (ec || k == 0) break;
    got += k;
  }
  (void)in.release();
  if (got != n) {
    std::fprintf(stderr, "child: read %zu of %zu bytes\n", got, n);
    return 2;
  }
  return print_checksum(buffer.get(), n);
}

// --- the parent -----------------------------------------------------------------------------

// The schedule and statistics every spawn benchmark shares.
using bench::clock_type;
using bench::quantile;

struct impl {
  const char* name;
  std::vector<double> samples_us;
};

/// Runs the child to completion and checks what it printed.
void finish(bequest::child& c, const std::string& expected, const char* what) {
  std::string said = c.out().read_all();
  said.erase(std::remove(said.begin(), said.end(), '\r'), said.end());
  const bequest::exit_status status = c.wait();
  if (!status.success() || said != expected) {
    std::fprintf(stderr, "bench_startup_data: %s: child %s, printed \"%s\", expected \"%s\"\n", what,
                 status.to_string().c_str(), said.c_str(), expected.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv_path;
  double scale = 1.0;
  std::vector<std::size_t> sizes_mib = {1, 64, 256};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--child-startup") return child_startup();
    if (a == "--child-raw") return child_raw();
    if (a == "--child-pipe" && i + 1 < argc) {
      return child_pipe(static_cast<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10)));
    }
    if (a == "--csv" && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (a == "--scale" && i + 1 < argc) {
      scale = std::atof(argv[++i]);
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes_mib.clear();
      for (const char* p = argv[++i]; *p;) {
        char* end = nullptr;
        sizes_mib.push_back(static_cast<std::size_t>(std::strtoull(p, &end, 10)));
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p) break;
      }
    } else {
      std::fprintf(stderr, "usage: bench_startup_data [--csv FILE] [--scale F] [--sizes MIB,...]\n");
      return 2;
    }
  }
  const std::string self = bench::own_path(argv[0]);

  std::FILE* csv = nullptr;
  if (!csv_path.empty()) {
    csv = bench::open_csv(csv_path);
    if (!csv) {
      std::perror(csv_path.c_str());
      return 1;
    }
  }
  std::printf("%-22s %-24s %10s %10s %10s %9s\n", "case", "impl", "median ms", "p90 ms", "GB/s", "x pipe");

  for (const std::size_t mib : sizes_mib) {
    const std::size_t n = mib << 20;
    // What the parent holds before the clock starts: N bytes, in memory, touched.
    std::string held(n, '\0');
    std::uint64_t x = 0x9E3779B97F4A7C15ull ^ n;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(&held[i], &x, 8);
    }
    char expected_text[20];
    std::snprintf(expected_text, sizeof expected_text, "%016llx\n",
                  static_cast<unsigned long long>(checksum(reinterpret_cast<const unsigned char*>(held.data()), n)));
    const std::string expected = expected_text;

    bequest::spawn_options via_data;
    via_data.program = self;
    via_data.args = {"--child-startup"};
    via_data.out = bequest::stdio::pipe();
    via_data.startup_data = held;  // the options hold their own copy, made here, outside the clock

    bequest::spawn_options via_buffer = via_data;
    via_buffer.startup_data.clear();

    bequest::spawn_options via_pipe;
    via_pipe.program = self;
    via_pipe.args = {"--child-pipe", std::to_string(n)};
    via_pipe.in = bequest::stdio::pipe();
    via_pipe.out = bequest::stdio::pipe();

    std::vector<impl> impls = {{"bequest startup_data", {}}, {"bequest startup_buffer", {}}, {"stdin pipe", {}}};
    if (have_raw_peer) impls.push_back({"raw memfd", {}});
    const int base_rounds = mib <= 1 ? 40 : mib <= 64 ? 10 : 7;
    const int rounds = std::max(3, static_cast<int>(std::lround(base_rounds * scale)));
    bench::round_order order(impls.size());
    for (int round = -1; round < rounds; ++round) {  // round -1 warms up and is not kept
      for (const std::size_t which : order.next()) {
        const auto t0 = clock_type::now();
        if (which == 0) {
          bequest::child c = bequest::spawn(via_data);
          finish(c, expected, impls[which].name);
        } else if (which == 1) {
          bequest::startup_buffer buffer = bequest::startup_buffer::create(n);
          std::memcpy(buffer.data(), held.data(), n);
          via_buffer.startup_data = buffer;
          bequest::child c = bequest::spawn(via_buffer);
          via_buffer.startup_data.clear();
          buffer = bequest::startup_buffer();  // released: the child holds its own mapping
          finish(c, expected, impls[which].name);
        } else if (which == 2) {
          bequest::child c = bequest::spawn(via_pipe);
          c.in().write_all(held);
          c.in().reset();
          finish(c, expected, impls[which].name);
        } else {
          raw_memfd_spawn(self, held, expected);
        }
        const double us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
        if (round >= 0) impls[which].samples_us.push_back(us);
      }
    }

    const double pipe_median = quantile(impls[2].samples_us, 0.5);
    const std::string case_name = "startup data " + std::to_string(mib) + " MiB";
    for (const impl& m : impls) {
      const double median = quantile(m.samples_us, 0.5);
      const double p90 = quantile(m.samples_us, 0.9);
      const double bytes_per_s = static_cast<double>(n) / (median * 1e-6);
      std::printf("%-22s %-24s %10.1f %10.1f %10.2f %9.2f\n", case_name.c_str(), m.name, median / 1000, p90 / 1000,
                  bytes_per_s / 1e9, pipe_median / median);
      if (csv) {
        std::fprintf(csv, "%s,%s,%.1f,%.1f,%.3f,%.0f\n", case_name.c_str(), m.name, median, p90, median / pipe_median,
                     bytes_per_s);
      }
    }
    std::fflush(stdout);
  }
  if (csv && std::fclose(csv) != 0) return 1;
  return 0;
}
