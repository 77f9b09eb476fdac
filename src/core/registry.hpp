// The live-task registry: every started task is linked here until it ends, so that shutdown can
// destroy the tasks still suspended (as Go ends goroutines when main returns) and the deadlock
// report can say what each one waits on. Sharded per worker: a task registers on its
// spawner's shard and unregisters from the same shard, so the lock is almost never contended.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "weft/detail/spin_lock.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

class task_registry {
 public:
  explicit task_registry(std::size_t shards);

  void add(task_header* t, std::size_t shard) noexcept;
  void remove(task_header* t) noexcept;
  // Visits every live task under its shard's lock.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : shards_) {
      std::lock_guard g(s->lock);
      for (auto* t = s->head; t; t = t->live_next_) f(t);
    }
  }
  // Unlinks and returns every live task (shutdown).
  std::vector<task_header*> take_all();
  std::size_t size();

 private:
  struct alignas(64) shard {
    spin_lock lock;
    task_header* head = nullptr;
    std::size_t count = 0;
  };
  std::vector<std::unique_ptr<shard>> shards_;
};

}  // namespace weft::detail
