#include "core/run_queue.hpp"

#include "core/injector.hpp"

namespace weft::detail {

bool run_queue::push_back(task_header* t, injector& overflow) noexcept {
  for (;;) {
    // acquire: pairs with the CAS in steal_batch(); slots a stealer released may be reused.
    auto head = head_.load(std::memory_order_acquire);
    // relaxed: only this thread writes tail_.
    auto tail = tail_.load(std::memory_order_relaxed);
    auto steal = steal_of(head);
    if (tail - steal < k_capacity) {
      slots_[tail & k_mask].store(t, std::memory_order_relaxed);
      // release: publishes the slot (and the task's fields) to stealers; pairs with the acquire
      // load of tail_ in steal_batch().
      tail_.store(tail + 1, std::memory_order_release);
      return false;
    }
    if (steal != real_of(head)) {
      // A stealer is emptying part of the queue right now; don't wait for it.
      overflow.push(t);
      return true;
    }
    if (push_overflow(t, real_of(head), tail, overflow)) return true;
    // Lost a race with a stealer; the queue has room again.
  }
}

bool run_queue::push_overflow(task_header* t, std::uint32_t head, std::uint32_t tail,
                              injector& overflow) noexcept {
  constexpr std::uint32_t half = k_capacity / 2;
  // Claim the older half by moving both indices past it, as a stealer would.
  auto expected = pack(head, head);
  if (!head_.compare_exchange_strong(expected, pack(head + half, head + half),
                                     std::memory_order_release, std::memory_order_relaxed)) {
    return false;
  }
  (void)tail;
  // Link the claimed tasks plus t and hand them to the injector in one lock acquisition.
  task_header* first = slots_[head & k_mask].load(std::memory_order_relaxed);
  task_header* last = first;
  for (std::uint32_t i = 1; i < half; ++i) {
    auto* next = slots_[(head + i) & k_mask].load(std::memory_order_relaxed);
    last->next_ = next;
    last = next;
  }
  last->next_ = t;
  t->next_ = nullptr;
  overflow.push_batch(first, t, half + 1);
  return true;
}

task_header* run_queue::pop() noexcept {
  auto head = head_.load(std::memory_order_acquire);
  for (;;) {
    auto steal = steal_of(head);
    auto real = real_of(head);
    // relaxed: only this thread writes tail_.
    if (real == tail_.load(std::memory_order_relaxed)) return nullptr;
    auto next_real = real + 1;
    auto next = steal == real ? pack(next_real, next_real) : pack(steal, next_real);
    // acq_rel: acquire pairs with a stealer's release of its claim; release keeps our slot read
    // ordered before the slot can be handed to a stealer.
    if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      return slots_[real & k_mask].load(std::memory_order_relaxed);
    }
  }
}

task_header* run_queue::steal_into(run_queue& dst, steal_result& why) noexcept {
  // relaxed: dst is owned by the calling thread.
  auto dst_tail = dst.tail_.load(std::memory_order_relaxed);
  auto dst_steal = steal_of(dst.head_.load(std::memory_order_acquire));
  if (dst_tail - dst_steal > k_capacity / 2) {
    why = steal_result::empty;  // our own queue is half full: we have work, do not steal
    return nullptr;
  }
  auto n = steal_batch(dst, dst_tail, why);
  if (n == 0) return nullptr;
  --n;
  auto* ret = dst.slots_[(dst_tail + n) & k_mask].load(std::memory_order_relaxed);
  // release: publishes the copied slots to thieves of dst; pairs with their acquire of tail_.
  if (n > 0) dst.tail_.store(dst_tail + n, std::memory_order_release);
  why = steal_result::stolen;
  return ret;
}

std::uint32_t run_queue::steal_batch(run_queue& dst, std::uint32_t dst_tail,
                                     steal_result& why) noexcept {
  auto prev = head_.load(std::memory_order_acquire);
  std::uint32_t n = 0;
  std::uint64_t next = 0;
  for (;;) {
    auto steal = steal_of(prev);
    auto real = real_of(prev);
    if (steal != real) {
      why = steal_result::retry;  // another stealer holds the queue
      return 0;
    }
    // acquire: pairs with the release store in push_back(); the slots we copy are written.
    auto tail = tail_.load(std::memory_order_acquire);
    n = tail - real;
    n -= n / 2;
    if (n == 0) {
      why = steal_result::empty;
      return 0;
    }
    next = pack(steal, real + n);
    // acq_rel: acquire orders our slot reads after the claim; release pairs with pop()'s acquire.
    if (head_.compare_exchange_weak(prev, next, std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      break;
    }
  }
  auto first = steal_of(next);
  for (std::uint32_t i = 0; i < n; ++i) {
    auto* t = slots_[(first + i) & k_mask].load(std::memory_order_relaxed);
    dst.slots_[(dst_tail + i) & k_mask].store(t, std::memory_order_relaxed);
  }
  // Release the claim: steal catches up with real (which the owner may have moved meanwhile).
  prev = next;
  for (;;) {
    auto real = real_of(prev);
    // release: our slot reads are done before the owner may reuse those slots.
    if (head_.compare_exchange_weak(prev, pack(real, real), std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
      return n;
    }
  }
}

bool run_queue::empty() const noexcept {
  return size() == 0;
}

std::uint32_t run_queue::size() const noexcept {
  // acquire on both: a conservative view for the parking check; a stale answer is re-checked.
  auto head = head_.load(std::memory_order_acquire);
  auto tail = tail_.load(std::memory_order_acquire);
  return tail - real_of(head);
}

}  // namespace weft::detail
