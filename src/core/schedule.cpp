// The entry points by which tasks start, wait, wake and yield.
#include "core/clock.hpp"
#include "core/runtime_impl.hpp"
#include "weft/detail/cancel.hpp"

namespace weft::detail {

namespace {
runtime_impl& require_runtime(const char* what) {
  auto* rt = current_runtime();
  if (!rt) {
    throw usage_error(std::string("weft::") + what +
                      ": called outside a runtime (start one with weft::run)");
  }
  return *rt;
}
}  // namespace

const char* to_string(wait_kind k) noexcept {
  switch (k) {
    case wait_kind::none:
      return "none";
    case wait_kind::join:
      return "join";
    case wait_kind::group:
      return "task_group";
    case wait_kind::timer:
      return "timer";
    case wait_kind::blocking:
      return "blocking";
    case wait_kind::io:
      return "io";
    case wait_kind::chan_send:
      return "channel_send";
    case wait_kind::chan_recv:
      return "channel_recv";
    case wait_kind::select:
      return "select";
    case wait_kind::mutex:
      return "mutex";
    case wait_kind::semaphore:
      return "semaphore";
    case wait_kind::wait_group:
      return "wait_group";
    case wait_kind::fresh:
      return "not_started";
    case wait_kind::count_:
      break;
  }
  return "unknown";
}

void throw_task_misuse(bool empty) {
  throw usage_error(empty ? "weft::task: awaiting an empty (moved-from or default) task"
                          : "weft::task: awaited twice (a task runs once)");
}

void schedule(task_header* t) noexcept {
  t->rt_->make_runnable(t, runtime_impl::placement::lifo);
}

task_header* stamp_wait(task_header* t, std::coroutine_handle<> h, wait_kind kind,
                        const wait_site* site) noexcept {
  // Every awaiter that suspends is only reachable from a task's own await chain.
  t->resume_ = h;
  t->wait_ = kind;
  t->wait_site_ = site;
  return current_worker()->note_wait(t);
}

namespace {
// A task's first wait: from here the task may sit in a wait list that only a dying frame
// reaches, so shutdown and the deadlock report must be able to find it. Out of line, so the
// common wait keeps nothing across a call.
[[gnu::noinline]] task_header* prepare_first_wait(task_header* t, std::coroutine_handle<> h,
                                                  wait_kind kind, const wait_site* site) noexcept {
  t->rt_->register_chain(t);
  return stamp_wait(t, h, kind, site);
}
}  // namespace

task_header* prepare_wait(std::coroutine_handle<> h, wait_kind kind,
                          const wait_site* site) noexcept {
  auto* t = current_task();
  if (!t->registered_) [[unlikely]]
    return prepare_first_wait(t, h, kind, site);
  return stamp_wait(t, h, kind, site);
}

namespace {
// A new task's path starts where its spawner's is now. account_span returns it, so after the
// timed case's call only s is needed, which the spawn keeps anyway.
void inherit_span(spawn_base* s) {
  if (auto* parent = current_task()) s->span_ = account_span(parent);
}
}  // namespace

void start_detached(spawn_base* s) {
  auto* rtp = current_runtime();
  if (!rtp) {
    destroy_root(s);
    throw usage_error("weft::go: called outside a runtime (start one with weft::run)");
  }
  auto& rt = *rtp;
  s->rt_ = &rt;
  s->join_.store(k_detached, std::memory_order_relaxed);  // nobody joins a go task
  inherit_span(s);
  rt.register_task(s);
  rt.make_runnable(s, runtime_impl::placement::ready);
}

void start_child(spawn_base* s, cancel_source* cancel, bool borrow_cancel) {
  auto* rt = current_runtime();
  if (!rt) {
    destroy_root(s);
    throw usage_error("weft::spawn: called outside a runtime (start one with weft::run)");
  }
  s->rt_ = rt;
  if (!cancel) {
    if (auto* parent = current_task()) cancel = parent->cancel_;
  }
  if (cancel) {
    if (!borrow_cancel) retain(cancel);
    s->cancel_ = cancel;
    s->cancel_borrowed_ = borrow_cancel;
  }
  inherit_span(s);
  rt->register_task(s);
  rt->make_runnable(s, runtime_impl::placement::fork);
}

void requeue(task_header* t, std::coroutine_handle<> h, runtime_impl::placement how) noexcept {
  if (!t->registered_) t->rt_->register_joiners(t);
  t->resume_ = h;
  abandon_wait(t);
  account_span(t);
  t->rt_->make_runnable(t, how);
}

void blocking_submit(blocking_job* job, std::coroutine_handle<> h) {
  auto& rt = require_runtime("blocking");
  job->t_ = prepare_wait(h, wait_kind::blocking, nullptr);
  rt.blocking().submit(job);
}

}  // namespace weft::detail

namespace weft {

void yield_awaiter::await_suspend(std::coroutine_handle<> h) const noexcept {
  detail::requeue(detail::current_task(), h, detail::runtime_impl::placement::ready);
}

bool cancellation_requested() noexcept {
  auto* t = detail::current_task();
  return t && t->cancel_ && t->cancel_->is_cancelled();
}

}  // namespace weft
