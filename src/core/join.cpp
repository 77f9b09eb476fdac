// How a task's end reaches whoever waits for it: the join protocol of spawned.hpp, group
// children, detached failures and the root.
#include <algorithm>
#include <cstddef>

#include "core/group_state.hpp"
#include "core/runtime_impl.hpp"

namespace weft::detail {

namespace {
// A task that ended because it was cancelled has nothing to report to anyone.
bool is_cancellation(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const cancelled&) {
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace

void release_spawn_refs(spawn_base* s) noexcept {
  if (s->cancel_ && !s->cancel_borrowed_) release(s->cancel_);
  s->cancel_ = nullptr;
  if (s->group_) release(std::exchange(s->group_, nullptr));
}

void end_task_root(spawn_base* s) noexcept {
  release_spawn_refs(s);
  s->~spawn_base();
}

void set_root_error(spawn_base* s, std::exception_ptr e) noexcept {
  s->error_ = std::move(e);
}

namespace {
// A task has ended with nobody to switch to: go on with whatever the run loop would pick next,
// in place (worker::switch_to_next). Nothing here touches the ended task's frame, which may
// be gone by now.
std::coroutine_handle<> next_in_place() noexcept {
  auto* w = current_worker();
  return w ? w->switch_to_next() : std::noop_coroutine();
}
}  // namespace

std::coroutine_handle<> on_spawned_exit(spawn_base* s) noexcept {
  // A joiner already waiting will most likely run here next (switch_to): start fetching the
  // part of its header that begin_run reads first, so the bookkeeping below overlaps the
  // fetch. relaxed: only a hint; the word is read properly further down.
  // The address is computed, not formed as a member access: the joiner is not ours yet.
  if (auto j = s->join_.load(std::memory_order_relaxed); j > k_detached) {
    __builtin_prefetch(reinterpret_cast<const char*>(j & ~k_joiner_firm) +  // NOLINT
                       offsetof(task_header, site_));
  }
  auto* rt = s->rt_;
  auto* w = current_worker();
  account_span(s);
  rt->unregister_task(s);
  // The longest span is recorded where a path ends (worker::record_span): at a task that
  // nobody joins. A joined task's path goes on in its joiner (join_span, or a group's
  // waiter), which records it in turn; join_release() records one whose handle is dropped
  // unawaited. One comparison fewer per fork-join task.
  if (s->is_root_) {
    if (w) w->record_span(s->span_);
    // release: pairs with the acquire in run(); the result is published.
    s->join_.store(k_done, std::memory_order_release);
    rt->root_done();
    return std::noop_coroutine();
  }
  if (auto* g = std::exchange(s->group_, nullptr)) {
    // Destroy the frame first: the child's captures may point into the owner's frame, which may
    // end as soon as the owner is woken.
    auto error = std::exchange(s->error_, nullptr);
    auto span = s->span_;
    destroy_root(s);
    // Drops the child's count and reference: gathered on the worker (see worker::child_done)
    // unless it failed, when the group must learn at once (its other children are cancelled).
    if (w && !error) {
      w->child_done(g, span);
    } else {
      group_child_done(g, std::move(error), span);
    }
    return next_in_place();
  }
  // acquire: pairs with the joiner's release (CAS or store) of its task pointer.
  auto prev = s->join_.load(std::memory_order_acquire);
  if (prev > k_detached && (prev & k_joiner_firm)) {
    // A firm joiner waits: it published without a cancel source, so nothing can withdraw the
    // wait and nobody else writes the word now; a store settles it. The tag is the only thing
    // that may be relied on here: the joiner's own fields are not ours until the word is.
    // release: publishes the result to whoever reads k_done (done()).
    s->join_.store(k_done, std::memory_order_release);
  } else {
    // acq_rel: release publishes the result to the joiner; acquire pairs with the handle's
    // exchange to k_detached, or with the joiner's CAS that stored its task pointer.
    prev = s->join_.exchange(k_done, std::memory_order_acq_rel);
  }
  if (prev == k_running) {
    return next_in_place();  // the handle will take the result and destroy the frame
  }
  if (prev == k_detached) {
    if (w) w->record_span(s->span_);
    // Nobody can observe the exception: it fails the run, as in Go (a cancellation is the
    // expected end of a cancelled task, not a failure).
    if (s->error_ && !is_cancellation(s->error_)) rt->fail(s->error_);
    destroy_root(s);
    return next_in_place();
  }
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  auto* joiner = reinterpret_cast<task_header*>(prev & ~k_joiner_firm);
  // The joiner would run next from the LIFO slot anyway: switch to it in place, saving the
  // queue round trip. Stamped runnable as make_runnable() would (blocked time ends now).
  if (w && w->may_switch()) {
    w->mark_woken(joiner);  // as make_runnable() would: blocked time ends now
    return w->switch_to(joiner);
  }
  schedule(joiner);
  return std::noop_coroutine();
}

namespace {
void join_cancelled(cancel_callback* cb) noexcept {
  auto* w = static_cast<join_wait*>(cb);
  auto expected = reinterpret_cast<std::uintptr_t>(w->t_);
  // The task is still running: withdraw our wait. If the CAS fails it has ended and is
  // scheduling us already.
  if (w->s_->join_.compare_exchange_strong(expected, k_running, std::memory_order_acq_rel)) {
    w->cancelled_ = true;
    schedule(w->t_);
  }
}
}  // namespace

std::coroutine_handle<> join_wait::suspend(std::coroutine_handle<> h) {
  // If the task is taken back below, begin_run reads its class first: fetch that line while
  // the wait's bookkeeping is done.
  __builtin_prefetch(&s_->site_);
  t_ = current_task();
  auto* const cs = t_->cancel_;
  // A firm joiner (no cancel source) that runs its child in place stays out of the registry
  // until the chain really waits (runtime_impl::register_joiners); any other registers now,
  // before it publishes itself (a cancel may resume it elsewhere at any moment after).
  if (cs && !t_->registered_) t_->rt_->register_chain(t_);
  stamp_wait(t_, h, wait_kind::join, nullptr);
  auto* w = current_worker();
  // Without a cancel source nothing can withdraw this wait: say so in the word (spawned.hpp).
  const auto me = reinterpret_cast<std::uintptr_t>(t_) | (cs ? 0 : k_joiner_firm);
  // Once the wait is published, a cancel may resume us on another worker, ending this awaiter:
  // what is needed after that point is copied out first.
  auto* const child = s_;
  // If the task is still the newest in this worker's fork deque, unstarted, the run loop would
  // pick it next once we suspend: take it back and run it in place instead (its end switches
  // back to us). Then nobody else can end it, so the join word is ours to set with a store:
  // release, for a cancel callback (join_cancelled) that may withdraw the wait meanwhile.
  bool in_place = false;
  // 0: published (suspend), 1: the task has ended, 2: another task is already joining.
  auto publish = [&] {
    if (w->may_switch() && w->take_back(s_)) {
      in_place = true;
      // Only a second task awaiting the same handle at this moment (a misuse: two tasks
      // sharing one handle without synchronisation) could have written the word; that one is
      // then overwritten and never woken, where the CAS below would have reported it. The
      // detection of that misuse is best-effort on this path.
      s_->join_.store(me, std::memory_order_release);
      return 0;
    }
    // The task runs elsewhere, or later: we are reachable only through its join word.
    if (!t_->registered_) t_->rt_->register_chain(t_);
    auto expected = k_running;
    // acq_rel: release publishes t_->resume_ to the completing task; acquire (on failure)
    // makes the finished task's result visible.
    if (s_->join_.compare_exchange_strong(expected, me, std::memory_order_acq_rel,
                                          std::memory_order_acquire)) {
      return 0;
    }
    return expected == k_done ? 1 : 2;
  };
  int r = 0;
  if (cs) {
    // Register and publish under the source's lock: a cancel cannot fall between the two.
    std::lock_guard g(cs->lock_);
    fn_ = &join_cancelled;
    if (!add_callback_locked(cs, this)) {
      cancelled_ = true;
      abandon_wait(t_);
      return h;
    }
    r = publish();
    if (r != 0) remove_callback_locked(cs, this);
  } else {
    r = publish();
  }
  if (r == 0) {
    // In place, the task runs while we wait, as it would on a thief; a cancel of our wait
    // still works (the callback withdraws it and schedules us; the task then ends with nobody
    // to switch to).
    return in_place ? w->switch_to(child) : w->switch_to_next();
  }
  abandon_wait(t_);
  t_ = nullptr;  // nothing to undo in resumed()
  if (r == 2) throw usage_error("weft::join_handle: awaited by two tasks at once");
  return h;
}

void join_wait::resumed() {
  if (t_->cancel_ && fn_) remove_callback(t_->cancel_, this);
  if (cancelled_) throw cancelled("weft: join cancelled");
}

void join_release(spawn_base* s) noexcept {
  if (auto* rt = current_runtime(); rt && rt->shutting_down() && rt->is_dying(s)) return;
  auto prev = s->join_.exchange(k_detached, std::memory_order_acq_rel);
  if (prev == k_done) {
    if (auto* w = current_worker()) w->record_span(s->span_);  // a path nobody goes on with
    // It ended and nobody took its result: an exception in it would be lost, so it fails the
    // run, as an unjoined go task's would.
    if (s->error_ && !is_cancellation(s->error_) && !s->rt_->shutting_down()) {
      s->rt_->fail(s->error_);
    }
    destroy_root(s);
  }
  // k_running: the task destroys itself when it ends (see on_spawned_exit).
}

void join_finish(spawn_base* s) noexcept {
  destroy_root(s);
}

void join_span(spawn_base* s) noexcept {
  // Which of the two paths is longer is a coin toss in a fork-join tree: as a conditional
  // store it was a branch that cachegrind's branch simulation had mispredicted on about half
  // of fib's joins (bench/README.md). std::max and an unconditional store compile to a cmov.
  if (auto* t = current_task()) t->span_ = std::max(t->span_, s->span_);
}

}  // namespace weft::detail
