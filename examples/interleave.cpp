// Lab exercise 1: two tasks that interleave. Each logs its start, its progress and its finish;
// with one worker they take turns at every sleep, with more they also run side by side.
//   ./interleave [steps]        (WEFT_PROCS=1 ./interleave shows pure concurrency)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {
weft::task<> worker(std::string name, int steps, std::chrono::milliseconds pause) {
  std::printf("%-6s start\n", name.c_str());
  for (int i = 1; i <= steps; ++i) {
    co_await weft::sleep_for(pause);
    std::printf("%-6s step %d/%d\n", name.c_str(), i, steps);
  }
  std::printf("%-6s finish\n", name.c_str());
}
}  // namespace

int main(int argc, char** argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 3;
  return weft::run([steps]() -> weft::task<int> {
    std::printf("interleave: 2 tasks on %d worker(s)\n", weft::procs());
    weft::task_group g;
    g.spawn(worker("ping", steps, 10ms));
    g.spawn(worker("pong", steps, 15ms));
    co_await g.wait();
    std::printf("both finished\n");
    co_return 0;
  });
}
