// The deadlock report: what every task waits on when none can ever run again. Like Go's "all
// goroutines are asleep", but it says on what.
#include <map>
#include <string>
#include <utility>

#include "core/runtime_impl.hpp"

namespace weft::detail {

std::string runtime_impl::deadlock_report() {
  std::map<std::pair<std::string, std::string>, std::size_t> by_object;
  std::size_t total = 0;
  std::string root_wait;
  registry_.for_each([&](task_header* t) {
    ++total;
    std::string kind = to_string(t->wait_);
    auto* site = t->wait_ != wait_kind::none ? t->wait_site_ : nullptr;
    std::string name = site ? site->name_ : "";
    if (t->is_root_) root_wait = name.empty() ? kind : kind + " '" + name + "'";
    ++by_object[{kind, name}];
  });
  std::string msg = "weft: deadlock: all " + std::to_string(total) +
                    (total == 1 ? " task is" : " tasks are") +
                    " asleep and nothing (timer, I/O, blocking call) can wake one:";
  bool first = true;
  for (const auto& [key, n] : by_object) {
    msg += first ? " " : ", ";
    first = false;
    msg += std::to_string(n) + " waiting on " + key.first;
    if (!key.second.empty()) msg += " '" + key.second + "'";
  }
  if (!root_wait.empty()) msg += "; the root task waits on " + root_wait;
  return msg;
}

}  // namespace weft::detail
