#include "core/group_state.hpp"
#include "core/runtime_impl.hpp"

namespace weft::detail {

void release(group_state* g) noexcept {
  // acq_rel: the last release sees every child's writes (first_error_) before deleting.
  if ((g->state_.fetch_sub(group_state::k_ref, std::memory_order_acq_rel) >> 32) != 1) return;
  release(g->cancel_);
  delete g;
}

void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept {
  // relaxed: the waiters read it after the RMW below, which orders it.
  auto cur = g->max_span_.load(std::memory_order_relaxed);
  while (span > cur && !g->max_span_.compare_exchange_weak(cur, span, std::memory_order_relaxed)) {
  }
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
  // acq_rel: release publishes this child's effects to the waiters; acquire makes the last
  // child see the others' effects before it wakes anyone.
  auto prev = g->state_.fetch_sub(1, std::memory_order_acq_rel);
  if ((prev & group_state::k_live_mask) == 1) {
    task_header* waiters = nullptr;
    {
      std::lock_guard l(g->lock_);
      waiters = std::exchange(g->waiters_, nullptr);
    }
    while (waiters) {
      auto* next = waiters->next_;
      waiters->next_ = nullptr;
      schedule(waiters);
      waiters = next;
    }
  }
  release(g);  // our reference, held until the waiters are woken
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
  auto* s = g_->s_;
  auto* t = detail::prepare_wait(h, detail::wait_kind::group, nullptr);
  std::lock_guard l(s->lock_);
  if (s->live() == 0) {
    detail::abandon_wait(t);
    return false;
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
