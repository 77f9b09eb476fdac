// The type-independent parts of channels: closing, draining, cancellation of a waiting
// operation, waking, and the errors.
#include <mutex>

#include "core/runtime_impl.hpp"
#include "weft/chan.hpp"

namespace weft::detail {

namespace {
std::uint32_t checked_capacity(std::size_t capacity) {
  if (capacity > chan_core::k_max_capacity) {
    throw usage_error("weft::chan: capacity " + std::to_string(capacity) + " is over the limit, " +
                      std::to_string(chan_core::k_max_capacity));
  }
  return static_cast<std::uint32_t>(capacity);
}
}  // namespace

static_assert(sizeof(spin_lock) == 1 && alignof(chan_core) == 16,
              "the hot fields no longer fit the first 16 bytes of chan_core");

chan_core::chan_core(std::size_t capacity, std::string name)
    : cap_(checked_capacity(capacity)), site_("channel", std::move(name)) {}

chan_core::~chan_core() = default;

void chan_core::mark_closed_locked() {
  if (closed_) {
    throw usage_error("weft::chan::close: channel" +
                      (site_.name_.empty() ? std::string() : " '" + site_.name_ + "'") +
                      " closed twice");
  }
  closed_ = true;
}

chan_waiter* chan_core::drain_locked(wait_result recv_result, wait_result send_result) noexcept {
  chan_waiter* list = nullptr;
  chan_waiter** tail = &list;
  auto take = [&](waiter_queue& q, wait_result r) {
    while (auto* w = q.pop_claimed()) {
      if (r == wait_result::destroyed) {
        orphan_waiter(w);
      } else {
        w->result_ = r;
      }
      w->wnext_ = nullptr;
      *tail = w;
      tail = &w->wnext_;
    }
  };
  take(recvq_, recv_result);
  take(sendq_, send_result);
  return list;
}

void chan_core::wake_all(chan_waiter* list) noexcept {
  while (list) {
    auto* next = list->wnext_;  // read first: the woken task may free its node at once
    wake_waiter(list);
    list = next;
  }
}

bool park_waiter_locked(chan_waiter* w, spin_lock& lock, waiter_queue& q, std::coroutine_handle<> h,
                        task_header* t, wait_kind kind, const wait_site* site, void* slot) {
  if (t->cancel_ && t->cancel_->is_cancelled()) {
    lock.unlock();
    w->result_ = wait_result::cancelled;
    return false;
  }
  // Everything a lazily built node (chan_waiter(lazy_t)) left unset, before it is published.
  w->fn_ = nullptr;
  w->linked_ = false;
  w->sel_ = nullptr;
  w->t_ = prepare_wait(h, kind, site);
  w->slot_ = slot;
  w->lock_ = &lock;
  w->queue_ = &q;
  q.push(w);
  lock.unlock();
  // Published: a peer may complete the wait from here on, but cannot wake the task before
  // commit_suspend() below (phase protocol), so w stays valid until then.
  if (auto* cs = t->cancel_) {
    w->fn_ = &cancel_parked_waiter;
    if (!add_callback(cs, w)) cancel_parked_waiter(w);
  }
  if (commit_suspend(w->phase_)) return true;
  // Completed before the task could suspend: a wait of no length, which the run loop will not
  // see (it counts a wait when the task runs again), so counted here. Not when the object was
  // destroyed meanwhile (orphan_waiter cleared the site).
  if constexpr (k_counters_on) {
    if (auto* s = t->wait_site_) current_worker()->count_site_wait(s, 0);
  }
  abandon_wait(t);
  return false;
}

void cancel_parked_waiter(cancel_callback* cb) noexcept {
  auto* w = static_cast<chan_waiter*>(cb);
  w->lock_->lock();
  if (!w->queued_) {  // a peer completed it first
    w->lock_->unlock();
    return;
  }
  w->queue_->remove(w);
  w->result_ = wait_result::cancelled;
  w->lock_->unlock();
  wake_waiter(w);
}

void finish_parked_waiter(chan_waiter* w) noexcept {
  if (w->fn_ && w->t_->cancel_) remove_callback(w->t_->cancel_, w);
}

namespace {
// Wakes the task of a wait whose phase word is `phase`. Only one party ever wakes a wait (the
// one that popped its node, or won its select's claim), and once the task has committed
// (k_suspended) it no longer writes the phase. So if it reads k_suspended the task is parked
// for good and a load is enough: the exchange, an RMW (~6 ns here), is only needed while the
// task may still be setting up. A ping-pong wakes a parked task twice per round trip.
inline void wake_phase(std::atomic<std::uint8_t>& phase, task_header* t) noexcept {
  // acquire: pairs with commit_suspend()'s release (the task's setup is done). What the waker
  // wrote into the awaiter reaches the task through schedule()'s own release/acquire.
  if (phase.load(std::memory_order_acquire) == k_suspended) {
    schedule(t);
    return;
  }
  // acq_rel: release publishes what the waker wrote into the awaiter to a task that has not
  // suspended yet; acquire pairs with commit_suspend() so we know whether it has meanwhile.
  if (phase.exchange(k_woken_early, std::memory_order_acq_rel) == k_suspended) schedule(t);
}
}  // namespace

void wake_select(select_state* s) noexcept {
  wake_phase(s->phase_, s->t_);
}

void wake_waiter(chan_waiter* w) noexcept {
  if (w->sel_) {
    wake_select(w->sel_);
    return;
  }
  // t_ read first: once the phase says woken the task may run and its node be gone.
  wake_phase(w->phase_, w->t_);
}

void throw_wait_result(wait_result r, const chan_core& c, bool sending) {
  // A destroyed channel's name is gone with it.
  std::string which =
      r == wait_result::destroyed || c.site_.name_.empty() ? "" : " '" + c.site_.name_ + "'";
  switch (r) {
    case wait_result::closed:
      throw channel_closed("weft: send on closed channel" + which);
    case wait_result::destroyed:
      throw channel_closed("weft: channel" + which + " destroyed while a task waited to " +
                           (sending ? "send" : "receive"));
    case wait_result::cancelled:
      throw cancelled(std::string("weft: ") + (sending ? "send" : "receive") + " on channel" +
                      which + " cancelled");
    default:
      throw usage_error("weft: internal error: unexpected channel wait result");
  }
}

task_header* require_task(const char* what) {
  auto* t = current_task();
  if (!t) {
    throw usage_error(std::string("weft::") + what +
                      ": awaited outside a weft task (start one with weft::run)");
  }
  return t;
}

bool runtime_shutting_down() noexcept {
  auto* rt = current_runtime();
  return rt && rt->shutting_down();
}

bool spend_budget(std::coroutine_handle<> h) noexcept {
  auto* t = current_task();
  if (take_budget(t)) return false;
  // Out of budget: go to the back of the queue (behind the LIFO task, if that is all there is).
  // The operation has completed; the task resumes into await_resume() when its turn comes.
  requeue(t, h, runtime_impl::placement::behind_lifo);
  return true;
}

}  // namespace weft::detail
