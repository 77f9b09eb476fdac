// select's hooks into the runtime: random case order, its timers, its cancellation.
#include <cstdint>

#include "core/runtime_impl.hpp"
#include "weft/select.hpp"

namespace weft::detail {

std::uint32_t select_random() noexcept {
  // xorshift32 per thread: uniform enough for case order, and no shared state to contend on.
  thread_local std::uint32_t x =
      0x9e3779b9u ^ static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&x) >> 4);
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return x;
}

void select_arm_timer(timer_entry* e, clock::time_point deadline, bool& due) {
  auto* rt = current_runtime();
  e->when_us_ = rt->timers().to_us(deadline);
  auto r = rt->timers().add(e);
  due = r == timer_service::add_result::due;
  if (r == timer_service::add_result::added_earliest) rt->wake_timer_driver(e->when_us_);
}

void select_cancel_timer(timer_entry* e) noexcept {
  current_runtime()->timers().cancel(e);
}

void select_timer_fired(timer_entry* e) noexcept {
  auto* c = static_cast<case_state<after_case>*>(e);
  auto* st = c->sel_;
  int expected = select_state::k_none;
  // acq_rel: claims the select; losing means a channel case or a cancel won.
  if (st->fired_.compare_exchange_strong(expected, c->case_, std::memory_order_acq_rel)) {
    wake_select(st);
  }
}

void select_cancelled(cancel_callback* cb) noexcept {
  auto* st = static_cast<select_cancel_node*>(cb)->st_;
  int expected = select_state::k_none;
  if (st->fired_.compare_exchange_strong(expected, select_state::k_cancelled,
                                         std::memory_order_acq_rel)) {
    wake_select(st);
  }
}

}  // namespace weft::detail
