// Fork-join loops: parallel_for and parallel_reduce split a range recursively onto the
// work-stealing scheduler. A chunk of `grain` indices runs serially; larger ranges are halved,
// the upper half forked (a thief takes the biggest piece first), the lower half run inline.
//
// Without a grain, one is picked from measured cost: the first items run serially, doubling in
// number until about 20 us have been measured, and the grain is then chosen so a chunk costs
// about 100 us — at a few hundred nanoseconds of fork/join overhead per chunk that keeps the
// scheduling overhead under 0.5%, and a streaming loop's prefetch restarts rare — while
// leaving at least 4 chunks per worker for balance (and no chunk under 5 us).
//
// An exception from any chunk cancels the chunks not yet started and is rethrown, after every
// chunk in flight has stopped.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "weft/errors.hpp"
#include "weft/runtime.hpp"
#include "weft/task.hpp"

namespace weft {

struct parallel_options {
  std::size_t grain = 0;  // indices per serial chunk; 0: picked from measured cost
};

namespace detail {
// The grain that makes a chunk cost ~100 us at `ns_per_item`, leaving >= 4 chunks per worker.
std::size_t pick_grain(double ns_per_item, std::size_t remaining, int procs) noexcept;
std::uint64_t steady_ns() noexcept;
void throw_if_cancelled();

template <class Index>
std::size_t span_of(Index b, Index e) noexcept {
  return static_cast<std::size_t>(e - b);
}

// The serial chunk loops live in plain functions, not in the coroutine bodies: inside a
// coroutine GCC keeps the index and accumulator in the frame, storing both on every element,
// and does not vectorize.
template <class Index, class F>
void serial_for(Index b, Index e, F& fn) {
  for (Index i = b; i < e; ++i) fn(i);
}
template <class T, class Index, class Map, class Combine>
T serial_reduce(Index b, Index e, Map& map, Combine& combine) {
  T acc = map(b);
  for (Index i = b + 1; i < e; ++i) acc = combine(std::move(acc), map(i));
  return acc;
}

// Waits for the forked halves, then rethrows the inline part's failure (`err`, which already
// cancelled the forks) or else the first fork's.
inline task<> join_forks(task_group& g, std::exception_ptr err) {
  std::exception_ptr child_err;
  try {
    co_await g.wait();
  } catch (...) {
    child_err = std::current_exception();
  }
  if (err) std::rethrow_exception(err);
  if (child_err) std::rethrow_exception(child_err);
}

// `site` is the parallel_for call: the chunks' task class in the metrics, so the doctor names
// the user's loop rather than this header.
template <class Index, class F>
task<> for_range(Index b, Index e, std::size_t grain, F& fn, std::source_location site) {
  throw_if_cancelled();  // a chunk that starts after a failure elsewhere does nothing
  task_group g;
  while (span_of(b, e) > grain) {
    Index mid = b + static_cast<Index>(span_of(b, e) / 2);
    g.spawn([mid, e, grain, &fn, site] { return for_range(mid, e, grain, fn, site); }, site);
    e = mid;
  }
  std::exception_ptr err;
  try {
    serial_for(b, e, fn);
  } catch (...) {
    err = std::current_exception();
    g.cancel();
  }
  co_await join_forks(g, err);
}

template <class T, class Index, class Map, class Combine>
task<T> reduce_range(Index b, Index e, std::size_t grain, Map& map, Combine& combine,
                     std::source_location site) {
  throw_if_cancelled();
  if (span_of(b, e) <= grain) co_return serial_reduce<T>(b, e, map, combine);
  Index mid = b + static_cast<Index>(span_of(b, e) / 2);
  std::optional<T> right;
  task_group g;
  g.spawn(
      [&]() -> task<> {
        right.emplace(co_await reduce_range<T>(mid, e, grain, map, combine, site));
      },
      site);
  std::optional<T> left;
  std::exception_ptr err;
  try {
    left.emplace(co_await reduce_range<T>(b, mid, grain, map, combine, site));
  } catch (...) {
    err = std::current_exception();
    g.cancel();
  }
  co_await join_forks(g, err);
  co_return combine(std::move(*left), std::move(*right));
}
// Picks a grain from measured cost: runs 1, 2, 4, ... items from `begin` serially through
// run(b, e) until ~20 us of work have been measured, advancing `begin` past them. A plain function,
// so the measured loop is compiled like the chunks it predicts. Returns 0 if the range ran out.
//
// The cost per item is the lowest of the rounds', not the total over all of them: one stalled
// round (the thread preempted on a busy machine, a page fault, a cold first item) would
// otherwise make cheap items look expensive, and the grain collapse to 1 for the whole loop
// (a million tasks for a million stores, seen under TSan with the suite running in parallel).
template <class Index, class Run>
std::size_t probe_grain(Index& begin, Index end, Run&& run) {
  // At least 3 rounds, and until the items run so far would have taken ~20 us at the best
  // rate seen: a stalled round neither sets the rate nor ends the probe.
  std::size_t k = 1;
  std::size_t done = 0;
  int rounds = 0;
  auto last = steady_ns();
  double best = -1;
  while (begin < end && (rounds++ < 3 || best * static_cast<double>(done) < 20'000)) {
    auto stop = span_of(begin, end) < k ? end : begin + static_cast<Index>(k);
    auto items = span_of(begin, stop);
    run(begin, stop);
    begin = stop;
    done += items;
    auto now = steady_ns();
    auto per = static_cast<double>(now - last) / static_cast<double>(items);
    if (best < 0 || per < best) best = per;
    last = now;
    k *= 2;
  }
  if (begin >= end) return 0;
  return pick_grain(best, span_of(begin, end), procs());
}

}  // namespace detail

// Calls fn(i) for every i in [begin, end), in parallel. Completes when all calls have. `site`
// (the caller's, by default) names the loop's tasks in the metrics and traces.
template <class Index, class F>
requires std::is_integral_v<Index> task<> parallel_for(
    Index begin, Index end, F fn, parallel_options o = {},
    std::source_location site = std::source_location::current()) {
  if (end <= begin) co_return;
  std::size_t grain = o.grain;
  if (grain == 0) {
    grain =
        detail::probe_grain(begin, end, [&](Index b, Index e) { detail::serial_for(b, e, fn); });
    if (begin >= end) co_return;
  }
  co_await detail::for_range(begin, end, grain, fn, site);
}

// Reduces map(i) over [begin, end) with combine, in parallel: combine(init, map(begin) ...).
// combine must be associative; chunks are combined in index order, so it need not commute.
template <class Index, class T, class Map, class Combine>
requires std::is_integral_v<Index> task<T> parallel_reduce(
    Index begin, Index end, T init, Map map, Combine combine, parallel_options o = {},
    std::source_location site = std::source_location::current()) {
  if (end <= begin) co_return init;
  std::size_t grain = o.grain;
  T acc = std::move(init);
  if (grain == 0) {
    // Each round sums its items in a local (serial_reduce) before folding them into acc: a
    // loop over acc itself, a reference the compiler must assume the items may alias, stores
    // it on every item and is not vectorized, so the probe measured a slower loop than the
    // chunks run and picked chunks too small (fib-sized overhead for a sum of 100M integers).
    grain = detail::probe_grain(begin, end, [&](Index b, Index e) {
      acc = combine(std::move(acc), detail::serial_reduce<T>(b, e, map, combine));
    });
    if (begin >= end) co_return acc;
  }
  T rest = co_await detail::reduce_range<T>(begin, end, grain, map, combine, site);
  co_return combine(std::move(acc), std::move(rest));
}

}  // namespace weft
