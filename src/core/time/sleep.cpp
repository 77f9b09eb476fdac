// sleep_for / sleep_until: a timer entry in the awaiter, a cancel callback beside it. The timer
// service's lock decides the race between expiry and cancellation: whoever unlinks the entry
// wakes the task.
#include "core/runtime_impl.hpp"
#include "weft/time.hpp"

namespace weft::detail {

void sleep_fired(timer_entry* e) noexcept {
  auto* a = static_cast<sleep_awaiter*>(e);
  auto* t = a->t_;
  t->rt_->make_runnable(t, runtime_impl::placement::ready);  // `a` may be gone after this
}

namespace {
void sleep_cancelled(cancel_callback* cb) noexcept {
  auto* a = static_cast<sleep_awaiter*>(cb);
  if (a->t_->rt_->timers().cancel(a)) {
    a->cancelled_ = true;
    schedule(a->t_);
  }
}
}  // namespace

bool sleep_awaiter::await_ready() const noexcept {
  auto* t = current_task();
  bool cancel_pending = t && t->cancel_ && t->cancel_->is_cancelled();
  return when_us_ <= timer_service::now_us() && !cancel_pending;
}

bool sleep_awaiter::await_suspend(std::coroutine_handle<> h) {
  auto* rt = current_runtime();
  if (!rt) throw usage_error("weft::sleep_for: called outside a runtime");
  t_ = prepare_wait(h, wait_kind::timer, nullptr);
  auto when = when_us_;  // the awaiter may be gone once the timer is armed
  kind_ = timer_kind::sleep;
  timer_service::add_result added{};
  if (auto* cs = t_->cancel_) {
    // Register for cancellation and arm the timer under the source's lock: a cancel cannot fall
    // between the two, and a wake-up that comes first cannot finish before we let go.
    std::lock_guard g(cs->lock_);
    cancel_callback::fn_ = &sleep_cancelled;
    if (!add_callback_locked(cs, this)) {
      cancelled_ = true;
      abandon_wait(t_);
      return false;
    }
    added = rt->timers().add(this);
    if (added == timer_service::add_result::due) remove_callback_locked(cs, this);
  } else {
    added = rt->timers().add(this);
  }
  if (added == timer_service::add_result::due) {
    abandon_wait(t_);
    return false;
  }
  // The awaiter may be resumed and gone by now; only the runtime is touched below.
  if (added == timer_service::add_result::added_earliest) rt->wake_timer_driver(when);
  return true;
}

void sleep_awaiter::await_resume() {
  if (t_ && t_->cancel_ && cancel_callback::fn_) remove_callback(t_->cancel_, this);
  if (cancelled_) throw cancelled("weft: sleep cancelled");
}

}  // namespace weft::detail
