// Cancel sources (see weft/detail/cancel.hpp). Callbacks run under the source's lock, which is
// what lets remove_callback() promise that a callback is not running once it returns. Lock
// order: a parent source's lock before a child's (cancel propagates downward only), and a
// source's lock before any wait list's lock a callback takes.
#include <mutex>

#include "weft/detail/cancel.hpp"

namespace weft::detail {

namespace {
void parent_cancelled(cancel_callback* cb) noexcept {
  cancel(static_cast<cancel_source::parent_link*>(cb)->child_);
}
}  // namespace

cancel_source* make_cancel_source(cancel_source* parent) {
  auto* s = new cancel_source();
  if (parent) {
    retain(parent);
    s->parent_ = parent;
    s->parent_link_.fn_ = &parent_cancelled;
    s->parent_link_.child_ = s;
    if (!add_callback(parent, &s->parent_link_)) s->cancelled_.store(true);
  }
  return s;
}

void retain(cancel_source* s) noexcept {
  // relaxed: a new reference is made from an existing one, which keeps s alive meanwhile.
  s->refs_.fetch_add(1, std::memory_order_relaxed);
}

void release(cancel_source* s) noexcept {
  // acq_rel: the last release must see every other holder's writes before deleting.
  if (s->refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (auto* p = s->parent_) {
    remove_callback(p, &s->parent_link_);
    release(p);
  }
  delete s;
}

void cancel(cancel_source* s) noexcept {
  std::lock_guard g(s->lock_);
  if (s->cancelled_.load(std::memory_order_relaxed)) return;
  // release: pairs with the acquire in is_cancelled(); polling code sees the request.
  s->cancelled_.store(true, std::memory_order_release);
  while (auto* cb = s->head_) {
    s->head_ = cb->next_;
    if (s->head_) s->head_->prev_ = nullptr;
    cb->prev_ = cb->next_ = nullptr;
    cb->linked_ = false;
    cb->fn_(cb);  // may wake the waiter, which then blocks in remove_callback until we are done
  }
}

bool add_callback(cancel_source* s, cancel_callback* cb) noexcept {
  std::lock_guard g(s->lock_);
  return add_callback_locked(s, cb);
}

bool add_callback_locked(cancel_source* s, cancel_callback* cb) noexcept {
  if (s->cancelled_.load(std::memory_order_relaxed)) return false;
  cb->prev_ = nullptr;
  cb->next_ = s->head_;
  if (s->head_) s->head_->prev_ = cb;
  s->head_ = cb;
  cb->linked_ = true;
  return true;
}

void remove_callback(cancel_source* s, cancel_callback* cb) noexcept {
  std::lock_guard g(s->lock_);
  remove_callback_locked(s, cb);
}

void remove_callback_locked(cancel_source* s, cancel_callback* cb) noexcept {
  if (!cb->linked_) return;
  if (cb->prev_) {
    cb->prev_->next_ = cb->next_;
  } else {
    s->head_ = cb->next_;
  }
  if (cb->next_) cb->next_->prev_ = cb->prev_;
  cb->prev_ = cb->next_ = nullptr;
  cb->linked_ = false;
}

}  // namespace weft::detail
