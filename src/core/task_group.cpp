#include "core/group_state.hpp"
#include "core/runtime_impl.hpp"

namespace weft::detail {

void retain(group_state* g) noexcept { g->refs_.fetch_add(1, std::memory_order_relaxed); }

void release(group_state* g) noexcept {
  // acq_rel: the last release sees every child's writes (first_error_) before deleting.
  if (g->refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  release(g->cancel_);
  delete g;
}

void group_child_done(group_state* g, std::exception_ptr error) noexcept {
  if (error) {
    bool first = false;
    {
      std::lock_guard l(g->error_lock_);
      if (!g->first_error_) {
        g->first_error_ = std::move(error);
        first = true;
      }
    }
    if (first) cancel(g->cancel_);
  }
  // acq_rel: release publishes this child's effects to the waiter; acquire pairs with the
  // waiter's fetch_or, so waiter_ is visible when the flag is.
  auto prev = g->state_.fetch_sub(1, std::memory_order_acq_rel);
  if ((prev & group_state::k_count_mask) == 1 && (prev & group_state::k_waiting)) {
    // The last child: nobody else can touch the flag now (the owner is suspended in wait()).
    g->state_.fetch_and(~group_state::k_waiting, std::memory_order_relaxed);
    schedule(g->waiter_);
  }
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
  if (!dying && (s_->state_.load(std::memory_order_acquire) & detail::group_state::k_count_mask)) {
    detail::cancel(s_->cancel_);  // abandoned children are asked to stop; they end on their own
  }
  detail::release(s_);
}

void task_group::add_child(detail::spawn_base* s) {
  detail::retain(s_);
  s->group_ = s_;
  // relaxed: only the owner adds children; the RMW in group_child_done orders the rest.
  s_->state_.fetch_add(1, std::memory_order_relaxed);
  try {
    detail::start_child(s, s_->cancel_);
  } catch (...) {
    s_->state_.fetch_sub(1, std::memory_order_relaxed);
    detail::release(s_);
    throw;
  }
}

void task_group::cancel() noexcept { detail::cancel(s_->cancel_); }

bool task_group::awaiter::await_ready() const noexcept {
  // acquire: pairs with the children's release RMW; their effects are visible.
  return (g_->s_->state_.load(std::memory_order_acquire) & detail::group_state::k_count_mask) ==
         0;
}

bool task_group::awaiter::await_suspend(std::coroutine_handle<> h) {
  auto* s = g_->s_;
  s->waiter_ = detail::prepare_wait(h, detail::wait_kind::group, nullptr);
  // acq_rel: release publishes waiter_ to the last child; acquire sees their effects.
  auto prev = s->state_.fetch_or(detail::group_state::k_waiting, std::memory_order_acq_rel);
  if ((prev & detail::group_state::k_count_mask) == 0) {
    s->state_.fetch_and(~detail::group_state::k_waiting, std::memory_order_relaxed);
    detail::abandon_wait(s->waiter_);
    return false;
  }
  return true;
}

void task_group::awaiter::await_resume() {
  std::exception_ptr e;
  {
    std::lock_guard l(g_->s_->error_lock_);
    e = std::exchange(g_->s_->first_error_, nullptr);
  }
  if (e) std::rethrow_exception(e);
}

}  // namespace weft
