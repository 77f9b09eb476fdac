// A program outside the weft tree, built against an installed weft.
#include <cstdio>
#include <weft/weft.hpp>

int main() {
  long sum = weft::run({.procs = 2}, []() -> weft::task<long> {
    long total = 0;
    for (long i = 0; i < 100; ++i) {
      auto h = weft::spawn([i]() -> weft::task<long> { co_return i; });
      total += co_await h;
    }
    co_return total;
  });
  std::printf("sum=%ld\n", sum);
  return sum == 4950 ? 0 : 1;
}
