#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include "core/clock.hpp"
#include "core/runtime_impl.hpp"
#include "core/sampling.hpp"
#include "observe/progress.hpp"
#include "observe/wait_sites.hpp"

namespace weft::detail {

constinit thread_local runtime_impl* tl_runtime = nullptr;

namespace {
constexpr int k_max_procs = 4096;

std::mutex g_last_stats_m;
metrics::runtime_stats g_last_stats;  // guarded by g_last_stats_m
}  // namespace

int resolve_procs(const std::optional<int>& from_options) {
  auto check = [](long long v, const std::string& shown, const char* source) {
    if (v <= 0) {
      throw config_error("weft: procs = " + shown + " (" + source + ") must be a positive integer");
    }
    if (v > k_max_procs) {
      throw config_error("weft: procs = " + shown + " (" + source + ") is more than the " +
                         std::to_string(k_max_procs) + " workers weft supports");
    }
    return static_cast<int>(v);
  };
  if (from_options) return check(*from_options, std::to_string(*from_options), "from options");
  if (const char* env = std::getenv("WEFT_PROCS"); env && *env) {  // NOLINT(concurrency-mt-unsafe)
    std::string_view sv(env);
    long long v = 0;
    auto [end, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), v);
    if (ec != std::errc{} || end != sv.data() + sv.size()) {
      throw config_error("weft: WEFT_PROCS='" + std::string(sv) +
                         "' (from the environment) is not a positive integer");
    }
    return check(v, "'" + std::string(sv) + "'", "WEFT_PROCS, from the environment");
  }
  auto hw = static_cast<int>(std::thread::hardware_concurrency());
  return hw > 0 ? std::min(hw, k_max_procs) : 1;
}

runtime_impl::runtime_impl(std::string name, int procs)
    : name_(std::move(name)),
      procs_(procs),
      idle_(procs),
      registry_(static_cast<std::size_t>(procs) + 1),
      blocking_(this),
      progress_at_start_(progress_totals()) {
  workers_.reserve(static_cast<std::size_t>(procs));
  for (int i = 0; i < procs; ++i) workers_.push_back(std::make_unique<worker>(*this, i));
  tracer_ = tracer::from_env(name_, procs);
  if (tracer_) {
    // Before the threads start: their start orders these writes before the workers' reads.
    for (auto& w : workers_) {
      w->tracer_ = tracer_.get();
      w->trace_ = tracer_->fresh(w->index());
    }
  }
}

runtime_impl::~runtime_impl() = default;

void runtime_impl::register_task(task_header* t) noexcept {
  auto* w = current_worker();
  if (w && &w->rt() == this) {
    if (tracer_) [[unlikely]]
      w->trace_alive_add(1);
    return;
  }
  // From outside the workers (run()'s thread, a blocking-pool thread): the shared external
  // shard, whose "owner" is whoever holds external_m_.
  if (tracer_) [[unlikely]]
    tracer_->alive_elsewhere().fetch_add(1, std::memory_order_relaxed);
  // Registered now: a task started off the workers (the root, a go from a blocking call) may
  // be dropped by make_runnable() during shutdown before any queue holds it.
  std::lock_guard g(external_m_);
  registry_.add(t, static_cast<std::size_t>(procs_));
  t->registered_ = true;
}

void runtime_impl::register_waiting(task_header* t) noexcept {
  // Only a running task waits, and only on a worker of its own runtime: the worker's shard.
  registry_.add(t, static_cast<std::size_t>(current_worker()->index()));
  t->registered_ = true;
}

void runtime_impl::register_joiners(task_header* t) noexcept {
  for (;;) {
    // acquire: a joiner on another worker registered itself before its release CAS published
    // it, so its registered_ reads true here and the walk stops; an in-place joiner published
    // itself on this thread.
    auto v = static_cast<spawn_base*>(t)->join_.load(std::memory_order_acquire);
    if (v <= k_detached) return;
    auto* j = reinterpret_cast<task_header*>(v & ~k_joiner_firm);  // NOLINT
    if (j->registered_) return;
    register_waiting(j);
    t = j;
  }
}

