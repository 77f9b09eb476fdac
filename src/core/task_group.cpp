#include "core/group_state.hpp"
#include "core/runtime_impl.hpp"

namespace weft::detail {

namespace {
void destroy(group_state* g) noexcept {
  // The children's longest path goes on in a waiter's (await_resume), but a group may end
  // unwaited (its owner failed, or dropped it): then the path ends here. A max, so a group
  // that was waited on records nothing new (worker::record_span). relaxed: the last
  // reference's acq_rel drop (release) ordered every child's raise of it before this.
  if (auto* w = current_worker()) w->record_span(g->max_span_.load(std::memory_order_relaxed));
  release(g->cancel_);
  delete g;
}

// The last child ended with waiters linked: their reference keeps g alive until it is dropped
// here, under the lock, together with the flag.
void wake_waiters(group_state* g) noexcept {
  task_header* waiters = nullptr;
  bool last_ref = false;
  {
    std::lock_guard l(g->lock_);
    // Two children can each see the count reach zero with the flag set when a spawn races
    // the end (a new child counted after the first's RMW, ended before it took the lock): the
    // second finds the waiters taken and the flag clear, and must not take them again.
    // relaxed: the flag changes only under lock_, held here.
    if (!(g->state_.load(std::memory_order_relaxed) & group_state::k_waiting)) return;
    waiters = take_waiters_locked(g, last_ref);
  }
  // last_ref only if the group object was destroyed while they waited.
  if (last_ref) destroy(g);
  // Not g: once a waiter runs, it may destroy the group.
  while (waiters) {
    auto* next = waiters->next_;
    waiters->next_ = nullptr;
    schedule(waiters);
    waiters = next;
  }
}
}  // namespace

task_header* take_waiters_locked(group_state* g, bool& last_ref) noexcept {
  // acq_rel: as in release(); whoever drops the last reference frees the state. The flag
  // changes only under lock_, which orders it against the waiters that read it.
  auto prev =
      g->state_.fetch_sub(group_state::k_ref | group_state::k_waiting, std::memory_order_acq_rel);
  last_ref = (prev >> 32) == 1;
  return std::exchange(g->waiters_, nullptr);
}

void release(group_state* g) noexcept {
  // acq_rel: the last release sees every child's writes (first_error_) before deleting.
  if ((g->state_.fetch_sub(group_state::k_ref, std::memory_order_acq_rel) >> 32) != 1) return;
  destroy(g);
}

void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept {
  if (error) {
    bool first = false;
    {
      std::lock_guard l(g->lock_);
      if (!g->first_error_) {
        g->first_error_ = std::move(error);
        first = true;
      }
    }
    if (first) cancel(g->cancel_);
  }
  group_children_done(g, 1, span);
}

void group_children_done(group_state* g, std::uint64_t n, std::uint64_t span) noexcept {
  // relaxed: the waiters read it after the RMW below, which orders it.
  auto cur = g->max_span_.load(std::memory_order_relaxed);
  while (span > cur && !g->max_span_.compare_exchange_weak(cur, span, std::memory_order_relaxed)) {
  }
  // The counts and the references in one RMW. acq_rel: release publishes these children's
  // effects to the waiters; acquire makes the last child see the others' effects before it
  // wakes anyone, or frees the state.
  auto prev = g->state_.fetch_sub((group_state::k_ref | 1) * n, std::memory_order_acq_rel);
  if ((prev & group_state::k_live_mask) == n && (prev & group_state::k_waiting)) {
    wake_waiters(g);
    return;
  }
  // The last reference: the group object is gone and nobody waits (the waiters hold one).
  if ((prev >> 32) == n) destroy(g);
}

}  // namespace weft::detail

namespace weft {

task_group::task_group() {
  auto* parent = detail::current_task();
  s_ = new detail::group_state();
  s_->cancel_ = detail::make_cancel_source(parent ? parent->cancel_ : nullptr);
}

task_group::~task_group() {
  auto* rt = detail::current_runtime();
  bool dying = rt && rt->shutting_down();
  if (!dying && s_->live() != 0) {
    detail::cancel(s_->cancel_);  // abandoned children are asked to stop; they end on their own
  }
  if (dying) {
    // The runtime is destroying suspended tasks, this object's waiters among them (usually
    // its owner), and no child will end to drop the reference they held: drop it here. The
    // workers have stopped, so no child races this.
    std::lock_guard l(s_->lock_);
    // relaxed: the flag changes only under lock_, held here.
    if (s_->state_.load(std::memory_order_relaxed) & detail::group_state::k_waiting) {
      // Not the last reference: the group object's own is dropped below. The waiters are
      // being destroyed, not woken.
      bool last_ref = false;
      detail::take_waiters_locked(s_, last_ref);
    }
  }
  detail::release(s_);
}

void task_group::add_child(detail::spawn_base* s) {
  // relaxed: the spawner adds before starting the child; the child's RMWs order the rest.
  s_->state_.fetch_add(detail::group_state::k_ref | 1, std::memory_order_relaxed);
  s->group_ = s_;
  try {
    detail::start_child(s, s_->cancel_, /*borrow_cancel=*/true);
  } catch (...) {
    // start_child destroyed the frame, which dropped the child's reference; drop its count.
    s_->state_.fetch_sub(1, std::memory_order_relaxed);
    throw;
  }
}

void task_group::cancel() noexcept {
  detail::cancel(s_->cancel_);
}

bool task_group::awaiter::await_ready() const noexcept {
  // acquire: pairs with the children's release RMW; their effects are visible.
  return g_->s_->live() == 0;
}

bool task_group::awaiter::await_suspend(std::coroutine_handle<> h) {
  using detail::group_state;
  auto* s = g_->s_;
  auto* t = detail::prepare_wait(h, detail::wait_kind::group, nullptr);
  std::lock_guard l(s->lock_);
  // acquire: as in live().
  auto cur = s->state_.load(std::memory_order_acquire);
  if ((cur & group_state::k_live_mask) == 0) {
    detail::abandon_wait(t);
    return false;
  }
  if (!(cur & group_state::k_waiting)) {
    // The first waiter: set the flag and take the waiters' reference. acq_rel: release orders
    // the flag before the last child's RMW reads it; acquire, if that RMW came first, makes
    // the children's effects visible.
    auto prev =
        s->state_.fetch_add(group_state::k_ref | group_state::k_waiting, std::memory_order_acq_rel);
    if ((prev & group_state::k_live_mask) == 0) {
      // The last child ended between the load and the flag, so it will wake nobody: undo. Not
      // the last reference (the group object, whose wait() this is, holds one), and no waiter
      // was linked (the flag was clear).
      bool last_ref = false;
      detail::take_waiters_locked(s, last_ref);
      detail::abandon_wait(t);
      return false;
    }
  }
  t->next_ = s->waiters_;
  s->waiters_ = t;
  return true;
}

void task_group::awaiter::await_resume() {
  std::exception_ptr e;
  auto* t = detail::current_task();
  {
    std::lock_guard l(g_->s_->lock_);
    e = g_->s_->first_error_;
    // Joining the children: the path continues from the longest of theirs.
    auto span = g_->s_->max_span_.load(std::memory_order_relaxed);
    if (t && span > t->span_) t->span_ = span;
  }
  if (e) std::rethrow_exception(e);
}

}  // namespace weft
