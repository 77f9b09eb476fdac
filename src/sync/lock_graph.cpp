#include "sync/lock_graph.hpp"

#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace weft::detail {

namespace {
struct graph {
  std::mutex m;
  std::unordered_map<const task_header*, mutex_node> blocked;  // guarded by m
};
graph& the_graph() {
  static auto* g = new graph();  // never destroyed: tasks may block during static destruction
  return *g;
}

std::string describe(const task_header* t) {
  auto s = t->site_;
  if (!s.file_name() || !*s.file_name()) return "a task";
  std::string f = s.file_name();
  auto slash = f.find_last_of('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return "the task started at " + f + ":" + std::to_string(s.line());
}
std::string describe(const mutex_node& m) {
  return m.name->empty() ? std::string("a mutex") : "mutex '" + *m.name + "'";
}
}  // namespace

std::string lock_graph_block(task_header* t, mutex_node m) {
  auto& g = the_graph();
  std::lock_guard lock(g.m);
  std::string path = describe(t) + " waits for " + describe(m);
  std::unordered_set<const task_header*> seen{t};
  mutex_node next = m;
  for (;;) {
    // acquire: pairs with the owner's release store when it took the mutex.
    auto* owner = next.owner->load(std::memory_order_acquire);
    if (!owner) break;
    path += ", held by " + (owner == t ? std::string("it") : describe(owner));
    if (owner == t) {
      return "weft: lock cycle: " + path + " — the wait would never end";
    }
    if (!seen.insert(owner).second) break;
    auto it = g.blocked.find(owner);
    if (it == g.blocked.end()) break;  // the owner is running: no cycle through it
    next = it->second;
    path += ", which waits for " + describe(next);
  }
  g.blocked[t] = m;
  return {};
}

void lock_graph_unblock(task_header* t) noexcept {
  auto& g = the_graph();
  std::lock_guard lock(g.m);
  g.blocked.erase(t);
}

}  // namespace weft::detail
