#include "weft/pool.hpp"

#include "weft/observe.hpp"

namespace weft {

namespace {
int resolve_workers(int requested) {
  if (requested < 0) {
    throw config_error("weft::worker_pool: workers = " + std::to_string(requested) +
                       " must be positive (or 0 for procs())");
  }
  int w = requested == 0 ? procs() : requested;
  // More CPU workers than procs cannot run at once; it is allowed (I/O-ish jobs) but recorded
  // so the doctor can point at it.
  if (w > procs()) metrics::note_pool_oversubscribed(w, procs());
  return w;
}
}  // namespace

worker_pool::worker_pool(pool_options o)
    : workers_(resolve_workers(o.workers)),
      queue_(o.queue),
      running_(static_cast<std::size_t>(workers_), o.name + ".workers"),
      queued_(o.queue, o.name + ".queue"),
      pending_(o.name + ".jobs") {
  if (o.queue == 0) throw config_error("weft::worker_pool: queue = 0 must be at least 1");
}

void worker_pool::check_open() const {
  if (closed_.load(std::memory_order_acquire)) {
    throw usage_error("weft::worker_pool::submit: the pool is closed");
  }
}

void worker_pool::note_waiting(int delta) noexcept {
  // relaxed: statistics; the semaphores do the synchronization.
  if (delta > 0) {
    auto now = waiting_.fetch_add(1, std::memory_order_relaxed) + 1;
    auto m = max_waiting_.load(std::memory_order_relaxed);
    while (now > m && !max_waiting_.compare_exchange_weak(m, now, std::memory_order_relaxed)) {
    }
  } else {
    waiting_.fetch_sub(1, std::memory_order_relaxed);
  }
}

}  // namespace weft
