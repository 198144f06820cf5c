// SPDX-License-Identifier: BSL-1.0
#pragma once

// What every spawn benchmark shares: the interleaved schedule, the statistics and the CSV
// rows that ./dev.sh bench collects into build/bench/summary.csv.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// The samples of one implementation in one parent state.
struct cell {
  std::vector<double> samples_us;  ///< one per spawn (or per turn, where a turn is timed whole)
  std::size_t spawns = 0;
  double busy_s = 0;  ///< time spent in its turns

  void clear() {
    samples_us.clear();
    spawns = 0;
    busy_s = 0;
  }
};

/// How long a cell runs: until `target_spawns`, or until `max_seconds` for a slow one. Either
/// way it meets "at least 200 spawns, or at least 3 s" as long as target_spawns >= 200 and
/// max_seconds >= 3.
struct limits {
  std::size_t target_spawns = 1000;
  double max_seconds = 3.0;
};

inline bool done(const cell& c, const limits& l) {
  return c.spawns >= l.target_spawns || (c.busy_s >= l.max_seconds && c.samples_us.size() >= 10);
}

/// The order in which the implementations take their turns, shuffled anew each round. Shuffled
/// rather than rotated because a turn can slow the one after it (the kernel still tearing down
/// a forked parent's copy, say): a rotation keeps the same neighbours in every round, so one
/// implementation would always follow fork+exec. A fixed seed keeps runs comparable.
class round_order {
 public:
  explicit round_order(std::size_t n) : order_(n) {
    for (std::size_t i = 0; i < n; ++i) order_[i] = i;
  }
  const std::vector<std::size_t>& next() {
    std::shuffle(order_.begin(), order_.end(), random_);
    return order_;
  }

 private:
  std::vector<std::size_t> order_;
  std::mt19937 random_{20261130};
};

/// Runs rounds in which every unfinished cell takes one turn (`turn(i)` for cell i), in a
/// round_order, until every cell is done. Load from elsewhere on the machine then falls on all
/// implementations alike.
template <class Turn>
void interleave(const std::vector<cell*>& cells, const limits& l, Turn&& turn) {
  round_order order(cells.size());
  while (true) {
    bool any = false;
    for (const std::size_t i : order.next()) {
      if (done(*cells[i], l)) continue;
      any = true;
      const auto t0 = clock_type::now();
      turn(i);
      cells[i]->busy_s += seconds_since(t0);
    }
    if (!any) return;
  }
}

inline double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

/// The median of the ratios a[i] / b[i] of samples taken in the same round (the first
/// min(size) of each): a cross-check of the ratio of the medians that pairs each sample with
/// its neighbour in time, so that load which comes and goes cancels out pair by pair.
inline double paired_ratio(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> r;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) r.push_back(a[i] / b[i]);
  return quantile(std::move(r), 0.5);
}

/// One line of the CSV protocol: case,impl,median_us,p90_us,ratio_to_raw,bytes_per_s.
struct row {
  std::string case_name;
  std::string impl;
  double median_us = NAN;
  double p90_us = NAN;
  std::optional<double> ratio_to_raw;
};

/// Creates `path` and writes the header; nullptr (with errno set) when it cannot. For a
/// benchmark that writes its rows as it goes; write_csv writes them all at once.
inline std::FILE* open_csv(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f) std::fprintf(f, "case,impl,median_us,p90_us,ratio_to_raw,bytes_per_s\n");
  return f;
}

/// Writes the header and `rows`; false (with errno set) when the file cannot be written.
inline bool write_csv(const std::string& path, const std::vector<row>& rows) {
  std::FILE* f = open_csv(path);
  if (!f) return false;
  for (const row& r : rows) {
    std::fprintf(f, "%s,%s,%.1f,%.1f,", r.case_name.c_str(), r.impl.c_str(), r.median_us, r.p90_us);
    if (r.ratio_to_raw) std::fprintf(f, "%.3f", *r.ratio_to_raw);
    std::fprintf(f, ",\n");
  }
  return std::fclose(f) == 0;
}

}  // namespace bench
