// Progress points (weft::progress): named counters of completed units of work, from which the
// doctor measures throughput. A call costs a relaxed atomic add once its counter is found; a
// small per-thread cache keyed by the name's address finds it without the registry's lock for
// the usual string-literal names.
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "observe/progress.hpp"
#include "weft/observe.hpp"

namespace weft::detail {

namespace {
struct progress_registry {
  std::mutex m;
  std::map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>, std::less<>> counters;
};
progress_registry& registry() {
  static auto* r = new progress_registry();  // never destroyed: used until the process ends
  return *r;
}

struct cache_entry {
  const char* data = nullptr;
  std::size_t size = 0;
  std::atomic<std::uint64_t>* counter = nullptr;
};
thread_local std::array<cache_entry, 8> tl_cache{};
thread_local std::size_t tl_next = 0;

std::atomic<std::uint64_t>* find(std::string_view name) {
  for (auto& e : tl_cache) {
    if (e.data == name.data() && e.size == name.size()) return e.counter;
  }
  auto& r = registry();
  std::atomic<std::uint64_t>* c = nullptr;
  {
    std::lock_guard g(r.m);
    auto it = r.counters.find(name);
    if (it == r.counters.end()) {
      it = r.counters.emplace(std::string(name), std::make_unique<std::atomic<std::uint64_t>>(0))
               .first;
    }
    c = it->second.get();
  }
  tl_cache[tl_next++ % tl_cache.size()] = {name.data(), name.size(), c};
  return c;
}
}  // namespace

std::map<std::string, std::uint64_t> progress_totals() {
  auto& r = registry();
  std::lock_guard g(r.m);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [k, v] : r.counters) out[k] = v->load(std::memory_order_relaxed);
  return out;
}

}  // namespace weft::detail

namespace weft {

void progress(std::string_view name, std::uint64_t n) {
  // relaxed: a statistic, read once the runtime has stopped.
  detail::find(name)->fetch_add(n, std::memory_order_relaxed);
}

}  // namespace weft
