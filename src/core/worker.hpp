// One worker thread of the scheduler: its queues, its parker, its counters, and its loop.
//
// Where a runnable task goes:
//   lifo_    the task just woken by the running one (send -> recv, join): runs next, cache-hot.
//            Capped at k_max_lifo_runs in a row while other tasks wait in this worker's queues,
//            so two tasks handing off cannot starve the rest (with none waiting the pair
//            keeps the worker: ending the streak would only invite a thief to split it).
//            Stealable only once the victim has been running one task for k_lifo_steal_after,
//            so an idle worker does not snatch a hand-off that is about to run.
//   held_    tasks the running one woke earlier in the same run, displaced from lifo_ by a
//            later wake-up. Kept until the run ends (end_run moves them to queue_), under the
//            LIFO slot's steal rule, rather than queued at once: see hold().
//   forks_   children spawned by spawn/task_group (depth-first for the owner, oldest-first for
//            thieves).
//   queue_   everything else made runnable here: go, yield, timer expiry (FIFO, steal-half).
//   injector shared, for work from outside the workers and overflow.
//
// Order of search (one "tick" per task run):
//   every 61st tick: injector, queue_, then the oldest fork, so none of them starves (61 is
//   Go's number: prime, so it does not beat with other periodic behaviour);
//   otherwise: lifo_, forks_, queue_, injector, due timers, then steal from others.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <coroutine>
#include <cstdint>
#include <source_location>
#include <vector>

#include "core/fork_deque.hpp"
#include "core/parker.hpp"
#include "core/run_queue.hpp"
#include "observe/counters.hpp"
#include "observe/task_classes.hpp"
#include "observe/trace.hpp"
#include "observe/wait_sites.hpp"

namespace weft::detail {

class runtime_impl;
struct group_state;

// Stamps t runnable as of `now`, a clock reading or estimate, and never earlier than its wait
// began: that stamp may come from another worker's clock, ahead of `now` (an estimate runs
// ahead between readings). Every wake stamps through here, so begin_run can take a wait's span
// from the wait's stamp without a min.
inline void stamp_runnable(task_header* t, std::uint64_t now) noexcept {
  t->runnable_since_ = std::max(now, t->wait_since_);
}

class worker {
 public:
  static constexpr std::uint32_t k_fairness_interval = 61;
  // The fewest due timers poll_timers() fires at once, however full the run queue.
  static constexpr std::size_t k_min_fire_batch = 64;
  static constexpr std::uint32_t k_max_lifo_runs = 32;
  static constexpr std::uint64_t k_lifo_steal_after_ns = 50'000;
  // How long the oldest fork may wait while newer ones keep running (oldest_fork_starved).
  static constexpr std::uint64_t k_fork_wait_ns = 10'000'000;

  worker(runtime_impl& rt, int index);

  void run();  // the loop; returns when the runtime stops

  // Owner thread only.
  // For the running task t as it yields at the end of its budget (make_runnable's
  // behind_lifo placement, which has stamped it runnable): if the only other
  // task here is the one in the LIFO slot, t takes the slot and that task runs next, and true.
  // A producer and a consumer of a buffered channel then take turns on one worker, as they
  // would with no budget, instead of t going to the back of the run queue, where an idle
  // worker steals it and splits the pair (every operation then moves the channel's cache
  // lines between cores: 4x slower on the local VM). False, with nothing done, otherwise.
  bool yield_behind_lifo(task_header* t) noexcept;
  void push_lifo(task_header* t) noexcept;
  void push_ready(task_header* t) noexcept;
  void push_fork(task_header* t) noexcept;

