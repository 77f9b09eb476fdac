// The unit the scheduler runs. Every task started by run/go/spawn/task_group is a root coroutine
// whose promise derives from task_header; the header says where to resume the task (the
// innermost suspended coroutine of its await chain), and carries what the runtime must know
// about it while it waits: which runtime owns it, its cancellation, what it waits on.
//
// Ownership rule: a suspended task belongs to whoever will wake it (a wait list, a timer, the
// blocking pool); a runnable task belongs to a run queue; a running task to its worker. A worker
// never touches a task after resuming it returns, because by then the task may already be
// running elsewhere.
#pragma once

#include <coroutine>
#include <cstdint>
#include <source_location>

namespace weft::detail {

class runtime_impl;
struct cancel_source;
struct wait_site;

// What a suspended task waits on; the deadlock report and blocked-time accounting use it.
enum class wait_kind : std::uint8_t {
  none,
  // Not a wait: a task that has not run yet. Its first run counts it in its class's `tasks`
  // (worker::begin_run), in the branch that already looks at wait_ for blocked time: counted at
  // the spawn instead, it cost every spawn a class lookup (about a point of fib(30)'s on/off
  // at procs 2 in bench/ab). Second, so that the kinds that are waits are those above it: one
  // compare finds a wait that ended (worker::begin_run).
  fresh,
  join,
  group,
  timer,
  blocking,
  io,
  chan_send,
  chan_recv,
  select,
  mutex,
  semaphore,
  wait_group,
  count_
};
const char* to_string(wait_kind k) noexcept;

struct task_header {
  std::coroutine_handle<> resume_{};  // where the scheduler resumes this task
  task_header* next_ = nullptr;       // intrusive link for the injector and wait lists
  runtime_impl* rt_ = nullptr;
  cancel_source* cancel_ = nullptr;  // owned reference; null: this task cannot be cancelled
  // The named object waited on (null: none, or unnamed), for its blocked-time tally and the
  // deadlock report. Read only while wait_ is set; not cleared when the wait ends.
  const wait_site* wait_site_ = nullptr;
  std::uint64_t wait_since_ = 0;      // ticks: when the current wait began
  std::uint64_t runnable_since_ = 0;  // ticks: when it was last made runnable
  // Span (critical path) of the computation up to this task's last accounting point, in
  // ticks: what it inherited from its spawner, plus its own run time, maxed with what it
  // joined. Work/span accounting for fork-join (docs/metrics.md).
  std::uint64_t span_ = 0;
  std::source_location site_{};  // where it was started (go/spawn/task_group::spawn/run)
  std::uint32_t slot_ = 0;       // its slot in the live-task registry shard
  std::uint16_t shard_ = 0;      // registry shard (the spawner's worker)
  std::uint8_t budget_ = 0;      // operations left before a forced yield (spend_budget)
  // The task's header sits at the start of a callable's root promise (call_root_promise),
  // rather than in front of a task<T> frame (spawned.hpp): where its result is.
  bool in_call_root_ = false;
  wait_kind wait_ = wait_kind::fresh;
  bool is_root_ = false;
  bool cancel_borrowed_ = false;  // cancel_ is a group's, which outlives the task: not counted
  // Holds a slot in the live-task registry (slot_, shard_). A task spawned on a worker takes
  // one only when it first waits (prepare_wait): until then it is always in a run queue or
  // running, where shutdown finds it without one, and most fork-join tasks never wait.
  bool registered_ = false;
  // WEFT_TRACE only: the flow (wake-up arrow) that made this task runnable, 0 if none. Sits in
  // what was padding, so the header does not grow.
  std::uint32_t trace_flow_ = 0;
};

// The run on this thread: its task, or null outside a task (set by its worker around each run),
// and whether the counters time it (worker::begin_timed_run .. end_timed_run). Together, so a
// spawn, which reads the task, tests the flag (account_span) with one more instruction instead
// of a look-up of the worker. Inline, for the channel fast paths: constinit, so reading it is
// one TLS load, with no call and no initialisation guard.
struct thread_run {
  task_header* task = nullptr;
  bool timed = false;
};
extern constinit thread_local thread_run tl_run;
inline task_header* current_task() noexcept {
  return tl_run.task;
}

// Makes a suspended task runnable. On a worker of its runtime the task goes to the LIFO slot,
// so a hand-off (send -> recv, join) runs next and cache-hot; elsewhere, to the injector.
void schedule(task_header* t) noexcept;

// Undoes prepare_wait() when the awaiter decides not to suspend after all.
inline void abandon_wait(task_header* t) noexcept {
  t->wait_ = wait_kind::none;
}

// Records that the current task is about to suspend on `kind` (on the named object `site`, or
// null), and where to resume it. Returns the task.
task_header* prepare_wait(std::coroutine_handle<> h, wait_kind kind,
                          const wait_site* site) noexcept;
// prepare_wait() without the registration: for a join that may run its child in place.
// Returns t.
task_header* stamp_wait(task_header* t, std::coroutine_handle<> h, wait_kind kind,
                        const wait_site* site) noexcept;

}  // namespace weft::detail
