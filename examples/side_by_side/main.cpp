// SPDX-License-Identifier: BSL-1.0
// What bequest is for, measured: the same children started twice while other threads start
// "inherit everything" children one after another — once the usual way, with the raw API as
// libraries without bequest do it (os_posix.cpp, os_win32.cpp), once with bequest::spawn — and
// how many handles crossed in either direction.
//
// The handles are files with unique names: each of our children is given one, each rogue
// child's stdout is one of its spawner's. Every child (this program, run as "list TAG") lists
// the files of this run it holds, so a crossing is seen, not assumed; and a child that did not
// see its own file would make the run fail, so a zero cannot come from a lister that sees
// nothing.
#include "os.hpp"

#include <bequest/bequest.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
namespace sbs = side_by_side;

namespace {

constexpr int our_children = 40;
constexpr int rogue_threads = 3;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else if (c != '\r') {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The child's part: the names of this run's files among those it holds, one per handle.
int list_files(const std::string& tag) {
  for (const std::string& path : sbs::open_file_paths()) {
    if (path.find(tag) != std::string::npos) std::cout << base_name(path) << "\n";
  }
  return 0;
}

struct tally {
  int children = 0, crossed_in = 0, children_hit = 0;  // our children, and what they received
  int rogues = 0, crossed_out = 0, rogues_hit = 0;     // the rogues' children, and ours they received
  int blind = 0;                                       // children that did not see their own file
  std::string error;                                   // a failure to start a rogue child
};

// A child's listing against the one file it was given: how many of the other entries `foreign`
// picks out; `saw_own` tells whether its own file was there.
int crossings(const std::vector<std::string>& seen, const std::string& own, bool& saw_own,
              const std::function<bool(const std::string&)>& foreign) {
  int n = 0;
  saw_own = false;
  for (const std::string& name : seen) {
    if (name == own) {
      saw_own = true;
    } else if (foreign(name)) {
      ++n;
    }
  }
  return n;
}

using start_fn = std::function<std::string(const fs::path& file)>;

// One side: our children started by `start` while the rogue threads run.
tally run_side(const std::string& self, const fs::path& dir, const std::string& side, const start_fn& start) {
  const std::string tag = dir.filename().string();
  tally t;
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::atomic<int> rogues_started{0};
  std::vector<std::thread> rogues;
  for (int r = 0; r < rogue_threads; ++r) {
    rogues.emplace_back([&, r] {
      try {
        for (int n = 0; !stop; ++n) {
          const std::string name = "rogue-" + side + "-" + std::to_string(r) + "-" + std::to_string(n);
          const fs::path path = dir / name;
          bequest::native_handle out = sbs::create_inheritable_file(path.string());
          ++rogues_started;
          sbs::rogue_spawn(self, {"list", tag}, out);
          sbs::close_handle(out);
          std::ifstream in(path, std::ios::binary);
          const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          in.close();
          bool saw_own = false;
          const int n_ours =
              crossings(lines_of(text), name, saw_own, [](const std::string& s) { return s.rfind("ours-", 0) == 0; });
          std::lock_guard<std::mutex> lock(mutex);
          ++t.rogues;
          t.crossed_out += n_ours;
          t.rogues_hit += n_ours > 0;
          t.blind += !saw_own;
          // A pause between rogue spawns: flat out, three rogue threads starve Wine's
          // wineserver (it has crashed under that load); a few ms still overlap every spawn.
          std::this_thread::sleep_for(std::chrono::milliseconds(3));
        }
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex);
        t.error = e.what();
        ++rogues_started;
      }
    });
  }
  while (rogues_started < rogue_threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  for (int i = 0; i < our_children; ++i) {
    const std::string name = "ours-" + side + "-" + std::to_string(i);
    const std::vector<std::string> seen = lines_of(start(dir / name));
    bool saw_own = false;
    // Whatever else of this run it holds came from a rogue (or from another of our children).
    const int n = crossings(seen, name, saw_own, [](const std::string&) { return true; });
    std::lock_guard<std::mutex> lock(mutex);
    ++t.children;
    t.crossed_in += n;
    t.children_hit += n > 0;
    t.blind += !saw_own;
  }
  stop = true;
  for (std::thread& r : rogues) r.join();
  return t;
}

void print_side(const std::string& title, const tally& t) {
  auto row = [](const std::string& label, int n, const std::string& what, int hit, int of) {
    std::cout << "  " << std::left << std::setw(26) << label << std::right << std::setw(5) << n;
    if (n > 0) std::cout << " handles of " << what << " (" << hit << " of the " << of << " children got some)";
    std::cout << "\n";
  };
  std::cout << title << "\n";
  row("into our " + std::to_string(t.children) + " children:", t.crossed_in, "the rogues' files", t.children_hit,
      t.children);
  row("into " + std::to_string(t.rogues) + " rogue children:", t.crossed_out, "our files", t.rogues_hit, t.rogues);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "list") return list_files(argv[2]);
  if (argc != 1) {
    std::cerr << "usage: side_by_side\n";
    return 2;
  }
  try {
    const std::string self = fs::absolute(argv[0]).string();
    const fs::path dir = fs::temp_directory_path() / ("bequest-side-by-side-" + std::to_string(sbs::process_id()));
    fs::create_directories(dir);
    const std::string tag = dir.filename().string();

    std::cout << "Side by side on " << sbs::platform_name() << ": " << our_children
              << " children started one after another\nwhile " << rogue_threads
              << " other threads start \"inherit everything\" children one after another:\n  " << sbs::rogue_way()
              << ".\n"
              << "Each of our children is given one file; each rogue child's stdout is a file of its spawner.\n"
              << "Every child lists the files it holds: what crossed is counted, not assumed.\n\n";

    const tally usual = run_side(self, dir, "usual", [&](const fs::path& file) {
      bequest::native_handle f = sbs::create_inheritable_file(file.string());
      std::string listing = sbs::usual_spawn(self, {"list", tag}, f);
      sbs::close_handle(f);
      return listing;
    });
    const tally ours = run_side(self, dir, "bequest", [&](const fs::path& file) {
      bequest::unique_handle f = bequest::open_file(file, bequest::file_mode::read_write);
      bequest::spawn_options o;
      o.program = self;
      o.args = {"list", tag};
      o.out = bequest::stdio::pipe();
      o.inherit = {{"data", f.get()}};
      bequest::child c = bequest::spawn(o);
      std::string listing = c.out().read_all();
      c.wait();
      return listing;
    });

    print_side("the usual way: " + sbs::usual_way(), usual);
    print_side("bequest::spawn", ours);
    std::error_code ignored;
    fs::remove_all(dir, ignored);

    int failed = 0;
    for (const tally* t : {&usual, &ours}) {
      if (!t->error.empty()) {
        std::cout << "a rogue failed: " << t->error << "\n";
        failed = 1;
      }
      if (t->blind > 0) {
        std::cout << t->blind << " children did not see their own file: the listing does not work here\n";
        failed = 1;
      }
    }
    if (ours.crossed_out > 0) {
      std::cout << "bequest's handles reached other children: the promise is broken\n";
      failed = 1;
    }
    if (ours.crossed_in > 0 && bequest::exact_inheritance()) {
      std::cout << "other code's handles reached bequest's children: the promise is broken\n";
      failed = 1;
    } else if (ours.crossed_in > 0) {
      std::cout << "(this build's fallback closes no descriptors in the child, so descriptors other code\n"
                   " opened without O_CLOEXEC reach bequest's children: bequest::exact_inheritance() is false)\n";
    }
    return failed;
  } catch (const std::exception& e) {
    std::cerr << "side_by_side: " << e.what() << "\n";
    return 1;
  }
}