  // In-place switches (join.cpp): the running task hands this worker to `next` without a trip
  // through the run loop: a joiner to the child it spawned last and has not started, a
  // finishing child to its joiner. Each counts as a pick, and every k_fairness_interval-th is
  // refused, so the injection queue and the timers are looked at as often as when every
  // switch went through the loop, and a chain of switches is not one endless run. None once
  // the runtime stops: the loop must see it. (Defined in runtime_impl.hpp.)
  bool may_switch() const noexcept;
  // Pops `child` if it is the newest task of this worker's fork deque (not stolen, not run).
  bool take_back(task_header* child) noexcept { return forks_.pop_if(child, alone_) != nullptr; }
  // A child of task group g ended here without an error (on_spawned_exit). Its count and
  // reference are gathered here and dropped from the group's state together, in one RMW
  // (flush_children_done), when this worker is about to run a task that is not another child of
  // g, to run out of local work, or to stop. With one RMW per child instead, a group spawning on
  // one worker while another runs its children kept the state's line moving between the two
  // cores on every spawn and every end (half the time of spawn_join at procs 2). The delay is
  // harmless: the group cannot complete before the child of g about to run ends, and a worker
  // never searches, parks or stops with a tally held, so no waiter is left asleep.
  void child_done(group_state* g, std::uint64_t span) noexcept {
    if (done_group_ != g) {
      flush_children_done();
      done_group_ = g;
    }
    ++done_count_;
    done_span_ = std::max(done_span_, span);  // branchless: see join_span
  }
  void flush_children_done() noexcept;
  // Ends the current run's bookkeeping, begins next's, and returns where to resume next (for
  // symmetric transfer from an await_suspend). The caller counts as having asked may_switch().
  std::coroutine_handle<> switch_to(task_header* next) noexcept;
  // From inside a running task: stamps t, which that task has just woken, as runnable now
  // (run_mark_: the waker's last clock reading, or while sampling the clock as estimated
  // since; never before t's wait began), and draws the wake-up arrow when tracing (trace_wake).
  // make_runnable() and the in-place switch to a joiner both wake this way, so it is inline.
  void mark_woken(task_header* t) noexcept {
    stamp_runnable(t, run_mark_);
    // No arrow while sampling (trace_wake): tested here, so a traced fine-grained program does
    // not make a call per spawn and wake-up to learn that.
    if (tracer_ && !sampling_) [[unlikely]]
      trace_wake(t);
  }
  // The running task has just ended, or suspended with nobody to hand the worker to: picks
  // what the run loop would pick next (next_local(), which counts the pick) and switches to it
  // in place; noop_coroutine() (back to the loop) when there is nothing local, when this pick
  // is the one to refuse, or once the runtime stops.
  std::coroutine_handle<> switch_to_next() noexcept;

  // The ticks since the current run started (or since the last call), restarting the count:
  // how span accounting charges run time without touching the task after it suspends.
  // The clock costs ~10 ns on some virtual machines, several times per task, so a reading
  // taken here is reused: as the end of the current run when the task suspends or ends right
  // after (end_hint_), and as the "runnable since" stamp of tasks it wakes.
  // An untimed run (sampling, see run_task) has nothing to add: begin_run charged its span the
  // mean run length up front.
  std::uint64_t take_run_ticks() noexcept {
    if constexpr (!k_counters_on) return 0;
    if (!end_work_.timed) return 0;
    auto now = ticks_now();
    auto d = now - run_mark_;
    run_mark_ = now;
    end_hint_ = now;
    return d;
  }
  // Adds the current run so far to t's span and returns the span: account_span's timed case,
  // for callers that hold the worker already (note_timed_wait) and for those that do not
  // (account_timed_span, which looks it up).
  std::uint64_t charge_span(task_header* t) noexcept { return t->span_ += take_run_ticks(); }
  // A wait on the named object s ended after d ticks blocked: into this worker's tally for
  // its id (no atomic read-modify-write), or onto the site itself if it has none.
  void count_site_wait(const wait_site* s, std::uint64_t d) noexcept {
    if (s->id_ != 0) [[likely]] {
      sites_.add(s->id_, d);
    } else {
      s->record_untallied(d);
    }
  }
  // A wait of kind k, d ticks blocked, on the named object s (or null), counted as it was: into
  // the class's blocked time and the object's tally. Not a sample (worker::count_short_wait).
  void count_exact_wait(class_counters& cls, std::size_t k, const wait_site* s,
                        std::uint64_t d) noexcept {
    cls.blocked_ticks[k].add(d);
    if (s) count_site_wait(s, d);
  }
  // The running task t is about to suspend (stamp_wait): stamps when its wait began. A timed
  // run also charges its span the run so far (account_span), out of line: the common case, an
  // untimed run, is a test and a store, and keeps no register live across a call. Channel
  // waits are stamped with the channel's lock held (park_waiter_locked).
  // Returns t, so a caller that returns it too makes the rare call a tail call and keeps no
  // register across it (prepare_wait).
  task_header* note_wait(task_header* t) noexcept {
    if constexpr (k_counters_on) {
      if (end_work_.timed) [[unlikely]]
        return note_timed_wait(t);
    }
    t->wait_since_ = run_mark_;
    return t;
  }
  void record_span(std::uint64_t span) noexcept { counters_.max_span_ticks.max(span); }
  // What the named objects' weighted samples of short waits are scaled by when read: this
  // worker's runs less its exact ones, over the samples' weights (1 when none was sampled).
  // Any thread.
  double blocked_scale() const noexcept;

