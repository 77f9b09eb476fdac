// The live-task registry: every task that has waited holds a slot here until it ends, so that
// shutdown can destroy the tasks still suspended (as Go ends goroutines when main returns) and
// the deadlock report can say what each one waits on. A task spawned on a worker takes its
// slot when it first waits: before that it is always queued or running, and shutdown finds it
// in the queues (worker::drain_unregistered); a fork-join leaf never touches the registry.
//
// Spawning and ending are the hottest paths of the scheduler, so the registry takes no lock:
// each worker owns a shard, an array of slots that only it hands out. A task records its slot.
//   * add (always on the spawner's own shard): pop a free slot index, store the task pointer.
//   * remove on the owning worker: clear the slot, push the index on the owner's free list.
//   * remove on another thread: clear the slot, push the index on the shard's return stack
//     (a lock-free multi-producer stack; the owner takes it whole with one exchange when its
//     free list runs dry, so there is no ABA). Another worker chains its removals per shard
//     and pushes k_return_batch at a time, one CAS for the chain: when a thief runs a flat
//     fork's children, a CAS per task on the spawner's return stack was a tenth of its time.
//     A worker holds back fewer than k_return_batch slots per shard; the owner grows past
//     them if it must.
// Scans (shutdown, deadlock report) happen only while every worker is stopped or parked, and
// read the slots' atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "weft/detail/task_header.hpp"

namespace weft::detail {

class task_registry {
 public:
  // `shards` shards; workers 0 .. shards - 2 may pass their index to remove() as `remover`.
  explicit task_registry(std::size_t shards);
  ~task_registry();

  // `shard` must be owned by the calling thread (a worker's index, or the external shard,
  // which is only used from run()'s thread before the workers start).
  void add(task_header* t, std::size_t shard) noexcept;
  // Any thread. `remover` is the calling worker's index (its shard), or -1 off the workers;
  // the shard's owner (and whoever holds the external shard's lock) passes the shard's index.
  void remove(task_header* t, int remover) noexcept;
  // Visits every live task. Only while the runtime is quiescent.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : shards_) {
      std::lock_guard g(s->grow_m);
      for (auto& c : s->chunks) {
        for (auto& sl : c->slots) {
          if (auto* t = sl.load(std::memory_order_acquire)) f(t);
        }
      }
    }
  }
  // Clears and returns every live task (shutdown).
  std::vector<task_header*> take_all();
  std::size_t size();

 private:
  static constexpr std::uint32_t k_chunk = 1024;
  // Chunks per shard: the directory never moves, so a foreign remover can index it while the
  // owner grows it. 16384 * 1024 = 16M live tasks per worker; beyond that add() terminates.
  static constexpr std::uint32_t k_max_chunks = 16384;
  static constexpr std::uint32_t k_none = 0xffffffffu;
  static constexpr std::uint32_t k_return_batch = 32;
  struct chunk {
    std::array<std::atomic<task_header*>, k_chunk> slots{};
    std::array<std::atomic<std::uint32_t>, k_chunk> next{};  // free-list / return-stack links
  };
  struct alignas(64) shard {
    std::mutex grow_m;  // guards `chunks` growth against scans; taken only when growing
    std::vector<std::unique_ptr<chunk>> chunks;               // owns them; owner and scans only
    std::array<std::atomic<chunk*>, k_max_chunks> dir{};      // chunk i, for any thread
    std::uint32_t free_head = k_none;                         // owner only
    std::uint32_t capacity = 0;                               // owner only
    alignas(64) std::atomic<std::uint32_t> returned{k_none};  // foreign removals
  };
  // Removals a worker has chained for one shard but not yet pushed (that worker only).
  struct held_chain {
    std::uint32_t head = k_none;
    std::uint32_t tail = k_none;
    std::uint32_t count = 0;
  };
  struct alignas(64) remover_row {
    std::vector<held_chain> by_shard;  // sized once, at construction
  };
  static chunk* chunk_of(shard& s, std::uint32_t i) noexcept {
    // acquire: pairs with the release store of a new chunk in take_free().
    return s.dir[i / k_chunk].load(std::memory_order_acquire);
  }
  std::atomic<task_header*>& slot(shard& s, std::uint32_t i) noexcept {
    return chunk_of(s, i)->slots[i % k_chunk];
  }
  std::atomic<std::uint32_t>& link(shard& s, std::uint32_t i) noexcept {
    return chunk_of(s, i)->next[i % k_chunk];
  }
  std::uint32_t take_free(shard& s);
  void push_returned(shard& s, std::uint32_t head, std::uint32_t tail) noexcept;

  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<remover_row> held_;  // by remover worker
};

}  // namespace weft::detail
