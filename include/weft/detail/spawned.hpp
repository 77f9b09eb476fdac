// The root of every task that the scheduler runs (run, go, spawn, task_group::spawn): a
// coroutine frame and its header (spawn_base). A task<T> handed over is its own root, with the
// header in the room in front of its frame: one frame a spawn, where a wrapper coroutine
// around the task would make two. A callable gets a root coroutine of its own (call_body),
// which keeps the callable alive and calls it when the task first runs. At the root's end the
// header hands the result to whoever joins it.
//
// Join protocol, on spawn_base::join_ (one word, so completion and joining race safely):
//   k_running  -> the task runs; nobody waits yet
//   <pointer>  -> a task waits in join; completion schedules it. Tagged k_joiner_firm when the
//                 joiner had no cancel source as it published: no cancel callback can then
//                 withdraw the wait, so the completing task owns the word and may settle it
//                 with a plain store (an RMW costs a store-buffer drain on every join)
//   k_done     -> the task ended; the join handle owns the frame and destroys it
//   k_detached -> the handle was dropped; the task destroys its own frame when it ends
// Each side moves the word with one exchange/CAS, so exactly one of them destroys the frame.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/detail/cancel.hpp"
#include "weft/detail/frame_alloc.hpp"
#include "weft/detail/task_header.hpp"
#include "weft/task.hpp"

namespace weft::detail {

inline constexpr std::uintptr_t k_running = 0;
inline constexpr std::uintptr_t k_done = 1;
inline constexpr std::uintptr_t k_detached = 2;
inline constexpr std::uintptr_t k_joiner_firm = 4;  // a tag on a joiner pointer (see above)
static_assert(alignof(task_header) >= 8, "k_joiner_firm needs bit 2 of a task pointer");

struct group_state;
struct spawn_base;
// Drops the references a root holds (its cancellation source, its group). Defined in join.cpp.
void release_spawn_refs(spawn_base* s) noexcept;

// The header of a task the scheduler runs on its own (a root). A task<T> handed to
// go/spawn/run has it in the room in front of its frame (rootable_frame), so one allocation
// holds both; a callable's root coroutine (call_body) has it at the start of its promise.
// Either promise's destructor ends the header and drops its references (release_spawn_refs).
struct spawn_base : task_header {
  std::atomic<std::uintptr_t> join_{k_running};
  group_state* group_ = nullptr;     // owned reference when spawned in a task_group
  std::exception_ptr error_{};       // what the root threw
  std::coroutine_handle<> frame_{};  // the root's frame; destroy_root() ends it
};
static_assert(sizeof(spawn_base) <= k_root_header_bytes, "the root header must fit its room");
static_assert(alignof(spawn_base) <= 16, "frames are 16-byte aligned");

// Destroys a root: its frame, with its locals, promise and header.
inline void destroy_root(spawn_base* s) noexcept {
  s->frame_.destroy();
}

template <class R>
struct call_root_promise;

// The root's value of type T, or its exception rethrown. The value is in the root's promise,
// whose exact type the header says (in_call_root_).
template <class T>
T take_result(spawn_base* s) {
  if (s->error_) std::rethrow_exception(s->error_);
  if constexpr (!std::is_void_v<T>) {
    auto* f = s->frame_.address();
    if (s->in_call_root_) {
      return std::move(
          *std::coroutine_handle<call_root_promise<T>>::from_address(f).promise().value_);
    }
    return std::move(*std::coroutine_handle<task_promise<T>>::from_address(f).promise().value_);
  }
}

// Turns a task into a root: builds the header in front of its frame. The frame belongs to the
// caller (to start it, or to end it with destroy_root()). An empty task, or one awaited
// already, is a usage_error here, where the mistake was made.
struct task_access {
  template <class R>
  static spawn_base* make_root(task<R>&& t) {
    auto h = t.h_;
    if (!h || h.promise().continuation_) throw_task_misuse(!h);
    t.h_ = {};
    // Default-initialized: every member has its initializer, so nothing is left unset (the
    // test SpawnBase.DefaultInitializationSetsEveryField fills the room with garbage first).
    // `spawn_base()` would zero the whole object before running those initializers, which
    // GCC does with `rep stosq`: at 120 bytes no cost that bench/ab could see, but a header
    // grown to 128 bytes made fib(30) 20% slower, in both the counters and the compiled-out
    // build, on the local AMD EPYC (docs/PERFORMANCE.md, sixteenth session).
    auto* s = ::new (static_cast<char*>(h.address()) - k_root_header_bytes) spawn_base;
    s->frame_ = h;
    s->resume_ = h;
    h.promise().root_ = s;
    return s;
  }
};

// What a task started from F yields: U for a task<U> or a callable returning one, else the
// callable's plain result.
template <class F>
struct spawn_result {
  using type = std::invoke_result_t<F&>;
};
template <class F>
requires is_task<std::invoke_result_t<F&>>::value struct spawn_result<F> {
  using type = typename std::invoke_result_t<F&>::value_type;
};
template <class U>
struct spawn_result<task<U>> {
  using type = U;
};
template <class F>
using spawn_result_t = typename spawn_result<std::decay_t<F>>::type;

template <class R>
class call_root;

// The promise of a callable's root coroutine: the header first (the scheduler's reads of it
// start at the frame's first lines), then the result. Not a task promise: nothing awaits it,
// so it needs no continuation, and its exception goes straight to the header.
struct root_header_holder {
  spawn_base header_;
  root_header_holder() = default;
  root_header_holder(const root_header_holder&) = delete;
  root_header_holder& operator=(const root_header_holder&) = delete;
  // Runs after the coroutine's locals are gone (a cancel scope among them has restored
  // cancel_ by then).
  ~root_header_holder() { release_spawn_refs(&header_); }

