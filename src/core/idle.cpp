#include "core/idle.hpp"

#include <algorithm>

namespace weft::detail {

namespace {
constexpr std::uint32_t k_unpark_one = 1u << 16;
constexpr std::uint32_t k_search_mask = 0xffff;
}  // namespace

idle::idle(int procs) : procs_(procs), state_(static_cast<std::uint32_t>(procs) << 16) {
  sleepers_.reserve(static_cast<std::size_t>(procs));
}

bool idle::try_start_searching() noexcept {
  // The limit is approximate: two workers may both pass it; that costs a little extra search.
  auto s = state_.load(std::memory_order_seq_cst);
  if (2 * (s & k_search_mask) >= static_cast<std::uint32_t>(procs_)) return false;
  state_.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

bool idle::stop_searching() noexcept {
  return (state_.fetch_sub(1, std::memory_order_seq_cst) & k_search_mask) == 1;
}

bool idle::park_worker(int id, bool searching) {
  std::lock_guard g(lock_);
  std::uint32_t dec = k_unpark_one + (searching ? 1u : 0u);
  auto prev = state_.fetch_sub(dec, std::memory_order_seq_cst);
  sleepers_.push_back(id);
  return searching && (prev & k_search_mask) == 1;
}

bool idle::unpark_self(int id) {
  std::lock_guard g(lock_);
  auto it = std::find(sleepers_.begin(), sleepers_.end(), id);
  if (it == sleepers_.end()) return false;
  sleepers_.erase(it);
  state_.fetch_add(k_unpark_one, std::memory_order_seq_cst);
  return true;
}

bool idle::notify_should_wakeup() noexcept {
  // An RMW, not a load: every change to state_ is an RMW, so ours is ordered against a
  // parker's in state_'s modification order. Either the parker's decrement comes first and we
  // see it, or ours comes first and the parker's acquire RMW synchronizes with it, so its
  // re-check of the queues sees the task published before this call. (A fence would do the
  // same but ThreadSanitizer cannot follow fences.)
  auto s = state_.fetch_add(0, std::memory_order_acq_rel);
  return (s & k_search_mask) == 0 && (s >> 16) < static_cast<std::uint32_t>(procs_);
}

int idle::worker_to_notify() {
  // The producer's half of the parking handshake (see the header).
  if (!notify_should_wakeup()) return -1;
  std::lock_guard g(lock_);
  if (!notify_should_wakeup() || sleepers_.empty()) return -1;
  int id = sleepers_.back();
  sleepers_.pop_back();
  state_.fetch_add(k_unpark_one + 1, std::memory_order_seq_cst);
  return id;
}

std::vector<int> idle::take_all_sleepers() {
  std::lock_guard g(lock_);
  std::vector<int> out;
  out.swap(sleepers_);
  state_.fetch_add(static_cast<std::uint32_t>(out.size()) * k_unpark_one,
                   std::memory_order_seq_cst);
  return out;
}

}  // namespace weft::detail
