// cancel_token and the scopes behind with_cancel / with_timeout.
#include "core/runtime_impl.hpp"
#include "weft/cancel.hpp"
#include "weft/chan.hpp"

namespace weft {

cancel_token::cancel_token() : s_(detail::make_cancel_source(nullptr)) {}
cancel_token::cancel_token(const cancel_token& o) noexcept : s_(o.s_) {
  detail::retain(s_);
}
cancel_token& cancel_token::operator=(const cancel_token& o) noexcept {
  if (s_ != o.s_) {
    detail::retain(o.s_);
    detail::release(s_);
    s_ = o.s_;
  }
  return *this;
}
cancel_token::~cancel_token() {
  detail::release(s_);
}
void cancel_token::cancel() noexcept {
  detail::cancel(s_);
}
bool cancel_token::cancelled() const noexcept {
  return s_->is_cancelled();
}

namespace detail {

cancel_scope::cancel_scope(cancel_source* extra, const clock::time_point* deadline)
    : t_(require_task("with_cancel/with_timeout")), saved_(t_->cancel_), extra_(extra) {
  source_ = make_cancel_source(saved_);
  if (extra_) {
    // The token cancels our source too: a second parent, linked by hand.
    retain(extra_);
    extra_link_.owner_ = this;
    extra_link_.fn_ = [](cancel_callback* cb) noexcept {
      cancel(static_cast<extra_link*>(cb)->owner_->source_);
    };
    if (!add_callback(extra_, &extra_link_)) cancel(source_);
  }
  t_->cancel_ = source_;
  if (deadline) {
    auto* rt = current_runtime();
    kind_ = timer_kind::deadline;
    owner_cancels_ = true;
    when_us_ = rt->timers().to_us(*deadline);
    auto r = rt->timers().add(this);
    if (r == timer_service::add_result::due) {
      fired_.store(true, std::memory_order_release);
      cancel(source_);
    } else {
      armed_ = true;
      if (r == timer_service::add_result::added_earliest) rt->wake_timer_driver(when_us_);
    }
  }
}

cancel_scope::~cancel_scope() {
  if (armed_) current_runtime()->timers().cancel(this);  // waits out a fire in progress
  if (extra_) {
    remove_callback(extra_, &extra_link_);
    release(extra_);
  }
  t_->cancel_ = saved_;
  release(source_);
}

void deadline_fired(timer_entry* e) noexcept {
  cancel_scope::on_deadline(e);
}

void cancel_scope::on_deadline(timer_entry* e) noexcept {
  auto* self = static_cast<cancel_scope*>(e);
  self->fired_.store(true, std::memory_order_release);
  cancel(self->source_);
}

}  // namespace detail
}  // namespace weft
