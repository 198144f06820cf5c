// SPDX-License-Identifier: BSL-1.0
// The terminal benchmark: how fast a child's output reaches the parent through a terminal
// (spawn_options::terminal: a pseudo-terminal on POSIX, a pseudoconsole on Windows) against a
// pipe (stdio::pipe()). The child, flood_child, writes N MiB of text lines to its stdout and
// exits; the parent reads child::out() until end of file and waits. Timed: from spawn to the
// end of the wait. Throughput: the N MiB the child wrote over that time.
//
//   bench_terminal [--csv FILE] [--scale F] [--sizes MIB,MIB,...] [--rounds R]
//
// The two take turns, in an order shuffled every round (bench_common.hpp), so that load from
// elsewhere on the machine falls on both alike; a warm-up round is not kept. The table also
// gives the bytes read from out(), which a terminal may change: a pseudo-terminal turns each
// "\n" into "\r\n" (ONLCR); Windows' conhost renders its screen as VT sequences (and before
// microsoft/terminal#17510 could skip what scrolled past between two frames); Wine's passes
// the text on with "\r\n" and a few escape sequences. --scale F runs 7 x F rounds (at least 3);
// --rounds R sets the 7.
//
// Rows follow the CSV protocol of ./dev.sh bench (case,impl,median_us,p90_us,ratio_to_raw,
// bytes_per_s), as bench_startup_data's do: the peer is the pipe, so ratio_to_raw is this
// row's median time over the pipe's median time for the same N (50 means fifty times as slow),
// and bytes_per_s is N over the median time.
#include <bequest/bequest.hpp>

#include "bench_common.hpp"
#include "self_path.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

// --- what differs between the platforms ------------------------------------------------------

#if defined(_WIN32)
const char* const child_name = "flood_child.exe";
// A pseudoconsole under Wine is slower than a pseudo-terminal on Linux: these sizes keep the
// whole run well under a minute there.
const std::vector<unsigned> default_sizes_mib = {4, 16};
#else
const char* const child_name = "flood_child";
const std::vector<unsigned> default_sizes_mib = {16, 64};
#endif

// --- the parent -----------------------------------------------------------------------------

using bench::clock_type;
using bench::quantile;

struct impl {
  const char* name;
  bool terminal;
  std::vector<double> samples_us;
  std::vector<double> bytes_read;  ///< one per kept run
};

/// One run: spawn, read out() to end of file, wait. Returns the bytes read; exits on failure.
std::size_t run(const bequest::spawn_options& o, const impl& m, std::vector<char>& buffer) {
  bequest::child c = bequest::spawn(o);
  std::size_t got = 0;
  while (const std::size_t k = c.out().read_some(buffer.data(), buffer.size())) got += k;
  const bequest::exit_status status = c.wait();
  if (!status.success()) {
    std::fprintf(stderr, "bench_terminal: %s: flood_child %s (3: not the output it was told; 4: a write failed)\n",
                 m.name, status.to_string().c_str());
    std::exit(1);
  }
  return got;
}

bool parse_sizes(const char* p, std::vector<unsigned>& out) {
  out.clear();
  while (*p) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(p, &end, 10);
    if (end == p || v == 0 || v > 4096 || (*end != ',' && *end != '\0')) return false;
    out.push_back(static_cast<unsigned>(v));
    p = *end == ',' ? end + 1 : end;
  }
  return !out.empty();
}

int usage() {
  std::fprintf(stderr, "usage: bench_terminal [--csv FILE] [--scale F] [--sizes MIB,MIB,...] [--rounds R]\n");
  return 2;
}

int bench_main(int argc, char** argv) {
  std::string csv_path;
  double scale = 1.0;
  int base_rounds = 7;
  std::vector<unsigned> sizes_mib = default_sizes_mib;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--csv" && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (a == "--scale" && i + 1 < argc) {
      scale = std::atof(argv[++i]);
      if (!(scale > 0)) return usage();
    } else if (a == "--rounds" && i + 1 < argc) {
      base_rounds = std::atoi(argv[++i]);
      if (base_rounds < 1) return usage();
    } else if (a == "--sizes" && i + 1 < argc) {
      if (!parse_sizes(argv[++i], sizes_mib)) {
        std::fprintf(stderr, "bench_terminal: --sizes wants MiB counts from 1 to 4096, comma-separated\n");
        return 2;
      }
    } else {
      return usage();
    }
  }
  const int rounds = std::max(3, static_cast<int>(std::lround(base_rounds * scale)));
  const std::string self = bench::own_path(argv[0]);
  const std::string child = self.substr(0, self.find_last_of("\\/") + 1) + child_name;

  std::FILE* const csv = csv_path.empty() ? nullptr : bench::open_csv(csv_path);
  if (!csv_path.empty() && !csv) {
    std::perror(csv_path.c_str());
    return 1;
  }
  std::printf("%d rounds (and one warm-up) of each; the child writes lines of 64 bytes\n", rounds);
  std::printf("%-24s %-9s %10s %10s %10s %9s %12s %9s\n", "case", "impl", "median ms", "p90 ms", "MiB/s", "x pipe",
              "read MiB", "read/N");

  for (const unsigned mib : sizes_mib) {
    const double n = static_cast<double>(mib) * 1048576.0;
    std::vector<impl> impls = {{"pipe", false, {}, {}}, {"terminal", true, {}, {}}};
    bequest::spawn_options via_pipe;
    via_pipe.program = child;
    via_pipe.args = {std::to_string(mib), "pipe"};
    via_pipe.out = bequest::stdio::pipe();
    bequest::spawn_options via_terminal;
    via_terminal.program = child;
    via_terminal.args = {std::to_string(mib), "terminal"};
    via_terminal.terminal = bequest::terminal_size{24, 80};

    std::vector<char> buffer(std::size_t{64} << 10);  // what each read_some may fill
    bench::round_order order(impls.size());
    for (int round = -1; round < rounds; ++round) {  // round -1 warms up and is not kept
      for (const std::size_t which : order.next()) {
        impl& m = impls[which];
        const auto t0 = clock_type::now();
        const std::size_t got = run(m.terminal ? via_terminal : via_pipe, m, buffer);
        const double us = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
        if (!m.terminal && static_cast<double>(got) != n) {
          std::fprintf(stderr, "bench_terminal: pipe: read %zu bytes, the child wrote %.0f\n", got, n);
          return 1;
        }
        if (round >= 0) {
          m.samples_us.push_back(us);
          m.bytes_read.push_back(static_cast<double>(got));
        }
      }
    }

    const double pipe_median = quantile(impls[0].samples_us, 0.5);
    const std::string case_name = "terminal output " + std::to_string(mib) + " MiB";
    for (const impl& m : impls) {
      const double median = quantile(m.samples_us, 0.5);
      const double p90 = quantile(m.samples_us, 0.9);
      const double bytes_per_s = n / (median * 1e-6);
      const double read = quantile(m.bytes_read, 0.5);
      std::printf("%-24s %-9s %10.1f %10.1f %10.1f %9.3f %12.2f %9.4f\n", case_name.c_str(), m.name, median / 1000,
                  p90 / 1000, bytes_per_s / 1048576.0, pipe_median / median, read / 1048576.0, read / n);
      if (csv) {
        std::fprintf(csv, "%s,%s,%.1f,%.1f,%.3f,%.0f\n", case_name.c_str(), m.name, median, p90, median / pipe_median,
                     bytes_per_s);
      }
    }
    std::fflush(stdout);
  }
  if (csv && std::fclose(csv) != 0) {
    std::perror(csv_path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return bench_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_terminal: %s\n", e.what());
    return 1;
  }
}
