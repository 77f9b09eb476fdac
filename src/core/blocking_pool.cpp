#include "core/blocking_pool.hpp"

#include "core/runtime_impl.hpp"

namespace weft::detail {

blocking_pool::blocking_pool(runtime_impl* rt, std::size_t max_threads)
    : rt_(rt), max_threads_(max_threads) {}

blocking_pool::~blocking_pool() {
  shutdown();
}

std::size_t blocking_pool::threads() const {
  std::lock_guard g(m_);
  return threads_.size();
}

void blocking_pool::reap_locked() {
  for (auto& t : finished_) t.join();  // they have left thread_main: joins do not wait long
  finished_.clear();
}

void blocking_pool::submit(blocking_job* job) {
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock g(m_);
  job->next_ = nullptr;
  if (tail_) {
    tail_->next_ = job;
  } else {
    head_ = job;
  }
  tail_ = job;
  reap_locked();
  if (idle_ > 0) {
    cv_.notify_one();
  } else if (threads_.size() < max_threads_) {
    threads_.emplace_front();
    auto it = threads_.begin();
    *it = std::thread([this, it] { thread_main(it); });
  }
  // else: every thread is busy and the bound is reached; the job waits its turn.
}

void blocking_pool::thread_main(std::list<std::thread>::iterator self) {
  rt_->enter_blocking_thread();
  std::unique_lock g(m_);
  for (;;) {
    while (!head_ && !stopping_) {
      ++idle_;
      auto st = cv_.wait_for(g, k_keep_alive);
      --idle_;
      if (st == std::cv_status::timeout && !head_) {
        // Retire: move our std::thread to finished_ so someone joins it.
        finished_.splice(finished_.end(), threads_, self);
        return;
      }
    }
    if (!head_) break;  // stopping and drained
    auto* job = head_;
    head_ = job->next_;
    if (!head_) tail_ = nullptr;
    g.unlock();
    auto* t = job->t_;  // read before run_: afterwards only the task may touch the job
    job->run_(job);
    schedule(t);  // the awaiter (job) may be gone once this returns
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    g.lock();
  }
  finished_.splice(finished_.end(), threads_, self);
}

void blocking_pool::shutdown() {
  std::unique_lock g(m_);
  stopping_ = true;
  cv_.notify_all();
  while (!threads_.empty()) {
    g.unlock();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    g.lock();
  }
  reap_locked();
}

}  // namespace weft::detail
