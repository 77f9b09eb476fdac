// weft-demos NAME: runs one of the doctor's built-in workloads. `weft doctor --demo NAME` runs
// this program (found beside the `weft` executable) under its sweep.
#include <cstdio>
#include <exception>
#include <string_view>
#include <utility>

#include "demos/burn.hpp"
#include "demos/catalog.hpp"
#include "demos/demos.hpp"

namespace {
constexpr std::pair<std::string_view, int (*)()> k_runners[] = {
    {"fine-grain", &weft_demos::run_fine_grain},
    {"contended-mutex", &weft_demos::run_contended_mutex},
    {"shared-counter", &weft_demos::run_shared_counter},
    {"imbalanced", &weft_demos::run_imbalanced},
    {"serial-chain", &weft_demos::run_serial_chain},
    {"oversubscribed", &weft_demos::run_oversubscribed},
    {"io-wait", &weft_demos::run_io_wait},
    {"healthy", &weft_demos::run_healthy},
};
static_assert(std::size(k_runners) == weft_demos::k_catalog.size(), "one runner per demo");

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: weft-demos NAME | --list | --help\n"
               "Runs one of weft doctor's built-in workloads, with procs from WEFT_PROCS.\n\n");
  for (const auto& d : weft_demos::k_catalog) {
    std::fprintf(out, "  %-16.*s %.*s\n  %-16s (built to show: %.*s)\n",
                 static_cast<int>(d.name.size()), d.name.data(), static_cast<int>(d.what.size()),
                 d.what.data(), "", static_cast<int>(d.designed_for.size()), d.designed_for.data());
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    usage(stderr);
    return 2;
  }
  std::string_view arg = argv[1];
  if (arg == "--help" || arg == "-h") {
    usage(stdout);
    return 0;
  }
  if (arg == "--list") {
    for (const auto& d : weft_demos::k_catalog) {
      std::printf("%.*s\n", static_cast<int>(d.name.size()), d.name.data());
    }
    return 0;
  }
  for (const auto& [name, run] : k_runners) {
    if (arg != name) continue;
    try {
      weft_demos::calibrate();
      return run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "weft-demos %s: %s\n", argv[1], e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "weft-demos: unknown demo '%s' (weft-demos --list names them)\n", argv[1]);
  return 2;
}