  static void* operator new(std::size_t bytes) { return frame_alloc(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { frame_free(p, bytes); }
  std::suspend_always initial_suspend() const noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      // May destroy the frame: nothing may touch the promise after this call.
      return on_spawned_exit(&h.promise().header_);
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { header_.error_ = std::current_exception(); }
};

template <class R>
struct call_root_promise : root_header_holder {
  std::optional<R> value_;
  template <class U = R>
  requires std::is_convertible_v<U&&, R>
  void return_value(U&& v) { value_.emplace(std::forward<U>(v)); }
  call_root<R> get_return_object() noexcept;
};
template <>
struct call_root_promise<void> : root_header_holder {
  void return_void() const noexcept {}
  call_root<void> get_return_object() noexcept;
};

// The root coroutine of a callable, not yet started; release() hands it over.
template <class R>
class call_root {
 public:
  using promise_type = call_root_promise<R>;
  explicit call_root(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  call_root(call_root&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  call_root(const call_root&) = delete;
  call_root& operator=(const call_root&) = delete;
  call_root& operator=(call_root&&) = delete;
  ~call_root() {
    if (h_) h_.destroy();
  }
  spawn_base* release() noexcept {
    auto h = std::exchange(h_, {});
    auto* s = &h.promise().header_;
    s->frame_ = h;
    s->resume_ = h;
    s->in_call_root_ = true;
    return s;
  }

 private:
  std::coroutine_handle<promise_type> h_;
};

template <class R>
call_root<R> call_root_promise<R>::get_return_object() noexcept {
  return call_root<R>{std::coroutine_handle<call_root_promise<R>>::from_promise(*this)};
}
inline call_root<void> call_root_promise<void>::get_return_object() noexcept {
  return call_root<void>{std::coroutine_handle<call_root_promise<void>>::from_promise(*this)};
}

// The root coroutine that runs a callable, when the task first runs. `f` is a parameter, so it
// lives in the frame until the task ends (a coroutine lambda's captures with it).
template <class R, class F>
call_root<R> call_body(F f) {
  using invoked = std::invoke_result_t<F&>;
  if constexpr (is_task<invoked>::value) {
    if constexpr (std::is_void_v<R>) {
      co_await std::invoke(f);
    } else {
      co_return co_await std::invoke(f);
    }
  } else if constexpr (std::is_void_v<R>) {
    std::invoke(f);
  } else {
    co_return std::invoke(f);
  }
}

// The root of what go/spawn/run/task_group::spawn are given: a task<R> is its own root, in
// its own frame; a callable runs in a root coroutine of its own (call_body).
template <class F>
spawn_base* make_spawned(F&& f) {
  using D = std::decay_t<F>;
  if constexpr (is_task<D>::value) {
    return task_access::make_root(std::move(f));
  } else {
    return call_body<spawn_result_t<F>>(D(std::forward<F>(f))).release();
  }
}
// Hands a released root frame to the scheduler. Detached: FIFO run queue, no inherited
// cancellation (a go task outlives its spawner). Child: the fork-join deque (run depth-first),
// inheriting the spawner's cancellation.
void start_detached(spawn_base* s);
void start_child(spawn_base* s, cancel_source* cancel, bool borrow_cancel = false);

// One join in progress; lives in the awaiter, so a join allocates nothing. The cancel callback
// lets a cancelled joiner stop waiting while the joined task goes on.
struct join_wait : cancel_callback {
  spawn_base* s_ = nullptr;
  task_header* t_ = nullptr;
  bool cancelled_ = false;
  // Where the joiner goes on (for symmetric transfer): h itself if the task already ended,
  // the task if it was still unstarted in this worker's fork deque (run in place), else
  // noop_coroutine() (suspended until the task ends).
  std::coroutine_handle<> suspend(std::coroutine_handle<> h);
  void resumed();  // throws weft::cancelled if the wait was cancelled
};
void join_release(spawn_base* s) noexcept;  // the handle is dropped without having joined
void join_span(spawn_base* s) noexcept;     // the joiner's path continues from the child's
void join_finish(spawn_base* s) noexcept;   // the handle has taken the result

}  // namespace weft::detail
