#include <gtest/gtest.h>

#include <coroutine>
#include <cstring>
#include <memory>
#include <string>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

namespace {

weft::task<int> answer() {
  co_return 42;
}
weft::task<int> add(int a, int b) {
  co_return co_await answer() - 42 + a + b;
}
weft::task<> fail() {
  throw std::runtime_error("boom");
  co_return;
}
weft::task<std::unique_ptr<std::string>> move_only() {
  co_return std::make_unique<std::string>("moved");
}
weft::task<long> deep(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await deep(n - 1);
}

// A task's root header is built at its handle's address minus the room (spawned.hpp), which
// holds only if the handle's address is what the promise's operator new returned. It is so in
// GCC and Clang; this checks the compiler the tests are built with, on a coroutine whose frame
// comes through the same rootable_frame operator new as task<T>'s, with a small frame and a
// large one. They are destroyed out of sight, as a root is (by the runtime): Clang elides the
// allocation of a frame it sees destroyed on every path of the function that made it (no room
// then, and no operator new call), which a root, whose handle is taken away, never is.
void* g_probe_alloc = nullptr;
struct probe {
  struct promise_type : weft::detail::rootable_frame {
    static void* operator new(std::size_t n) {
      g_probe_alloc = rootable_frame::operator new(n);
      return g_probe_alloc;
    }
    probe get_return_object() {
      return probe{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept {}
  };
  std::coroutine_handle<promise_type> h;
};
probe small_probe() {
  co_return;
}
int g_probe_sink = 0;
probe large_probe(int x) {
  char buf[600] = {};  // lives across the suspension: in the frame
  buf[static_cast<std::size_t>(x) % 600] = 1;
  co_await std::suspend_always{};
  g_probe_sink = buf[3];
}
[[gnu::noinline]] void destroy_elsewhere(std::coroutine_handle<> h) {
  h.destroy();
}

TEST(Task, HandleAddressIsTheFramesAllocation) {
  auto a = small_probe();
  EXPECT_EQ(a.h.address(), g_probe_alloc);
  destroy_elsewhere(a.h);
  auto b = large_probe(3);
  EXPECT_EQ(b.h.address(), g_probe_alloc);
  destroy_elsewhere(b.h);
}

TEST(Task, ReturnsValueThroughRun) {
  EXPECT_EQ(weft::run({.procs = 1}, [] { return answer(); }), 42);
}

TEST(Task, NestedAwaitsCompose) {
  EXPECT_EQ(weft::run({.procs = 2}, []() -> weft::task<int> { co_return co_await add(1, 2); }), 3);
}

TEST(Task, ExceptionReachesTheAwaiter) {
  auto r = weft::run({.procs = 1}, []() -> weft::task<std::string> {
    try {
      co_await fail();
    } catch (const std::runtime_error& e) {
      co_return e.what();
    }
    co_return "no exception";
  });
  EXPECT_EQ(r, "boom");
}

TEST(Task, RootExceptionIsRethrownByRun) {
  EXPECT_THROW(weft::run({.procs = 2}, [] { return fail(); }), std::runtime_error);
}

TEST(Task, MoveOnlyResult) {
  auto p = weft::run({.procs = 1}, [] { return move_only(); });
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "moved");
}

TEST(Task, DeepChainsUseConstantStack) {
  // Symmetric transfer: 100k nested awaits must not overflow the worker's stack. The tail call
  // that makes this hold is an optimisation GCC does not emit under AddressSanitizer, so the
  // sanitizer builds check a depth their stack can hold.
  const int depth = weft::testing::scaled(10) == 10 ? 100'000 : 1'000;
  EXPECT_EQ(weft::run({.procs = 1}, [depth] { return deep(depth); }), depth);
}

TEST(Task, AwaitingTwiceIsATypedError) {
  auto r = weft::run({.procs = 1}, []() -> weft::task<std::string> {
    auto t = answer();
    EXPECT_TRUE(t.valid());
    co_await t;
    EXPECT_FALSE(t.valid());
    try {
      co_await t;
    } catch (const weft::usage_error& e) {
      co_return e.what();
    }
    co_return "";
  });
  EXPECT_NE(r.find("awaited twice"), std::string::npos) << r;
}

TEST(Task, AwaitingAnEmptyTaskIsATypedError) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::task<int> empty;
                           co_await empty;
                         }),
               weft::usage_error);
}

TEST(Task, UnstartedTaskIsDestroyedWithoutRunning) {
  bool ran = false;
  {
    auto t = [&]() -> weft::task<> {
      ran = true;
      co_return;
    }();
    EXPECT_TRUE(t.valid());
  }
  EXPECT_FALSE(ran);
}

}  // namespace

// A root header is built default-initialized (spawned.hpp, task_access::make_root), in room that
// held an earlier frame: every field must have its initializer. Built here in room filled with
// garbage, every field must read its documented starting value; a field added without an
// initializer would read the garbage.
TEST(SpawnBase, DefaultInitializationSetsEveryField) {
  using weft::detail::spawn_base;
  alignas(spawn_base) unsigned char room[sizeof(spawn_base)];
  std::memset(room, 0xA5, sizeof room);
  auto* s = ::new (room) spawn_base;
  EXPECT_FALSE(s->resume_);
  EXPECT_EQ(s->next_, nullptr);
  EXPECT_EQ(s->rt_, nullptr);
  EXPECT_EQ(s->cancel_, nullptr);
  EXPECT_EQ(s->wait_site_, nullptr);
  EXPECT_EQ(s->wait_since_, 0u);
  EXPECT_EQ(s->runnable_since_, 0u);
  EXPECT_EQ(s->span_, 0u);
  EXPECT_EQ(s->site_.line(), 0u);
  EXPECT_EQ(s->slot_, 0u);
  EXPECT_EQ(s->shard_, 0u);
  EXPECT_EQ(s->budget_, 0u);
  EXPECT_FALSE(s->in_call_root_);
  EXPECT_EQ(s->wait_, weft::detail::wait_kind::fresh);
  EXPECT_FALSE(s->is_root_);
  EXPECT_FALSE(s->cancel_borrowed_);
  EXPECT_FALSE(s->registered_);
  EXPECT_EQ(s->trace_flow_, 0u);
  EXPECT_EQ(s->join_.load(), weft::detail::k_running);
  EXPECT_EQ(s->group_, nullptr);
  EXPECT_FALSE(s->error_);
  EXPECT_FALSE(s->frame_);
  s->~spawn_base();
}