void runtime_impl::unregister_task(task_header* t) noexcept {
  auto* w = current_worker();
  const bool on_worker = w && &w->rt() == this;
  if (tracer_) [[unlikely]] {
    if (on_worker) {
      w->trace_alive_add(-1);
    } else {
      tracer_->alive_elsewhere().fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (!t->registered_) return;
  if (t->shard_ == procs_) {
    std::lock_guard g(external_m_);
    registry_.remove(t, static_cast<int>(procs_));  // as the external shard's owner
    return;
  }
  registry_.remove(t, on_worker ? w->index() : -1);
}

void runtime_impl::start_root(spawn_base* root) {
  root->rt_ = this;
  register_task(root);
  root->runnable_since_ = ticks();
  injector_.push(root);
}

void runtime_impl::make_runnable(task_header* t, placement how) noexcept {
  if (shutting_down()) return;  // every task is about to be destroyed
  auto* w = current_worker();
  if (w && &w->rt() == this) {
    // Woken from inside a task: reuse the waker's last clock reading (its run's start, or its
    // latest spawn or suspension), which saves a read; scheduling latency is then overstated
    // by at most the waker's run so far. Never earlier than the wait began. A sampling worker
    // stamps from its estimated clock instead (worker::begin_run). Woken from the worker loop
    // (timers): read the clock.
    if (current_task()) {
      w->mark_woken(t);
    } else {
      stamp_runnable(t, ticks());
    }
    switch (how) {
      case placement::lifo:
        w->push_lifo(t);
        return;
      case placement::ready:
        w->push_ready(t);
        return;
      case placement::behind_lifo:
        if (!w->yield_behind_lifo(t)) w->push_ready(t);
        return;
      case placement::fork:
        w->push_fork(t);
        return;
    }
  }
  stamp_runnable(t, ticks());
  injector_.push(t);
  notify_parked();
}

void runtime_impl::notify_parked() noexcept {
  int id = idle_.worker_to_notify();
  if (id >= 0) workers_[static_cast<std::size_t>(id)]->parker_of().unpark();
}

void runtime_impl::wake_timer_driver(std::uint64_t when_us) noexcept {
  // A timer due very soon, armed from one of our workers: that worker polls the timers before
  // it can sleep (and every 61 tasks), so waking another thread through a futex (several
  // microseconds, more than the wait itself) buys nothing. 100 us is ~10 futex wake-ups.
  constexpr std::uint64_t k_local_horizon_us = 100;
  auto* w = current_worker();
  if (w && &w->rt() == this && when_us <= timer_service::now_us() + k_local_horizon_us) return;
  int d = timer_driver_.load(std::memory_order_acquire);
  if (d >= 0) {
    workers_[static_cast<std::size_t>(d)]->parker_of().unpark();
  } else {
    notify_parked();
  }
}

void runtime_impl::wake_timer_driver_now() noexcept {
  int d = timer_driver_.load(std::memory_order_acquire);
  if (d >= 0) workers_[static_cast<std::size_t>(d)]->parker_of().unpark();
}

bool runtime_impl::has_work_anywhere() const noexcept {
  if (!injector_.empty()) return true;
  for (const auto& w : workers_) {
    if (w->has_stealable_work() || w->lifo_.load(std::memory_order_acquire) || w->holds_any()) {
      return true;
    }
  }
  return false;
}

void runtime_impl::fail(std::exception_ptr e) noexcept {
  {
    std::lock_guard g(failure_m_);
    if (!failure_) failure_ = std::move(e);
  }
  stop();
}

void runtime_impl::stop() noexcept {
  {
    std::lock_guard g(idle_.lock());
    stopping_.store(true, std::memory_order_release);
  }
  for (int id : idle_.take_all_sleepers()) {
    workers_[static_cast<std::size_t>(id)]->parker_of().unpark();
  }
}

bool runtime_impl::check_deadlock_locked() {
  if (stopping() || idle_.unparked() != 0) return false;
  if (has_work_anywhere() || timers_.pending() > 0 || blocking_.in_flight() > 0) return false;
  auto msg = deadlock_report();
  std::lock_guard g(failure_m_);
  if (!failure_) failure_ = std::make_exception_ptr(deadlock_error(msg));
  deadlocked_ = true;
  return true;
}

void runtime_impl::enter_blocking_thread() noexcept {
  tl_runtime = this;
}

void runtime_impl::run_until_stopped() {
  started_ = std::chrono::steady_clock::now();
  auto* outer = std::exchange(tl_runtime, this);
  threads_.reserve(static_cast<std::size_t>(procs_));
  for (int i = 1; i < procs_; ++i) {
    threads_.emplace_back([this, i] {
      tl_runtime = this;
      workers_[static_cast<std::size_t>(i)]->run();
    });
  }
  workers_[0]->run();
  for (auto& t : threads_) t.join();
  shutdown();
  if (tracer_) {
    std::vector<trace_chunk*> last;
    for (auto& w : workers_) last.push_back(std::exchange(w->trace_, nullptr));
    tracer_->finish(last);
  }
  publish_stats();
  // From here the process totals carry this runtime's waits (snapshots read them from there).
  for (const auto& w : workers_) fold_site_tallies(w->sites(), w->blocked_scale());
  tl_runtime = outer;
  std::lock_guard g(failure_m_);
  if (failure_) std::rethrow_exception(failure_);
}

void runtime_impl::publish_stats() {
  auto s = stats();
  if (const char* path = std::getenv("WEFT_METRICS"); path && *path) {  // NOLINT
    std::ofstream out(path);
    if (out) metrics::write_json(s, out);
  }
  std::lock_guard g(g_last_stats_m);
  g_last_stats = std::move(s);
}

void runtime_impl::shutdown() {
  shutting_down_.store(true, std::memory_order_release);
  blocking_.shutdown();  // its jobs write into awaiters of tasks that still exist
  timers_.clear();       // forget timers before their frames go
  auto tasks = registry_.take_all();
  // The tasks that never waited hold no registry slot; each is in exactly one queue.
  for (auto& w : workers_) w->drain_unregistered(tasks);
  while (auto* t = injector_.pop()) {
    if (!t->registered_) tasks.push_back(t);
  }
  dying_.insert(tasks.begin(), tasks.end());
  // A task destroyed here ends its path here (a server loop, a failed run's root): its span
  // holds what it ran and joined so far. The workers have stopped, so the first worker's
  // counters take it.
  std::uint64_t longest = 0;
  for (auto* t : tasks) longest = std::max(longest, t->span_);
  workers_.front()->record_span(longest);
  for (auto* t : tasks) {
    auto* s = static_cast<spawn_base*>(t);
    if (s->is_root_) root_destroyed_ = true;
    destroy_root(s);
  }
}

bool runtime_impl::is_dying(const task_header* t) const noexcept {
  return dying_.count(const_cast<task_header*>(t)) != 0;
}

namespace {
// Run time and latency are read on the timed runs only (all of them unless a worker sampled,
// see worker::run_task): estimated for all `runs` (sampled_estimate), in ns.
std::uint64_t estimate_ns(std::uint64_t total, std::uint64_t exact, std::uint64_t runs,
                          std::uint64_t timed, std::uint64_t exact_runs) noexcept {
  return ticks_to_ns(
      static_cast<std::uint64_t>(sampled_estimate(total, exact, runs, timed, exact_runs)));
}
std::uint64_t latency_ns(const counter& total, const counter& exact, std::uint64_t runs,
                         const counter& long_waits, const counter& latency_runs,
                         const counter& exact_runs) noexcept {
  return ticks_to_ns(static_cast<std::uint64_t>(latency_estimate(
      total.get(), exact.get(), runs, long_waits.get(), latency_runs.get(), exact_runs.get())));
}
// A class's blocked time of cause k: what was counted, and its sampled waits scaled.
std::uint64_t blocked_ticks(const class_counters& c, std::size_t k) noexcept {
  return static_cast<std::uint64_t>(blocked_estimate(c.blocked_ticks[k].get(),
                                                     c.sampled_blocked_ticks[k].get(), c.runs(),
                                                     c.exact_runs.get(), c.blocked_weight.get()));
}
}  // namespace

void runtime_impl::fill_class_stats(metrics::runtime_stats& s) const {
  // Merge the workers' tables by class: a class's tasks run wherever they are stolen to.
  std::map<const void*, metrics::class_stats> merged;
  for (const auto& w : workers_) {
    w->classes().for_each([&](const void* key, const class_counters& c) {
      auto& m = merged[key];
      m.tasks += c.spawned.get();
      auto runs = c.runs();
      m.runs += runs;
      auto exact_runs = c.exact_runs.get();
      m.run_ns += estimate_ns(c.run_ticks.get(), c.exact_run_ticks.get(), runs,
                              exact_runs + c.pick_weight.get(), exact_runs);
      m.sched_latency_ns += latency_ns(c.sched_latency_ticks, c.exact_latency_ticks, runs,
                                       c.long_waits, c.latency_runs, c.exact_runs);
      for (std::size_t k = 1; k < c.blocked_ticks.size(); ++k) {
        if (auto v = blocked_ticks(c, k)) {
          m.blocked_ns[to_string(static_cast<wait_kind>(k))] += ticks_to_ns(v);
        }
      }
    });
  }
  for (auto& [key, m] : merged) {
    auto site = class_site(key);
    if (key && site.file_name() && *site.file_name()) {
      m.site = std::string(site.file_name()) + ":" + std::to_string(site.line());
      m.function = site.function_name();
    } else {
      m.site = "other";
    }
    if (m.runs > 0 || m.tasks > 0) s.classes.push_back(std::move(m));
  }
  std::sort(s.classes.begin(), s.classes.end(),
            [](const auto& a, const auto& b) { return a.run_ns > b.run_ns; });
}

metrics::runtime_stats runtime_impl::stats() const {
  metrics::runtime_stats s;
  s.name = name_;
  s.procs = procs_;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  s.long_run_threshold_ns = 10'000'000;
  std::uint64_t longest = 0;
  for (const auto& w : workers_) {
    const auto& c = w->counters();
    if (c.long_runs.get() > 0 && c.max_run_ticks.get() > longest) {
      longest = c.max_run_ticks.get();
      auto site = w->long_run_site();
      if (site.file_name() && *site.file_name()) {
        s.long_run_last = std::string(site.file_name()) + ":" + std::to_string(site.line()) + " (" +
                          site.function_name() + ")";
      }
    }
    metrics::worker_stats ws;
    ws.worker = w->index();
    // Runs, spawns and blocked time are counted per class only (one counter a run, not two):
    // a worker's totals are its classes' sums.
    std::array<std::uint64_t, static_cast<std::size_t>(wait_kind::count_)> blocked{};
    w->classes().for_each([&](const void*, const class_counters& cc) {
      ws.tasks_run += cc.runs();
      ws.tasks_spawned += cc.spawned.get();
      for (std::size_t k = 1; k < blocked.size(); ++k) blocked[k] += blocked_ticks(cc, k);
    });
    ws.run_ns = ticks_to_ns(c.run_ticks.get());
    // run_ticks needs no scaling: untimed stretches are settled into it (settle_untimed).
    auto timed = c.timed_runs.get();
    ws.sched_latency_ns = latency_ns(c.sched_latency_ticks, c.exact_latency_ticks, ws.tasks_run,
                                     c.long_waits, c.latency_runs, c.exact_runs);
    ws.timed_runs = timed;
    ws.steals_tried = c.steals_tried.get();
    ws.steals_won = c.steals_won.get();
    ws.steals_retry = c.steals_retry.get();
    ws.parks = c.parks.get();
    ws.idle_ns = ticks_to_ns(c.idle_ticks.get());
    ws.spin_ns = ticks_to_ns(c.spin_ticks.get());
    ws.wall_ns = ticks_to_ns(w->wall_ticks());
    ws.lifo_runs = c.lifo_runs.get();
    ws.injector_pops = c.injector_pops.get();
    ws.overflows = c.overflows.get();
    ws.long_runs = c.long_runs.get();
    ws.max_run_ns = ticks_to_ns(c.max_run_ticks.get());
    ws.max_span_ns = ticks_to_ns(c.max_span_ticks.get());
    for (std::size_t k = 1; k < blocked.size(); ++k) {
      if (auto v = blocked[k]) ws.blocked_ns[to_string(static_cast<wait_kind>(k))] = ticks_to_ns(v);
    }
    s.workers.push_back(std::move(ws));
  }
  fill_class_stats(s);
  metrics::fill_process_stats(s);
  for (const auto& [name, total] : progress_totals()) {
    auto it = progress_at_start_.find(name);
    auto before = it == progress_at_start_.end() ? 0 : it->second;
    if (total > before) s.progress[name] = total - before;
  }
  std::vector<live_tallies> live;
  for (const auto& w : workers_) live.push_back({&w->sites(), w->blocked_scale()});
  for (const auto& [key, t] : wait_site_totals(live)) {
    s.objects.push_back({key.first, key.second, t.blocked_ns, t.waits});
  }
  return s;
}

void run_root(const options& o, spawn_base* root) {
  if (current_runtime()) {
    destroy_root(root);
    throw usage_error("weft::run: called inside a running runtime; use go/spawn instead");
  }
  int procs = 0;
  try {
    procs = resolve_procs(o.procs);
  } catch (...) {
    destroy_root(root);
    throw;
  }
  runtime_impl rt(o.name, procs);
  rt.start_root(root);
  try {
    rt.run_until_stopped();
  } catch (...) {
    // The root frame is gone with the other tasks if it was still suspended; otherwise it ended
    // and only its result remains, which nobody will read now.
    if (!rt.root_destroyed()) destroy_root(root);
    throw;
  }
}

}  // namespace weft::detail

namespace weft {

int procs() {
  if (auto* rt = detail::current_runtime()) return rt->procs();
  return detail::resolve_procs(std::nullopt);
}

namespace metrics {
runtime_stats snapshot() {
  if (auto* rt = detail::current_runtime()) return rt->stats();
  std::lock_guard g(detail::g_last_stats_m);
  return detail::g_last_stats;
}
}  // namespace metrics

}  // namespace weft
