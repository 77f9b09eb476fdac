#include "core/worker.hpp"

#include <algorithm>
#include <cstddef>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <thread>

#include "core/clock.hpp"
#include "core/group_state.hpp"
#include "core/prefetch.hpp"
#include "core/runtime_impl.hpp"
#include "core/sampling.hpp"
#include "weft/detail/spawned.hpp"

namespace weft::detail {

constinit thread_local thread_run tl_run{};
constinit thread_local worker* tl_worker = nullptr;

namespace {

// Long enough that ordinary tasks never trip it, short enough to catch a loop that forgot to
// yield (Go's sysmon preempts at 10 ms for the same reason).
constexpr std::uint64_t k_long_run_ns = 10'000'000;
// How many rounds over the victims a searching worker makes before it parks. Each round is a
// few hundred nanoseconds; parking and waking cost ~10 us, so a short search pays for itself.
constexpr int k_search_rounds = 4;
// Channel and lock operations a task may complete without waiting in one run before it is
// made to yield: Tokio's figure (128), enough that the yield costs under 1% of a hot loop.
constexpr std::uint8_t k_task_budget = 128;
// Sampled timing (run_task): while the mean timed run is under k_sample_below_ns, time 2 runs
// in every sample period (core/sampling.hpp); not before k_sample_warmup runs have been timed.
// WEFT_SAMPLE_BELOW_NS overrides it for instruction counts under callgrind, where every run is
// tens of times slower and would otherwise never be sampled (bench/README.md).
#ifdef WEFT_SAMPLE_BELOW_NS
constexpr std::uint64_t k_sample_below_ns = WEFT_SAMPLE_BELOW_NS;
#else
constexpr std::uint64_t k_sample_below_ns = 2'000;
#endif
constexpr std::uint32_t k_sample_warmup = 16;
// A sampling worker counts every wait longer than this many runs' worth (worker::
// count_long_wait); the shorter ones it samples. Under a tenth of the shortest period: a
// ping-pong's waits (a run or two) are all sampled, a fork-join tree's oldest forks all counted.
constexpr std::uint64_t k_long_wait_runs = 16;
// A victim deque holding more than k_flat_fork tasks is a flat fork; a thief then takes up to
// k_steal_batch more in one visit.
constexpr std::int64_t k_flat_fork = 64;
constexpr int k_steal_batch = 15;
}  // namespace

std::uint64_t worker::ticks_now() noexcept {
  return ticks();
}

worker::worker(runtime_impl& rt, int index)
    : rt_(rt),
      index_(index),
      alone_(rt.procs() == 1),
      // Seeded from the clock as well as the index: the sampler's random choices (where a
      // period starts after a search, its jitter) must differ from one run of a program to the
      // next, or every run would sample the same runs, and the doctor's repeated runs would
      // share one draw's error instead of averaging it out (a bursty test read one object's
      // waits 1.05-1.11 of the count in every one of 60 processes, seeded by the index alone).
      rng_(static_cast<std::uint32_t>(index) * 2654435761u +
           static_cast<std::uint32_t>(ticks() * 0x9E3779B97F4A7C15ull >> 32) + 1),
      long_run_ticks_(ns_to_ticks(k_long_run_ns)),
      lifo_steal_ticks_(ns_to_ticks(k_lifo_steal_after_ns)) {
  sample_below_ticks_ = ns_to_ticks(k_sample_below_ns);
  fork_wait_ticks_ = ns_to_ticks(k_fork_wait_ns);
  // A timed run reads the clock about three times (start, end, a spawn's span; one more after a
  // stretch, begin_timed_run) and does some bookkeeping: four readings' worth.
  timed_cost_ticks_ = ns_to_ticks(static_cast<std::uint64_t>(4 * weft::metrics::clock_read_ns()));
}

void worker::push_lifo(task_header* t) noexcept {
  // Only the owner stores non-null, so a slot seen empty stays empty until we fill it: a
  // release store is enough then (a thief's later exchange acquires t). The common case of a
  // hand-off (the last LIFO task is the one running) saves an RMW. A full slot may be emptied
  // by a thief at any moment: the exchange is what hands the old task over.
  if (!lifo_.load(std::memory_order_relaxed)) {
    lifo_.store(t, std::memory_order_release);
    return;
  }
  auto* prev = lifo_.exchange(t, std::memory_order_acq_rel);
  if (prev) hold(prev);
}

// Why hold a displaced task until the run ends instead of queueing it: a run that wakes several
// tasks is usually handing each of them a little work (a consumer that empties four producers'
// channels in turn, each receive refilling a buffer from the waiting producer and waking it).
// Queued at once, each woken task is stolen by an idle worker at once, runs there with only the
// little that is ready (one free slot in its channel), and waits again: every item then costs a
// wake-up, a steal and the channel's lines crossing cores. Held until the waker's run ends, each
// finds the work that accumulated meanwhile (the slots the consumer freed) and does it in one
// run. Liveness is the LIFO slot's: a thief may take a held task once the owner has been in one
// run for k_lifo_steal_after, and the run's end releases them all.
void worker::hold(task_header* t) noexcept {
  if (end_work_.held == k_held_slots) {
    push_ready(t);
    return;
  }
  // The slot is empty: only the owner fills slots, release_held() emptied them all, and a
  // thief only ever empties one. release: a thief's exchange acquires t.
  held_[end_work_.held++].store(t, std::memory_order_release);
  // An idle worker must come to look: if this run goes on long, it may take t (steal_from).
  rt_.notify_parked_hint();
}

void worker::release_held() noexcept {
  for (int i = 0; i < end_work_.held; ++i) {
    // relaxed: the task in the slot was stored by this thread (a thief that took it leaves
    // null), and queue_'s push publishes it to whoever takes it from there.
    if (auto* t = held_[i].exchange(nullptr, std::memory_order_relaxed)) enqueue(t);
  }
  end_work_.held = 0;
  rt_.notify_parked_hint();
}

void worker::flush_children_done() noexcept {
  auto* g = std::exchange(done_group_, nullptr);
  if (!g) return;
  // The group may be freed (or its waiter run and end it) inside: the tally is cleared first.
  auto n = std::exchange(done_count_, 0);
  auto span = std::exchange(done_span_, 0);
  group_children_done(g, n, span);
}

bool worker::holds_any() const noexcept {
  for (const auto& h : held_) {
    // acquire, as has_work_anywhere()'s look at lifo_: only a look; whoever takes the task
    // does so with an exchange, which orders what follows.
    if (h.load(std::memory_order_acquire)) return true;
  }
  return false;
}

bool worker::yield_behind_lifo(task_header* t) noexcept {
  if (run_next_ || end_work_.held || !lifo_.load(std::memory_order_relaxed) || !queue_.empty() ||
      !forks_.empty()) {
    return false;
  }
  // acq_rel: as in push_lifo(); t is published to thieves (it is suspended by now).
  auto* x = lifo_.exchange(t, std::memory_order_acq_rel);
  // Null: a thief took the LIFO task meanwhile, and t, alone in the slot, simply runs next.
  run_next_ = x;
  return true;
}

void worker::enqueue(task_header* t) noexcept {
  if (queue_.push_back(t, rt_.inject())) counters_.overflows.add(1);
}

void worker::push_ready(task_header* t) noexcept {
  enqueue(t);
  rt_.notify_parked_hint();
}

void worker::push_fork(task_header* t) noexcept {
  if (!forks_.push(t)) {
    // Full: move the older half to the injector in one batch (one lock, not one per task),
    // as the run queue does; the oldest forks are the ones a thief would take first anyway.
    counters_.overflows.add(1);
    task_header* first = nullptr;
    task_header* last = nullptr;
    std::size_t n = 0;
    steal_result why{};
    for (std::int64_t i = 0; i < fork_deque::k_max_capacity / 2; ++i) {
      auto* x = forks_.steal(why);
      if (!x) break;
      x->next_ = nullptr;
      if (last) {
        last->next_ = x;
      } else {
        first = x;
      }
      last = x;
      ++n;
    }
    if (first) rt_.inject().push_batch(first, last, n);
    if (!forks_.push(t)) rt_.inject().push(t);
  }
  rt_.notify_parked_hint();
}

task_header* worker::pop_injector() noexcept {
  // Take a fair share in one lock, Go's globrunqget: up to len/procs + 1, at most half of our
  // queue. The first runs now, the rest go to our queue where others can steal them.
  auto& inj = rt_.inject();
  if (inj.empty()) return nullptr;
  auto want = inj.size() / static_cast<std::size_t>(rt_.procs()) + 1;
  want = std::min<std::size_t>(
      want,
      run_queue::k_capacity / 2 - std::min<std::size_t>(queue_.size(), run_queue::k_capacity / 2));
  if (want == 0) want = 1;
  bool put_back = false;
  auto* list = inj.pop_batch(want, put_back);
  if (!list) return nullptr;
  if (put_back) rt_.notify_parked_hint();
  counters_.injector_pops.add(1);
  auto* rest = list->next_;
  list->next_ = nullptr;
  while (rest) {
    auto* next = rest->next_;
    rest->next_ = nullptr;
    if (queue_.push_back(rest, inj)) counters_.overflows.add(1);
    rest = next;
  }
  return list;
}

std::uint64_t worker::wall_ticks() const noexcept {
  auto start = start_ticks_.load(std::memory_order_relaxed);
  if (start == 0) return 0;
  auto end = end_ticks_.load(std::memory_order_relaxed);
  return (end ? end : ticks()) - start;
}

double worker::blocked_scale() const noexcept {
  std::uint64_t runs = 0;
  // exact_runs first: a run counted in runs and not yet in exact_runs (it is added at the run's
  // end) would read as one more run stood for.
  auto exact_runs = counters_.exact_runs.get();
  classes_.for_each([&](const void*, const class_counters& c) { runs += c.runs(); });
  return blocked_estimate(0, 1, runs, exact_runs, counters_.blocked_weight.get());
}

bool worker::has_stealable_work() const noexcept {
  return !queue_.empty() || !forks_.empty();
}

void worker::drain_unregistered(std::vector<task_header*>& out) noexcept {
  auto keep = [&](task_header* t) {
    if (t && !t->registered_) out.push_back(t);
  };
  keep(std::exchange(run_next_, nullptr));
  // relaxed would do: the workers' threads have been joined, which orders their writes.
  keep(lifo_.exchange(nullptr, std::memory_order_acquire));
  for (auto& h : held_) keep(h.exchange(nullptr, std::memory_order_acquire));
  end_work_.held = 0;
  while (auto* t = queue_.pop()) keep(t);
  while (auto* t = forks_.pop()) keep(t);
}

void worker::trace_sample(std::uint64_t now) noexcept {
  trace_sample_at_ = now + tracer_->sample_every_ticks();
  auto forks = forks_.size();
  trace(trace_kind::queue, now, queue_.size() + static_cast<std::uint64_t>(forks > 0 ? forks : 0));
  auto alive = tracer_->alive_elsewhere().load(std::memory_order_relaxed);
  for (int i = 0; i < rt_.procs(); ++i) {
    alive += rt_.worker_at(i).trace_alive_.load(std::memory_order_relaxed);
  }
  trace(trace_kind::alive, now, alive > 0 ? static_cast<std::uint64_t>(alive) : 0);
}

// Untimed runs since the last timed one are settled at the next clock reading: the stretch
// from the end of that timed run to `now` is split between their run time and the picks
// between them (core/sampling.hpp, settled_run). A stretch much longer than its runs' expected
// length means one of them ran long: sampling stops (every run is timed again) and a long run
// is counted.
void worker::settle_untimed(std::uint64_t now, std::uint32_t untimed) noexcept {
  auto& c = counters_;
  auto picks = static_cast<std::uint64_t>(untimed) + 1;
  auto stretch = last_reading_ != 0 && now > last_reading_ ? now - last_reading_ : 0;
  // What the runs took if every pick took the timed pair's gap: the least they took, for the
  // long-run test below.
  auto sched = picks * mean_gap_;
  auto over = stretch > sched ? stretch - sched : 0;
  if (over > 8 * untimed * mean_run_ + sample_below_ticks_) {
    c.run_ticks.add(over);
    sampling_ = false;
    stop_countdown();
    if (over > long_run_ticks_) c.long_runs.add(1);
    c.max_run_ticks.max(over);
  } else if (stretch != 0) {
    auto runs = settled_run(stretch, untimed, mean_run_, mean_gap_);
    c.run_ticks.add(runs);
    // The estimated clock's step (begin_run), from the stretch just read: a run and the pick
    // before it, the runs' share of the stretch over the runs and the picks' over the picks
    // (one more than the runs: taking the whole stretch over the runs made the step a gap too
    // long after the short stretches that follow a search, start_random_period). Not the timed
    // runs' mean (run and gap), which is longer than an untimed run's by their clock readings
    // (18% on a ping-pong, whose blocked time the estimated clock then overstated as much). But
    // not above that mean either: a stretch that took in a preemption (under the long-run bound
    // above) would make the clock run several times too fast through the next stretch, and
    // every wait in it read as long; with a busy neighbour on the other vCPU, a ping-pong
    // task's blocked time read 2.4 times the wall time.
    set_run_step(
        std::min(runs / untimed + (stretch - runs) / (untimed + 1), mean_run_ + mean_gap_));
  }
  untimed_from_ = static_cast<std::uint32_t>(untimed_left_);  // settled: none since
}

void worker::start_countdown(std::uint32_t untimed) noexcept {
  untimed_left_ = static_cast<std::int32_t>(untimed);
  // Until a stretch has been read (settle_untimed), the estimated clock steps by the timed
  // runs' mean, and never by more: a step kept from an earlier phase of longer runs (sampling
  // off in between) would run the clock many times too fast through the stretch.
  auto cap = mean_run_ + mean_gap_;
  set_run_step(run_step_ == 0 ? cap : std::min(run_step_, cap));
  // Restarted at the caller's reading: none since it.
  untimed_from_ = static_cast<std::uint32_t>(untimed_left_);
}

// A worker that searches or parks every few dozen runs (a server's workers, woken by each
// request) would never reach the end of a period, if the first period after a search began
// with two picks and ran its whole length, as it did until 2026-12-05: its short waits and
// latency would go unsampled, and be missing from the figures (only the long ones and the
// first run after each search are exact). So the first stretch after a search has a random
// length, 0 to a period's runs less one, and the pick that ends it, if the worker gets that
// far, stands for a whole period: each run from the second after the search on is that pick
// with chance one in a period, so the weighted samples add up to the burst's waits and run
// time on average, however short the bursts. A pick right after the timed first run (a
// stretch of 0) samples no latency: its task was most likely woken by that run and stamped
// from its start, so its latency would take in that run's readings and bookkeeping
// (begin_timed_run); latency rests on the others, in proportion.
void worker::start_random_period() noexcept {
  auto period = sample_period_for(timed_cost_ticks_, mean_run_);
  rng_ = rng_ * 1664525u + 1013904223u;
  start_countdown((rng_ >> 16) & (period - 1));  // period: a power of two
  pick_weight_ = period;
  random_start_ = true;
}

void worker::note_run_length(std::uint64_t d) noexcept {
  // Moving average, weight 1/8: follows a change of phase within a few runs.
  mean_run_ = timed_seen_ == 0 ? d : mean_run_ - mean_run_ / 8 + d / 8;
  if (timed_seen_ < k_sample_warmup) ++timed_seen_;
  sampling_ = timed_seen_ >= k_sample_warmup && mean_run_ < sample_below_ticks_;
  if (!sampling_) stop_countdown();
}

// Timing every run costs two or three clock readings, ~30 ns where a reading costs 10 ns, which
// is more than a fine-grained task itself. So while runs are short (mean under 2 us), only two
// runs in every sample period (core/sampling.hpp) are timed, back to back (the second also measures
// the gap between runs, the scheduler's share); the runs between are counted but not timed, and
// their time is settled from the clock at the next timed run (settle_untimed). Go samples its
// scheduling-latency metrics the same way (one goroutine transition in 8). What stays exact:
// run counts, the worker's time split (stretches are closed by real readings before any search
// or park). What becomes an estimate: blocked time (from stamps taken on the estimated clock
// between readings; long waits counted, short ones sampled: begin_run, count_short_wait),
// per-run latency (likewise: count_long_wait) and per-class run time (scaled from the timed runs),
// the span of untimed runs (charged the mean run length). Tracing samples the same way: a timed run
// is a slice of its own, the untimed runs between two timed ones are coalesced into one slice per
// class (stretch_close), so tracing a fine-grained program costs it little more than the counters
// do (bench/overhead).
void worker::run_task(task_header* t) noexcept {
  begin_run(t);
  t->resume_.resume();
  // From here on `t` may be running on another worker, or be gone: do not touch it. The task
  // that was running when resume() returned is not necessarily `t` either: a join or an end
  // may have switched to another one in place (switch_to).
  end_run();
}

std::coroutine_handle<> worker::hand_over(task_header* next) noexcept {
  end_run();
  begin_run(next);
  return next->resume_;
}

std::coroutine_handle<> worker::switch_to(task_header* next) noexcept {
  ++tick_;  // a pick, as in next_local()
  return hand_over(next);
}

std::coroutine_handle<> worker::switch_to_next() noexcept {
  if (!may_switch()) return std::noop_coroutine();
  auto* next = next_local();  // counts the pick
  return next ? hand_over(next) : std::noop_coroutine();
}

void worker::stretch_count_any(const void* key) noexcept {
  for (int i = 0; i < stretch_n_; ++i) {
    if (stretch_[static_cast<std::size_t>(i)].key == key) {
      ++stretch_[static_cast<std::size_t>(i)].runs;
      return;
    }
  }
  if (stretch_n_ < k_stretch_classes) {
    stretch_[static_cast<std::size_t>(stretch_n_++)] = {key, 1};
  } else {
    ++stretch_other_;
  }
}

// The stretch [from, to] held the untimed runs counted since the last timed one, and the picks
// between them: one slice per class, in order of first appearance, each a share of the stretch
// in proportion to its runs (the runs were not timed one by one; the counts are exact).
void worker::stretch_close(std::uint64_t from, std::uint64_t to) noexcept {
  std::uint64_t total = stretch_other_;
  for (int i = 0; i < stretch_n_; ++i) total += stretch_[static_cast<std::size_t>(i)].runs;
  if (total == 0 || to < from) {
    stretch_n_ = 0;
    stretch_other_ = 0;
    return;
  }
  auto len = to - from;
  std::uint64_t done = 0;
  auto emit = [&](const void* key, std::uint32_t runs) {
    auto at = from + len * done / total;
    done += runs;
    auto end = from + len * done / total;
    trace(trace_kind::runs, at, end - at, key, runs);
  };
  for (int i = 0; i < stretch_n_; ++i) {
    emit(stretch_[static_cast<std::size_t>(i)].key, stretch_[static_cast<std::size_t>(i)].runs);
  }
  if (stretch_other_ > 0) emit(&k_other_classes, stretch_other_);
  stretch_n_ = 0;
  stretch_other_ = 0;
}

void worker::trace_wake(task_header* t) noexcept {
  // A wake-up arrow from the running task's slice to the woken task's next run. Only while
  // every run is timed: a sampling worker coalesces most runs, which have no slice of their
  // own for an arrow to start or end on (and at tens of nanoseconds a run, arrows could not
  // be told apart anyway). mark_woken() checks that before it calls.
  auto id = next_flow();
  t->trace_flow_ = id;
  trace(trace_kind::flow_out, run_mark_, 0, nullptr, id);
}

// begin_run and end_run are inline (hand_over and run_task are their only callers) down to the
// untimed run, the common one while sampling; the timed run's work is out of line. A call
// with its register saves per run cost fib(30) a few percent (bench/overhead).
inline std::uint64_t worker::long_wait_ticks() const noexcept {
  return k_long_wait_runs * run_step_;
}

void worker::set_run_step(std::uint64_t step) noexcept {
  run_step_ = step;
  // Under tracing, 0: every untimed run goes past it, to be counted into its class's slice
  // (begin_run; a span is never below 0). Otherwise past the long waits' bound, so a span
  // over it is a long wait.
  untimed_gate_ = tracer_ ? 0 : long_wait_ticks() + 1;
}

namespace {
// Whether the run of a task whose wait_ was w ends a wait (none: it was made runnable without
// one; fresh: its first run). One compare: the kinds that are waits come after those two.
constexpr bool ends_wait(wait_kind w) noexcept {
  static_assert(wait_kind::none < wait_kind::fresh && wait_kind::fresh < wait_kind::join);
  return w > wait_kind::fresh;
}
}  // namespace

inline void worker::begin_run(task_header* t) noexcept {
  // Every task is a root (spawn_base): its group_ is set while it runs if it is a group's child.
  if (done_group_ && static_cast<spawn_base*>(t)->group_ != done_group_) flush_children_done();
  t->budget_ = k_task_budget;
  tl_run.task = t;
  if constexpr (!k_counters_on) {
    // Counters compiled out (bench/overhead): only the scheduler's own use of the clock is
    // left, the stamp that keeps thieves off a hand-off that is about to run. relaxed:
    // run_started_ is a hint for thieves (steal_from); a stale value only delays or hastens
    // one steal from the LIFO slot.
    run_started_.store(ticks(), std::memory_order_relaxed);
    return;
  }
  auto& cls = classes_.at(t->site_);
  // Where the task's wait to run began, or its wait to be woken if it was blocked: its blocked
  // time and latency together run from there to now. An untimed run tests that span once:
  // short, and neither part is long (count_long_untimed). The stamps may come from different
  // clocks (a waker's reading, an estimate ahead of it), so the span runs to the later of the
  // wake's stamp and now, which bounds each part whatever their order. It runs from the wait's
  // stamp, never later than the wake's: every waker stamps no earlier than the wait began
  // (stamp_runnable), so no min is needed here (3 instructions a waited run).
  auto w = t->wait_;
  auto woken = t->runnable_since_;
  auto since = woken;
  // The run is counted per class only: the worker's totals are its classes' sums
  // (runtime_impl::stats).
  if (ends_wait(w)) [[likely]] {
    since = t->wait_since_;
    t->wait_ = wait_kind::none;
    cls.resumed.add(1);
  } else if (w == wait_kind::fresh) {
    // Its first run: a task of its class (task_header.hpp, wait_kind::fresh).
    cls.spawned.add(1);
    t->wait_ = wait_kind::none;
  } else {
    cls.resumed.add(1);
  }
  // Untimed while the sampling period's countdown runs: a decrement and a sign test. The
  // countdown is zero when not sampling, and reset after a search or park, so the first run after
  // one is timed: a stretch starts at a reading.
  if (--untimed_left_ >= 0) [[likely]] {  // untimed_since() grows by one
    // Its span's estimate, charged here, where the header is at hand: charged at the first
    // suspension or spawn instead, it cost every account_span() a test of whether it had been
    // (span accounting was 4% of fib(30) before).
    t->span_ += mean_run_;
    // The clock is not read, so it is estimated: run_mark_ stands at about the end of the
    // previous run, and moves on by one run's step (a run and a pick's share of the last stretch,
    // settle_untimed), to about the end of this one,
    // where a task typically wakes another and waits itself. The tasks it stamps (mark_woken,
    // note_wait) then read as runnable or waiting from about when they were, not from the
    // stretch's first reading: stamped with that, the task that started the next stretch read
    // as runnable for the whole stretch, and a ping-pong's scheduling latency summed to 400
    // times its wall time. The next timed run puts run_mark_ back on a reading. An estimate
    // ahead of the clock is harmless: a stamp past a later reading reads as no wait
    // (begin_timed_run, mark_woken's max) and thieves compare with care (steal_from).
    // One test for the rare cases, a long wait or tracing (set_run_step): each instruction on
    // this path costs fib(30) about a fifth of a point (docs/PERFORMANCE.md).
    // Nothing but `this` and t is live across the calls on the rare side (the long test first,
    // then the tracing, whose own call comes last): the common side then needs no more saved
    // registers than the compiled-out build's (four instructions a run, docs/PERFORMANCE.md).
    if (auto span = std::max(run_mark_, woken) - since; span >= untimed_gate_) [[unlikely]] {
      if (span > long_wait_ticks()) count_long_untimed(t, w);
      if (tracer_) {
        // Coalesced into its class's slice: an arrow to this run has no slice to end on.
        // Inline: tracing a fine-grained program with a call here cost fib(30) 6 points more.
        t->trace_flow_ = 0;
        stretch_count(class_key(t->site_));
      }
    }
    run_mark_ += run_step_;
    // Thieves see the estimate too. Never zero (not running): a countdown only starts in a
    // timed run, which put run_mark_ on a reading.
    run_started_.store(run_mark_, std::memory_order_relaxed);
    return;
  }
  untimed_left_ = 0;  // back from -1: the countdown had run out
  begin_timed_run(t, cls, w);
}

namespace {
// How long t was blocked in the wait that just ended: from the stamps taken when the wait began
// and when the task was woken, no clock read. Every waker stamps no earlier than the wait began
// (begin_run); the max only guards the sum against a stamp that broke that, off the common
// path (timed runs and long waits).
std::uint64_t wait_ticks(const task_header* t) noexcept {
  return std::max(t->runnable_since_, t->wait_since_) - t->wait_since_;
}
}  // namespace

// A task that waited long, to run or blocked, is not left to the sampler: its latency, on the
// estimated clock, and its blocked time count as they are, each if it is long (count_long_wait,
// count_exact_wait). A named object's tally is counted here too, where the header is at hand:
// counted in the awaiter after the task resumed, it took a call, a TLS load and another look at
// the clock stamp per wait (the ping-pong at procs 1 went from 98.8 to 95.9 ns a round trip,
// docs/PERFORMANCE.md). Out of line, behind one test of the two together (begin_run): in a
// fork-join tree one join in ten or so waits for a subtree longer than the threshold.
void worker::count_long_untimed(task_header* t, wait_kind w) noexcept {
  auto& cls = classes_.at(t->site_);  // the last class looked up: one compare
  auto mark = run_mark_;              // not yet moved on by this run's step
  auto limit = long_wait_ticks();
  if (ends_wait(w)) {
    if (auto d = wait_ticks(t); d > limit)
      count_exact_wait(cls, static_cast<std::size_t>(w), t->wait_site_, d);
  }
  auto latency = mark - t->runnable_since_;
  if (static_cast<std::int64_t>(latency) > static_cast<std::int64_t>(limit))
    count_long_wait(cls, latency);
}

void worker::begin_timed_run(task_header* t, class_counters& cls, wait_kind w) noexcept {
  auto& c = counters_;
  if (ends_wait(w)) {
    // Its wait: a long one counts as it is, as on every run. The short ones are sampled, as
    // latency is: adding each to its class's and its object's tallies cost a channel ping-pong
    // (a short wait a run) about 4% (docs/PERFORMANCE.md). Counted unless this is a pick with no
    // stretch before it (the second of a period; both of the first period once sampling
    // starts; not the first after a search, whose random stretch may be none), whose short wait
    // is left to the samples (count_short_wait, before anything below changes what it reads).
    // Tested here, not in the call: the second pick's gap from the first, read below, stands
    // for an untimed run's, which makes no call.
    auto k = static_cast<std::size_t>(w);
    if (auto d = wait_ticks(t); d > long_wait_ticks()) {
      count_exact_wait(cls, k, t->wait_site_, d);
    } else if (!sampling_ || after_search_ || untimed_since() != 0 || random_start_) {
      count_short_wait(t, cls, k, d);
    }
  }
  auto untimed = untimed_since();  // before the countdown below may restart it
  end_work_.timed = true;
  tl_run.timed = true;
  // For end_timed_run. The class's counters stay put (slots are never reused), so the pointer
  // may be held across the run; the task itself may not be (it may be gone when the run ends).
  run_site_ = t->site_;
  run_cls_ = &cls;
  // The first run after a search or park is timed but is no pick: it stands for itself
  // (sampled_estimate). Otherwise, while sampling, this is the first or the second timed run of
  // a period, the sampler's picks: the second starts the untimed rest of the period.
  picked_ = sampling_ && !after_search_;
  // A pick's weight (end_timed_run): the runs of its period. Set by the first pick of a period
  // from the stretch it ends, kept for the second; the first pick after a search, which ends a
  // stretch of random length (maybe none), was given its period's whole length when that
  // stretch began. Those picks are samples of blocked time; the others, the second of a period
  // and both of the first period once sampling starts (which keep the last period's weight),
  // are not (count_short_wait).
  auto sample = picked_ && (untimed > 0 || random_start_);
  if (sample) {
    pick_weight_ = static_cast<std::uint32_t>(next_pick_weight(untimed));
    random_start_ = false;
  }
  if (after_search_) {
    after_search_ = false;
    if (sampling_) start_random_period();
  } else if (sampling_ && ++timed_in_period_ == 2) {
    timed_in_period_ = 0;
    // The period is jittered by up to an eighth either way, its mean about the same: a fixed
    // period aliases with a program's own rhythm. A ping-pong alternates two tasks, and with an
    // even period every first pick fell on the same one of them: the other's latency was never
    // sampled and read as none. High bits: the generator's low bits cycle short.
    auto period = sample_period_for(timed_cost_ticks_, mean_run_);
    rng_ = rng_ * 1664525u + 1013904223u;
    auto jitter = (rng_ >> 16) & (period / 4 - 1);  // period / 4: a power of two, 8 or more
    start_countdown(period - 2 - period / 8 + jitter);
  }
  // A fresh reading, not the previous run's end: the queue operations in between are the
  // scheduler's time, which the doctor's too-fine rule weighs against run time.
  auto start = ticks();
  if (untimed > 0) {
    if (tracer_) [[unlikely]]
      stretch_close(last_reading_, start);
    settle_untimed(start, untimed);
  } else if (last_reading_ != 0 && start > last_reading_) {
    auto gap = start - last_reading_;
    mean_gap_ = mean_gap_ == 0 ? gap : mean_gap_ - mean_gap_ / 8 + gap / 8;
  }
  // run_mark_ is still the estimated clock (at the end of the stretch's last run), if a stretch
  // of untimed runs ends here.
  auto latency = stretch_latency(t->runnable_since_, start, untimed > 0 ? last_reading_ : 0,
                                 run_mark_ + mean_gap_);
  if (sample) {
    // This pick's blocked time (count_short_wait, before) is a sample: one that stands for the runs
    // that are not exact, whether or not its task waited (its latency may be long: that only
    // takes the run out of latency's sample).
    c.blocked_weight.add(pick_weight_);
    cls.blocked_weight.add(pick_weight_);
  }
  if (picked_ && latency > long_wait_ticks()) {
    // Not a sample: a long wait counts as it is, on every run (count_long_wait), the picks
    // included.
    count_long_wait(cls, latency);
  } else if (!picked_ || untimed > 0) {
    // A pick samples latency only after a stretch: one right after another timed run (the
    // second of a period, or a first after a search whose random stretch was none) most likely
    // runs a task that run woke, stamped from its start, and its latency would take in that
    // run's clock readings and bookkeeping, three times an untimed run's length (half a
    // ping-pong's time read as latency). Latency rests on the picks after a stretch (stamped
    // from the estimated clock, begin_run), the exact runs and the long waits; latency_runs
    // counts the runs the first two stand for: an exact run itself, a pick its period's runs,
    // by which its latency is weighted, as a pick's blocked time is (count_short_wait).
    std::uint64_t weight = picked_ ? pick_weight_ : 1;  // picked_ here: after a stretch
    c.latency_runs.add(weight);
    cls.latency_runs.add(weight);
    if (latency != 0) {
      c.sched_latency_ticks.add(latency * weight);
      cls.sched_latency_ticks.add(latency * weight);
      if (!picked_) {
        c.exact_latency_ticks.add(latency);
        cls.exact_latency_ticks.add(latency);
      }
    }
  }
  run_woken_by_ = 0;
  if (tracer_) [[unlikely]] {
    run_woken_by_ = std::exchange(t->trace_flow_, 0);
    if (start >= trace_sample_at_) trace_sample(start);
  }
  // The run starts after this bookkeeping, which is the scheduler's: after a stretch (settling
  // it, its latency) it is as long as an untimed run, and the first picks, scaled to stand for
  // the whole stretch, would have put it in their class's run time (a quarter too much on a
  // ping-pong). One more reading a period is cheap; the others start at `start`.
  auto from = untimed > 0 ? ticks() : start;
  run_start_ = from;
  run_mark_ = from;
  end_hint_ = 0;
  run_started_.store(from, std::memory_order_relaxed);
}

inline void worker::end_run() noexcept {
  tl_run.task = nullptr;
  if (end_work_.any()) [[unlikely]] {
    end_run_slow();
    return;
  }
  run_started_.store(0, std::memory_order_relaxed);
}

void worker::end_run_slow() noexcept {
  if (end_work_.held) release_held();
  if (k_counters_on && end_work_.timed) {
    end_timed_run();
    return;
  }
  run_started_.store(0, std::memory_order_relaxed);
}

// Scheduling latency is sampled, like run time, but it is heavy-tailed in fork-join programs
// (the oldest forks wait for whole subtrees): the few tasks that hold most of it were seldom
// among the picks, and a sampled skynet read a half or three times the latency measured with
// every run timed, from one run to the next. So the waits longer than k_long_wait_runs runs'
// worth are taken out of the sample: every run with one counts it here, as exact (from the
// estimated clock when untimed, within its drift), and the picks stand only for the short
// waits (long_waits comes off the runs they stand for: runtime_impl::stats).
void worker::count_long_wait(class_counters& cls, std::uint64_t latency) noexcept {
  auto& c = counters_;
  c.long_waits.add(1);
  c.sched_latency_ticks.add(latency);
  c.exact_latency_ticks.add(latency);
  cls.long_waits.add(1);
  cls.sched_latency_ticks.add(latency);
  cls.exact_latency_ticks.add(latency);
}

// Blocked time is sampled like latency, and for the same reason: counted on every wait, it was
// most of what the counters cost a program that waits at every run. Called at the start of
// begin_timed_run, so picked_ is not yet this run's: it is worked out here the same way.
void worker::count_short_wait(task_header* t, class_counters& cls, std::size_t k,
                              std::uint64_t d) noexcept {
  auto* s = t->wait_site_;
  if (!sampling_ || after_search_) {
    // An exact run's (every run when not sampling, the first after a search): counted as it
    // is, and it stands for no other.
    count_exact_wait(cls, k, s, d);
    return;
  }
  // The pick that follows a stretch: a sample, weighted by the runs of its period (the stretch
  // and the period's two picks; after a search, the whole period: start_random_period), which
  // begin_timed_run adds to blocked_weight (a pick with no wait is a sample of none). Weighted
  // here, not scaled by one ratio when read: the period follows the run length (32 to 1024 runs),
  // and a pick of a phase of short runs stands for many more runs than one of a phase of longer
  // runs. The read corrects the weights' sum to the runs they stand for (blocked_estimate,
  // blocked_scale).
  auto w = next_pick_weight(untimed_since());
  cls.sampled_blocked_ticks[k].add(d * w);
  if (!s) return;
  if (s->id_ != 0) [[likely]] {
    sites_.add_sampled(s->id_, d * w, w);
  } else {
    // The object's own atomics are shared by every worker: no worker's correction can be
    // applied when they are read, so the weighted sample is all it gets.
    s->record_untallied(d * w, w);
  }
}

std::uint64_t account_timed_span(task_header* t) noexcept {
  return current_worker()->charge_span(t);
}

task_header* worker::note_timed_wait(task_header* t) noexcept {
  charge_span(t);
  t->wait_since_ = run_mark_;
  return t;
}

void worker::end_timed_run() noexcept {
  auto& c = counters_;
  auto& cls = *run_cls_;
  auto start = run_start_;
  // A task that suspended or ended through prepare_wait()/its exit read the clock there, a few
  // instructions ago: use that reading rather than pay for another.
  auto end = end_hint_ ? end_hint_ : ticks();
  run_started_.store(0, std::memory_order_relaxed);
  end_work_.timed = false;
  tl_run.timed = false;
  auto d = end - start;
  last_reading_ = end;
  c.timed_runs.add(1);
  c.run_ticks.add(d);
  if (!picked_) {
    c.exact_runs.add(1);
    cls.exact_runs.add(1);
    cls.run_ticks.add(d);
    cls.exact_run_ticks.add(d);
  } else {
    // A pick: its time is a sample, weighted by the runs of its period (pick_weight_, set in
    // begin_timed_run), as a pick's latency and blocked time are: one ratio for a class's whole
    // run, its runs over its picks, would count a pick of a phase of longer runs (a shorter
    // period) as standing for as many runs as one of shorter runs. The class's estimate reads
    // the weighted samples as its runs that are not exact, in proportion (sampling.hpp,
    // sampled_estimate). Beyond 8 mean runs + sample_below, far longer than the runs it stands
    // for (the bound settle_untimed puts on a stretch: a preemption, a page fault, a rare long
    // run), a pick's time counts once, as measured: weighted, one such pick of 40 us doubled a
    // ping-pong class's run time.
    auto cap = 8 * mean_run_ + sample_below_ticks_;
    auto over = d > cap ? d - cap : 0;
    cls.run_ticks.add(over + (d - over) * pick_weight_);
    cls.exact_run_ticks.add(over);
    cls.pick_weight.add(pick_weight_);
  }
  if (d > long_run_ticks_) {
    c.long_runs.add(1);
    if (d > c.max_run_ticks.get()) long_run_site_.store(run_site_, std::memory_order_relaxed);
  }
  c.max_run_ticks.max(d);
  note_run_length(d);
  if (tracer_) [[unlikely]]
    trace(trace_kind::slice, start, d, class_key(run_site_), run_woken_by_);
}

// Forks run newest first (depth-first, as in Cilk and oneTBB), so a program that keeps forking
// could leave its oldest fork waiting for ever. Taking the oldest at every fairness look (every
// 61 picks, as this did before) ran fork-join trees partly breadth-first: one pick in 61 started
// a subtree out of turn while the one under way waited, thousands of forks were pending at once
// instead of tens, and their frames fell out of the caches (skynet went from 101 to 80 ms at
// procs 1 and from 51 to 35 at procs 2 without it; docs/PERFORMANCE.md). So the oldest fork is
// taken only once it has been the oldest here for k_fork_wait_ns. Its index (the deque's top) is
// watched, not its age: a deque that emptied and refilled between two looks counts as unchanged,
// which at worst takes an oldest fork early, once. Called every k_fairness_interval picks.
bool worker::oldest_fork_starved() noexcept {
  if (forks_.empty()) {
    fork_top_since_ = 0;
    return false;
  }
  auto top = forks_.top_index();
  auto now = ticks();
  if (fork_top_since_ == 0 || top != fork_top_) {
    fork_top_ = top;
    fork_top_since_ = now;
    return false;
  }
  if (now - fork_top_since_ < fork_wait_ticks_) return false;
  fork_top_since_ = 0;  // the next oldest waits its own turn
  return true;
}

task_header* worker::next_local() noexcept {
  // Every pick counts, the pick-next task's too: a pair that keeps swapping must not keep the
  // injection queue and the timers waiting. The fairness look may go ahead of a pending
  // pick-next task; what it picks cannot swap meanwhile (yield_behind_lifo refuses), since
  // run_next_ holds one task only.
  ++tick_;
  if (tick_ % k_fairness_interval == 0) {
    count_lifo_streak();
    // Timers first (due ones go to the back of queue_): when something is always queued here,
    // polling them last meant never, and a sleeper on a busy worker slept until it ran dry.
    poll_timers();
    if (auto* t = pop_injector()) return t;
    if (auto* t = queue_.pop()) return t;
    if (oldest_fork_starved()) {
      steal_result why{};
      if (auto* t = forks_.steal(why)) return t;
    }
  }
  if (run_next_) return std::exchange(run_next_, nullptr);
  // relaxed load as a cheap emptiness test; the exchange takes ownership.
  if (lifo_.load(std::memory_order_relaxed)) {
    if (auto* t = lifo_.exchange(nullptr, std::memory_order_acq_rel)) {
      // The streak limit is fairness to the tasks queued here: with none waiting, ending it
      // would only hand the pair to a thief and turn every later hand-off into a cross-core
      // one (a ping-pong split over two workers costs twice one kept on one).
      // Counted when the streak ends (end_lifo_streak): a hand-off pair runs from this slot
      // every time, and a count per pick cost the ping-pong a load and a store a run.
      if (++lifo_streak_ <= k_max_lifo_runs || (queue_.empty() && forks_.empty())) return t;
      --lifo_streak_;  // refused: not run from the slot
      push_ready(t);   // the streak is over: back of the line
    }
  }
  end_lifo_streak();
  if (auto* t = alone_ ? forks_.pop_alone() : forks_.pop()) {
    // A fork's children run one after another: fetch the next one's class line (what
    // begin_run reads first) while this one runs.
    // peek() may be stale (stolen, even ended): the address is computed, never dereferenced.
    if (auto* next = forks_.peek()) {
      __builtin_prefetch(reinterpret_cast<const char*>(next) + offsetof(task_header, site_));
    }
    return t;
  }
  if (auto* t = queue_.pop()) return t;
  return pop_injector();
}

void worker::poll_timers() noexcept {
  auto& timers = rt_.timers();
  if (timers.pending() == 0) return;
  auto now = timers.now_us();
  if (!timers.maybe_due(now)) return;
  // A mass expiry (a million sleepers sharing a deadline) is fired a batch at a time, about
  // what our queue has room for: each batch's timers are then touched once while cached and
  // run here, and the workers that come looking for work fire the next batches in parallel.
  // Fired all at once by one worker, each timer cost two cache misses (the wheel's walk, then
  // the fire loop) on that worker before any of them ran, and the rest went to others through
  // the injector (docs/PERFORMANCE.md). At least k_min_fire_batch, so that timers keep up on a
  // worker whose queue stays full.
  auto used = std::min<std::size_t>(queue_.size(), run_queue::k_capacity / 2);
  timers.fire_due(now, std::max(run_queue::k_capacity / 2 - used, k_min_fire_batch));
}

namespace {
// A task's first three lines from its header on: the header and, for a spawned root, the join
// word and the first of its own frame's state.
void prefetch_frame(task_header* t) noexcept {
  auto* p = reinterpret_cast<const char*>(t);
  prefetch_for_write(p);
  prefetch_for_write(p + 64);
  prefetch_for_write(p + 128);
}
}  // namespace

task_header* worker::steal_from(worker& victim) noexcept {
  steal_result why{};
  counters_.steals_tried.add(1);
  if (auto* t = victim.forks_.steal(why)) {
    counters_.steals_won.add(1);
    // A flat fork (a loop that spawned many children before joining): take a few more while
    // the deque's top line is in our cache, rather than come back for each (every trip costs
    // cache misses on the victim's deque). Into our own deque, so others can steal them on.
    for (int more = 0; more < k_steal_batch && victim.forks_.size() > k_flat_fork; ++more) {
      auto* x = victim.forks_.steal(why);
      if (!x) break;
      counters_.steals_won.add(1);
      if (!forks_.push(x)) {
        push_ready(x);
        break;
      }
      // Its frame was written by the victim and sits modified in the victim's cache: fetch
      // it now, for writing (running it writes the header), so the transfers of the batch
      // overlap each other and the work before they run, instead of each run stalling on its
      // first touch (the header's second line: a sixth of a thief's time in spawn_join).
      prefetch_frame(x);
    }
    return t;
  }
  if (why == steal_result::retry) counters_.steals_retry.add(1);
  if (auto* t = victim.queue_.steal_into(queue_, why)) {
    counters_.steals_won.add(1);
    return t;
  }
  if (why == steal_result::retry) counters_.steals_retry.add(1);
  // The victim's hand-off slot and held tasks, only if the victim has been stuck in one task
  // for a while. The held ones first: the oldest wake-ups, and the slot's task is the one the
  // victim would run next.
  auto waiting = [&](const std::atomic<task_header*>& slot) {
    return slot.load(std::memory_order_relaxed) != nullptr;
  };
  if (waiting(victim.lifo_) ||
      std::any_of(std::begin(victim.held_), std::end(victim.held_), waiting)) {
    auto started = victim.run_started_.load(std::memory_order_relaxed);
    // now > started: a stamp from the estimated clock (run_mark_ | 1, begin_run) may be ahead
    // of this reading, by up to the estimate's drift over a stretch; unsigned, the difference
    // would wrap to "stuck for ages".
    auto now = ticks();
    if (started != 0 && now > started && now - started > lifo_steal_ticks_) {
      for (auto& h : victim.held_) {
        if (auto* t = h.exchange(nullptr, std::memory_order_acq_rel)) {
          counters_.steals_won.add(1);
          return t;
        }
      }
      if (auto* t = victim.lifo_.exchange(nullptr, std::memory_order_acq_rel)) {
        counters_.steals_won.add(1);
        return t;
      }
    }
  }
  return nullptr;
}

void worker::found_work_while_searching() {
  if (!searching_) return;
  searching_ = false;
  // The last searcher found work: there may be more, so wake someone to keep looking.
  if (rt_.idle_state().stop_searching()) rt_.notify_parked();
}

task_header* worker::search() {
  if (!searching_) {
    if (!rt_.idle_state().try_start_searching()) return nullptr;
    searching_ = true;
  }
  auto start = ticks();
  const int n = rt_.procs();
  for (int round = 0; round < k_search_rounds && !rt_.stopping(); ++round) {
    poll_timers();
    task_header* t = next_local();  // timers fire into our own queue; injector included
    if (!t && n > 1) {
      rng_ = rng_ * 1664525u + 1013904223u;
      auto first = static_cast<int>(rng_ % static_cast<std::uint32_t>(n));
      for (int i = 0; i < n && !t; ++i) {
        int v = (first + i) % n;
        if (v != index_) {
          t = steal_from(rt_.worker_at(v));
          if (t && tracer_) [[unlikely]]
            trace(trace_kind::steal, ticks(), 0, nullptr, static_cast<std::uint32_t>(v));
        }
      }
    }
    if (t) {
      found_work_while_searching();
      return t;
    }
    if (round + 1 < k_search_rounds) std::this_thread::yield();
  }
  counters_.spin_ticks.add(ticks() - start);
  return nullptr;
}

void worker::park() {
  auto& idle = rt_.idle_state();
  // Step 1: announce.
  idle.park_worker(index_, searching_);
  searching_ = false;
  // Step 2: look once more. The RMW in park_worker orders this after the announcement.
  if (rt_.stopping() || rt_.has_work_anywhere()) {
    if (!idle.unpark_self(index_)) searching_ = true;  // someone already woke us
    return;
  }
  bool deadlock = false;
  {
    std::lock_guard g(idle.lock());
    deadlock = rt_.check_deadlock_locked();
  }
  if (deadlock) {
    idle.unpark_self(index_);
    rt_.stop();
    return;
  }
  // Step 3: sleep; until the next timer if no other worker is already waiting on it.
  std::uint64_t timeout_ns = 0;
  bool driver = false;
  if (rt_.timers().pending() > 0) {
    auto next = rt_.timers().next_deadline();
    int expected = -1;
    if (rt_.timer_driver().compare_exchange_strong(expected, index_)) {
      driver = true;
      // relaxed: read only by parking workers deciding whether to wake us; a stale value
      // costs one needless wake or leaves it to the next parker, never a lost timer (the
      // driver re-reads the wheel each time it wakes).
      rt_.driver_deadline().store(next, std::memory_order_relaxed);
      auto now = rt_.timers().now_us();
      timeout_ns = next > now ? (next - now) * 1000 : 1;
    } else if (next < rt_.driver_deadline().load(std::memory_order_relaxed)) {
      // Another worker drives the timers but sleeps past the earliest one (armed by a task
      // that took the short-timer shortcut in wake_timer_driver()): wake it to re-arm.
      rt_.wake_timer_driver_now();
    }
  }
  auto start = ticks();
  counters_.parks.add(1);
  if (!(driver && timeout_ns == 1)) parker_.park(timeout_ns);
  auto woke = ticks();
  counters_.idle_ticks.add(woke - start);
  if (tracer_) [[unlikely]]
    trace(trace_kind::park, start, woke - start);
  if (driver) rt_.timer_driver().store(-1);
  // Whoever woke us may have counted us as unparked and searching already.
  searching_ = !idle.unpark_self(index_);
  if (driver) poll_timers();
}

void worker::run() {
  tl_worker = this;
#if defined(__linux__)
  // Timer deadlines are microseconds; the default 50 us timer slack would make every timed
  // park late by up to that much.
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
#endif
  start_ticks_.store(ticks(), std::memory_order_relaxed);
  while (!rt_.stopping()) {
    auto* t = next_local();
    if (!t && done_group_) {
      // Out of local work: the held children may be a group's last, whose waiter then becomes
      // runnable here.
      flush_children_done();
      t = next_local();
    }
    if (!t) {
      // Leaving the run-after-run path: settle the untimed runs now, so the stretch does not
      // take in the search or the park.
      if constexpr (k_counters_on) {
        if (auto untimed = untimed_since(); untimed > 0) {
          auto now = ticks();
          if (tracer_) [[unlikely]]
            stretch_close(last_reading_, now);
          settle_untimed(now, untimed);
        }
        last_reading_ = 0;
        stop_countdown();  // a stretch starts at a reading: the next run is timed
        after_search_ = true;
      }
      t = search();
    }
    if (t) {
      found_work_while_searching();
      run_task(t);
    } else {
      park();
    }
  }
  flush_children_done();
  if (searching_) {
    searching_ = false;
    rt_.idle_state().stop_searching();
  }
  end_lifo_streak();
  if (tracer_ && untimed_since() > 0) stretch_close(last_reading_, ticks());
  end_ticks_.store(ticks(), std::memory_order_relaxed);
  tl_worker = nullptr;
}

}  // namespace weft::detail
