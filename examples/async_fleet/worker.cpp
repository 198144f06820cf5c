// A worker for the async_fleet example: prints a few lines, slowly, the way a build step or
// a test prints its progress. Any program would do; this one keeps the example self-contained.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

int main(int argc, char** argv) {
  const int id = argc > 1 ? std::atoi(argv[1]) : 0;
  const auto pause = std::chrono::milliseconds(20 + (id * 37) % 80);
  std::cout << "starting" << std::endl;  // endl flushes: each line leaves at once
  std::this_thread::sleep_for(pause);
  std::cout << "working on item " << id * 7 << std::endl;
  std::this_thread::sleep_for(pause);
  std::cerr << "a note on stderr" << std::endl;
  std::cout << "finished" << std::endl;
  return id % 10 == 9 ? 1 : 0;  // every tenth worker reports a failure
}
