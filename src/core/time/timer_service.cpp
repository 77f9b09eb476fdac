#include "core/time/timer_service.hpp"

#include "weft/time.hpp"

#include "weft/detail/spin_lock.hpp"

namespace weft::detail {

std::uint64_t timer_service::to_us(clock::time_point t) noexcept {
  return deadline_us(t);
}

void timer_service::refresh_locked() noexcept {
  auto n = wheel_.next_expiration();
  // release: pairs with the acquire in next_deadline(); relaxed readers only poll.
  next_.store(n ? *n : k_never, std::memory_order_release);
  pending_.store(wheel_.size(), std::memory_order_release);
}

timer_service::add_result timer_service::add(timer_entry* e) {
  std::lock_guard g(m_);
  if (e->when_us_ <= wheel_.elapsed() || e->when_us_ <= now_us()) {
    return add_result::due;
  }
  auto before = next_.load(std::memory_order_relaxed);
  wheel_.insert(e);
  refresh_locked();
  return next_.load(std::memory_order_relaxed) < before ? add_result::added_earliest
                                                        : add_result::added;
}

bool timer_service::cancel(timer_entry* e) {
  {
    std::lock_guard g(m_);
    if (e->linked_) {
      wheel_.remove(e);
      refresh_locked();
      return true;
    }
  }
  // acquire: pairs with the release in fire_due(); once clear, fire_ is done with e.
  if (e->owner_cancels_) {
    while (e->firing_.load(std::memory_order_acquire)) cpu_relax();
  }
  return false;
}

std::size_t timer_service::fire_due(std::uint64_t now, std::size_t max) {
  timer_entry* fired = nullptr;
  {
    std::unique_lock g(m_, std::try_to_lock);
    // Another worker is firing or adding: it will see what is due, or we come back next tick.
    if (!g.owns_lock()) return 0;
    fired = wheel_.advance(now, max);
    refresh_locked();
  }
  std::size_t n = 0;
  while (fired) {
    auto* next = fired->next_;
    bool owner_cancels = fired->owner_cancels_;
    fired->next_ = nullptr;
    fire_timer(fired);  // may resume the owner elsewhere
    // Only an owner that cancels (and so waits for this store) keeps the entry alive after
    // firing; any other entry may be gone by now and is not touched.
    if (owner_cancels) fired->firing_.store(false, std::memory_order_release);
    fired = next;
    ++n;
  }
  return n;
}

void fire_timer(timer_entry* e) noexcept {
  switch (e->kind_) {
    case timer_kind::sleep:
      sleep_fired(e);
      return;
    case timer_kind::select_case:
      select_timer_fired(e);
      return;
    case timer_kind::deadline:
      deadline_fired(e);
      return;
    case timer_kind::none:
      return;  // never armed that way: add() is only called after the kind is set
  }
}

void timer_service::clear() {
  std::lock_guard g(m_);
  wheel_.clear();
  refresh_locked();
}

}  // namespace weft::detail