  int index() const noexcept { return index_; }
  runtime_impl& rt() const noexcept { return rt_; }
  worker_counters& counters() noexcept { return counters_; }
  const worker_counters& counters() const noexcept { return counters_; }
  bool has_stealable_work() const noexcept;
  // Shutdown, with every worker stopped: empties this worker's queues, appending to `out` the
  // tasks that hold no registry slot (the others are in the registry already).
  void drain_unregistered(std::vector<task_header*>& out) noexcept;
  std::uint64_t wall_ticks() const noexcept;
  std::source_location long_run_site() const noexcept {
    return long_run_site_.load(std::memory_order_relaxed);
  }
  parker& parker_of() noexcept { return parker_; }
  class_table& classes() noexcept { return classes_; }
  const class_table& classes() const noexcept { return classes_; }
  site_tallies& sites() noexcept { return sites_; }
  const site_tallies& sites() const noexcept { return sites_; }

  // Tracing (WEFT_TRACE), owner thread only. The tracer is set before the worker starts.
  // A flow id unique for the next 16M flows of this worker: the worker in the top 8 bits.
  std::uint32_t next_flow() noexcept {
    trace_flows_ = (trace_flows_ + 1) & 0xffffffu;
    if (trace_flows_ == 0) trace_flows_ = 1;
    return (static_cast<std::uint32_t>(index_ & 0xff) << 24) | trace_flows_;
  }
  void trace_alive_add(std::int64_t d) noexcept {
    trace_alive_.store(trace_alive_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  void trace(trace_kind k, std::uint64_t t, std::uint64_t v = 0, const void* key = nullptr,
             std::uint32_t id = 0) noexcept {
    if (trace_->n == trace_chunk::k_events) trace_ = tracer_->swap(trace_);
    trace_->ev[trace_->n++] = trace_event{t, v, key, id, k};
  }

 private:
  friend class runtime_impl;
  task_header* next_local() noexcept;
  void end_lifo_streak() noexcept {
    if (lifo_streak_ != 0) {
      count_lifo_streak();
      lifo_streak_ = 0;
      lifo_counted_ = 0;
    }
  }
  // The streak's runs not yet in lifo_runs. Also called at every fairness look, so a streak
  // that never ends (a ping-pong with nothing else queued) is counted 61 picks late at most,
  // and the difference is right across the streak length's wrap at 2^32.
  void count_lifo_streak() noexcept {
    counters_.lifo_runs.add(lifo_streak_ - lifo_counted_);
    lifo_counted_ = lifo_streak_;
  }
  bool oldest_fork_starved() noexcept;
  task_header* pop_injector() noexcept;
  task_header* search();
  task_header* steal_from(worker& victim) noexcept;
  void park();
  void run_task(task_header* t) noexcept;
  // The two halves of a run's bookkeeping (counters, sampled timing, tracing), around the
  // resume in run_task, or back to back in switch_to.
  // Inline, defined in worker.cpp (their only callers are there), down to the untimed run;
  // a timed run's work is out of line (see begin_run there).
  inline void begin_run(task_header* t) noexcept;
  void count_long_wait(class_counters& cls, std::uint64_t latency) noexcept;
  // A short wait (of kind k, d ticks blocked) ended for t on a timed run that is exact or the
  // pick after a stretch (begin_timed_run): counted as it is, or as a sample, into cls and t's
  // named object. The short waits of the other runs are left to the samples.
  [[gnu::noinline]] void count_short_wait(task_header* t, class_counters& cls, std::size_t k,
                                          std::uint64_t d) noexcept;
  // A wait longer than this is counted on every run, not left to the sampler (count_long_wait).
  std::uint64_t long_wait_ticks() const noexcept;
  inline void end_run() noexcept;
  // A timed run of t begins; its wait, of kind w (none or fresh: it did not wait), is counted
  // first.
  [[gnu::noinline]] void begin_timed_run(task_header* t, class_counters& cls, wait_kind w) noexcept;
  // An untimed run of t, after a wait of kind w, whose latency and blocked time together are
  // long (begin_run): each counted if it is long on its own, against the estimated clock
  // (run_mark_, not yet moved on).
  [[gnu::noinline]] void count_long_untimed(task_header* t, wait_kind w) noexcept;
  // Sets run_step_ and untimed_gate_ with it.
  void set_run_step(std::uint64_t step) noexcept;
  // end_run's rare part: held tasks to release, a timed run to close.
  [[gnu::noinline]] void end_run_slow() noexcept;
  [[gnu::noinline]] void end_timed_run() noexcept;
  [[gnu::noinline]] task_header* note_timed_wait(task_header* t) noexcept;
  // Tracing. The wake-up arrow of mark_woken.
  [[gnu::noinline]] void trace_wake(task_header* t) noexcept;
  // While sampling: counts an untimed run of class `key` into the current stretch (inline for
  // the common cases: one class through the whole stretch, or two taking turns, a producer and
  // its consumer. An entry past stretch_n_ may be stale, left by an earlier stretch
  // (stretch_close only resets the count): never matched, since the count is checked first).
  void stretch_count(const void* key) noexcept {
    if (stretch_n_ > 0 && stretch_[0].key == key) {
      ++stretch_[0].runs;
      return;
    }
    if (stretch_n_ > 1 && stretch_[1].key == key) {
      ++stretch_[1].runs;
      return;
    }
    stretch_count_any(key);
  }
  [[gnu::noinline]] void stretch_count_any(const void* key) noexcept;
  // Emits the stretch's coalesced slices over [from, to] and starts a new one.
  [[gnu::noinline]] void stretch_close(std::uint64_t from, std::uint64_t to) noexcept;
  // To the back of queue_ (its overflow to the injector counted), without waking anyone.
  void enqueue(task_header* t) noexcept;
  // A task displaced from lifo_ during the current run: into held_, or queue_ when full.
  void hold(task_header* t) noexcept;
  // The end of a run that displaced tasks: held_ to the back of queue_, oldest first.
  void release_held() noexcept;
  bool holds_any() const noexcept;
  // end_run(); begin_run(next); where to resume next.
  std::coroutine_handle<> hand_over(task_header* next) noexcept;
  void poll_timers() noexcept;
  void found_work_while_searching();
  void trace_sample(std::uint64_t now) noexcept;
  // `untimed`: untimed_since(), read before the caller changed the countdown.
  void settle_untimed(std::uint64_t now, std::uint32_t untimed) noexcept;
  // Untimed runs since last_reading_: counted by the countdown alone (untimed_from_ is where
  // it stood at the last reading), so an untimed run decrements one word instead of also
  // incrementing a second.
  std::uint32_t untimed_since() const noexcept {
    return untimed_from_ - static_cast<std::uint32_t>(untimed_left_);
  }
  // The runs a pick that follows a stretch of `untimed` runs stands for: those and the period's
  // two picks. (An argument, not read here: settle_untimed restarts untimed_since().)
  static std::uint64_t sample_weight(std::uint32_t untimed) noexcept {
    return std::uint64_t{untimed} + 2;
  }
  // The weight of the pick about to run, which ends a stretch of `untimed` runs: set already
  // if the stretch was start_random_period()'s.
  std::uint64_t next_pick_weight(std::uint32_t untimed) const noexcept {
    return random_start_ ? pick_weight_ : sample_weight(untimed);
  }
  // Sampling stops (or pauses until the next reading): the next run is timed.
  void stop_countdown() noexcept {
    untimed_left_ = 0;
    untimed_from_ = 0;
    timed_in_period_ = 0;
    random_start_ = false;
  }
  // The next `untimed` runs are untimed (called at a timed run's start, before its reading).
  void start_countdown(std::uint32_t untimed) noexcept;
  // At the first run after a search or park, while sampling: a countdown of random length,
  // whose pick stands for a whole period (bursts shorter than a period are sampled too).
  void start_random_period() noexcept;
  void note_run_length(std::uint64_t d) noexcept;

  runtime_impl& rt_;
  const int index_;
  // The runtime's only worker: nobody steals from its fork deque (fork_deque::pop_alone).
  const bool alone_;
  run_queue queue_;
  fork_deque forks_;
  // Written by the owner; exchanged to null by the owner or by a thief (see the header note).
  alignas(64) std::atomic<task_header*> lifo_{nullptr};
  // Likewise, filled in order by the owner during a run, emptied at its end (release_held) or
  // by a thief under the LIFO rule. Beside lifo_: a thief that looks at one reads both.
  static constexpr int k_held_slots = 4;
  std::atomic<task_header*> held_[k_held_slots] = {};
  // What the current run's end has to do besides clearing run_started_: release the held
  // tasks, close a timed run. Both in one word, so the common end (neither) is one test
  // (end_run): with two, the counters cost fib(30) a few tenths of a point more. Owner only.
  struct run_end_work {
    std::uint16_t held = 0;  // held_ slots filled since the last release (a thief may empty one)
    // The current run reads the clock: set by begin_timed_run, cleared by end_timed_run, so an
    // untimed run (the common one while sampling) stores nothing here. False between runs.
    // tl_run.timed holds the same, set and cleared with it, for account_span, which has the
    // thread's task at hand and not its worker.
    bool timed = false;
    bool pad = false;  // always false: the word has no padding bits for any() to read
    bool any() const noexcept { return std::bit_cast<std::uint32_t>(*this) != 0; }
  };
  static_assert(sizeof(run_end_work) == sizeof(std::uint32_t));
  run_end_work end_work_;
  // Ticks when the current task run started (0: not running). relaxed: thieves only use it as
  // a hint of how long the owner has been busy.
  std::atomic<std::uint64_t> run_started_{0};
  parker parker_;
  static std::uint64_t ticks_now() noexcept;
  // Owner only. In a timed run: a reading, the start of the run's unaccounted part
  // (take_run_ticks). In an untimed one: the clock as estimated from the last reading and the
  // runs since (begin_run). What the tasks this run wakes or parks are stamped with.
  std::uint64_t run_mark_ = 0;
  std::uint64_t end_hint_ = 0;  // owner only: a reading taken at the task's last suspension point
  // The current run (begin_run .. end_run). Owner only.
  std::uint64_t run_start_ = 0;        // its first reading, if timed
  std::source_location run_site_{};    // its task's class
  class_counters* run_cls_ = nullptr;  // that class's counters here
  std::uint32_t run_woken_by_ = 0;     // the trace flow that woke its task
  std::uint32_t tick_ = 0;
  // Sampled timing (run_task). Owner only.
  bool sampling_ = false;      // runs are short: only 2 a sample period are timed
  bool picked_ = false;        // the current timed run is one of the sampler's picks
  bool after_search_ = false;  // the next run follows a search or park: not a pick
  // Runs before the next timed one, while sampling. Signed: begin_run decrements it first and
  // tests the sign (a decrement in memory and a jump), and puts it back from -1 when it has run
  // out. Between runs it is never negative.
  std::int32_t untimed_left_ = 0;
  std::uint32_t timed_in_period_ = 0;     // timed runs so far in this sampling period (0 or 1)
  std::uint32_t untimed_from_ = 0;        // untimed_left_ at last_reading_ (untimed_since())
  std::uint64_t last_reading_ = 0;        // the end of the last timed run; 0 after a search or park
  std::uint64_t mean_run_ = 0;            // moving average of timed run lengths (ticks)
  std::uint64_t mean_gap_ = 0;            // moving average of the gap between back-to-back runs
  std::uint64_t sample_below_ticks_ = 0;  // sample while mean_run_ is under this
  std::uint64_t timed_cost_ticks_ = 0;    // what a timed run's clock readings cost (ticks)
  // An untimed run's step on the estimated clock. Here, not beside mean_gap_: there (shifting
  // sample_below_ticks_ and timed_cost_ticks_ by a word) it made fib(30) 29% slower at procs 1,
  // every time, for no reason found (docs/PERFORMANCE.md).
  std::uint64_t run_step_ = 0;
  // An untimed run whose wait spans at least this takes begin_run's rare branch: past
  // long_wait_ticks() (count_long_untimed), or 0 under tracing (every run: its slice). Set with
  // run_step_ (set_run_step).
  std::uint64_t untimed_gate_ = 0;
  std::uint32_t timed_seen_ = 0;  // timed runs so far (no sampling before a few are seen)
  // LIFO runs in a row, counted into lifo_runs when the streak ends (a pick from elsewhere, a
  // refusal, the worker's stop) or at a fairness look (count_lifo_streak), whichever is first.
  std::uint32_t lifo_streak_ = 0;
  std::uint32_t lifo_counted_ = 0;  // of those, already counted
  // The runs the current pick stands for (begin_timed_run). In the 4 bytes that were padding
  // before fork_top_: a word added at the worker's end cost fib(30) about a point, one more
  // sign that its layout matters (see run_step_).
  std::uint32_t pick_weight_ = 2;
  // The oldest fork as last seen by a fairness look (oldest_fork_starved). Owner only.
  std::int64_t fork_top_ = 0;          // its index in forks_
  std::uint64_t fork_top_since_ = 0;   // ticks: since when it has been the oldest; 0: none
  std::uint64_t fork_wait_ticks_ = 0;  // k_fork_wait_ns in ticks
  // Children of one task group that ended here and are not yet dropped from its state
  // (child_done). Owner only. done_group_ is null when none are held; the held references keep
  // the group's state alive (and its address unique) until the flush.
  group_state* done_group_ = nullptr;
  std::uint64_t done_count_ = 0;
  std::uint64_t done_span_ = 0;
  // The LIFO task displaced by yield_behind_lifo(); runs next. Owner only, never stolen: it is
  // set while the running task suspends and taken by the next pick (the one after, when the
  // periodic fairness look picks first).
  task_header* run_next_ = nullptr;
  std::uint32_t rng_;
  bool searching_ = false;
  // The countdown running is start_random_period()'s: its pick's weight is set (pick_weight_).
  // Here, in the padding after searching_: see run_step_ on the worker's layout.
  bool random_start_ = false;
  // relaxed: read only for the wall-time figure in snapshots.
  std::atomic<std::uint64_t> start_ticks_{0};
  std::atomic<std::uint64_t> end_ticks_{0};
  std::uint64_t long_run_ticks_;
  std::uint64_t lifo_steal_ticks_;
  worker_counters counters_;
  class_table classes_;
  site_tallies sites_;
  tracer* tracer_ = nullptr;           // null: not tracing
  trace_chunk* trace_ = nullptr;       // the chunk this worker fills
  std::uint64_t trace_sample_at_ = 0;  // ticks: when the counter tracks are next sampled
  std::uint32_t trace_flows_ = 0;      // flows this worker started (the low bits of their ids)
  // The untimed runs since the last timed one, by class, for their coalesced slices
  // (stretch_close). Classes beyond k_stretch_classes are counted together as "other".
  struct stretch_class {
    const void* key;
    std::uint32_t runs;
  };
  static constexpr int k_stretch_classes = 4;
  std::array<stretch_class, k_stretch_classes> stretch_{};
  int stretch_n_ = 0;
  std::uint32_t stretch_other_ = 0;
  // Tasks registered minus tasks ended on this worker; written by the owner only, summed by
  // whichever worker samples the "tasks alive" track (so may be negative on its own).
  std::atomic<std::int64_t> trace_alive_{0};
  // Where the longest over-threshold run of this worker was started; written by the owner,
  // read by snapshots (a trivially copyable word, hence an atomic).
  std::atomic<std::source_location> long_run_site_{};
};

// The worker running on this thread, or null.
// Inline (constinit: one TLS load, no call, no guard): the spawn, join and wake paths read it
// several times a task.
extern constinit thread_local worker* tl_worker;
inline worker* current_worker() noexcept {
  return tl_worker;
}

// account_span's timed case: adds the run so far to t's span, and returns the span. Out of
// line, so the common case keeps nothing across a call: inline, its clock reading made a spawn
// save one more register and align the stack (four instructions a spawn).
[[gnu::noinline]] std::uint64_t account_timed_span(task_header* t) noexcept;

// Adds the current run's time so far to the running task's span (called at every suspension,
// spawn and end, so span_ is exact at those points). Inline: a spawn, a join and a task's end
// each come here, and a call per visit cost fib(30) a few percent (bench/overhead).
// An untimed run has nothing to add (begin_run charged it the mean run up front): the flag
// beside the thread's task says so without a look-up of the worker.
// Returns the span, for a spawn to start its child's from.
inline std::uint64_t account_span(task_header* t) noexcept {
  if constexpr (k_counters_on) {
    if (tl_run.timed) [[unlikely]]
      return account_timed_span(t);
  }
  return t->span_;
}

}  // namespace weft::detail
