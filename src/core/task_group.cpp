#include "core/group_state.hpp"
#include "core/runtime_impl.hpp"

namespace weft::detail {

void retain(group_state* g) noexcept {
  g->refs_.fetch_add(1, std::memory_order_relaxed);
}

void release(group_state* g) noexcept {
  // acq_rel: the last release sees every child's writes (first_error_) before deleting.
  if (g->refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  release(g->cancel_);
  delete g;
}

void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept {
  bool first = false;
  {
    std::lock_guard l(g->lock_);
    if (span > g->max_span_) g->max_span_ = span;
    if (error && !g->first_error_) {
      g->first_error_ = std::move(error);
      first = true;
    }
  }
  if (first) cancel(g->cancel_);
  // acq_rel: release publishes this child's effects to the waiters; acquire makes the last
  // child see the others' effects before it wakes anyone.
  if (g->live_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
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
  if (!dying && s_->live_.load(std::memory_order_acquire) != 0) {
    detail::cancel(s_->cancel_);  // abandoned children are asked to stop; they end on their own
  }
  detail::release(s_);
}

void task_group::add_child(detail::spawn_base* s) {
  detail::retain(s_);
  s->group_ = s_;
  // relaxed: the spawner adds before starting the child; the child's RMW orders the rest.
  s_->live_.fetch_add(1, std::memory_order_relaxed);
  try {
    detail::start_child(s, s_->cancel_);
  } catch (...) {
    s_->live_.fetch_sub(1, std::memory_order_relaxed);
    detail::release(s_);
    throw;
  }
}

void task_group::cancel() noexcept {
  detail::cancel(s_->cancel_);
}

bool task_group::awaiter::await_ready() const noexcept {
  // acquire: pairs with the children's release RMW; their effects are visible.
  return g_->s_->live_.load(std::memory_order_acquire) == 0;
}

bool task_group::awaiter::await_suspend(std::coroutine_handle<> h) {
  auto* s = g_->s_;
  auto* t = detail::prepare_wait(h, detail::wait_kind::group, nullptr);
  std::lock_guard l(s->lock_);
  if (s->live_.load(std::memory_order_acquire) == 0) {
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
    if (t && g_->s_->max_span_ > t->span_) t->span_ = g_->s_->max_span_;
  }
  if (e) std::rethrow_exception(e);
}

}  // namespace weft
