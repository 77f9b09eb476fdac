// The registry of named wait sites (see weft/detail/wait_site.hpp).
#include "observe/wait_sites.hpp"

#include <mutex>
#include <vector>

#include "core/clock.hpp"

namespace weft::detail {

namespace {
struct site_registry {
  std::mutex m;
  wait_site* head = nullptr;                                        // guarded by m
  std::map<std::pair<std::string, std::string>, site_totals> gone;  // guarded by m
  // Interned (kind, name) pairs: id -> pair and back. Ids are never reused. Guarded by m.
  std::vector<std::pair<std::string, std::string>> keys{{}};  // keys[0]: "no id"
  std::map<std::pair<std::string, std::string>, std::uint32_t> ids;
};
site_registry& registry() {
  static auto* r = new site_registry();  // never destroyed: sites may outlive static dtors
  return *r;
}
}  // namespace

wait_site::wait_site(const char* kind, std::string name) : kind_(kind), name_(std::move(name)) {
  if (name_.empty()) return;
  auto& r = registry();
  std::lock_guard g(r.m);
  std::pair<std::string, std::string> key{kind_, name_};
  if (auto it = r.ids.find(key); it != r.ids.end()) {
    id_ = it->second;
  } else if (r.keys.size() < site_tallies::k_slots) {
    id_ = static_cast<std::uint32_t>(r.keys.size());
    r.ids.emplace(key, id_);
    r.keys.push_back(std::move(key));
  }
  next_ = r.head;
  if (r.head) r.head->prev_ = this;
  r.head = this;
}

wait_site::~wait_site() {
  if (name_.empty()) return;
  auto& r = registry();
  std::lock_guard g(r.m);
  if (prev_) {
    prev_->next_ = next_;
  } else {
    r.head = next_;
  }
  if (next_) next_->prev_ = prev_;
  auto& t = r.gone[{kind_, name_}];
  t.blocked_ns += ticks_to_ns(blocked_ticks_.load(std::memory_order_relaxed));
  t.waits += waits_.load(std::memory_order_relaxed);
}

void wait_site::record_untallied(std::uint64_t ticks, std::uint64_t waits) const noexcept {
  // relaxed: statistics; the registry reads them under its lock at snapshot time.
  blocked_ticks_.fetch_add(ticks, std::memory_order_relaxed);
  waits_.fetch_add(waits, std::memory_order_relaxed);
}

std::map<std::pair<std::string, std::string>, site_totals> wait_site_totals(
    std::span<const live_tallies> live) {
  auto& r = registry();
  std::lock_guard g(r.m);
  auto out = r.gone;
  for (const auto& l : live) {
    l.tallies->for_each(l.scale, [&](std::uint32_t id, std::uint64_t ticks, std::uint64_t waits) {
      auto& o = out[r.keys[id]];
      o.blocked_ns += ticks_to_ns(ticks);
      o.waits += waits;
    });
  }
  for (auto* s = r.head; s; s = s->next_) {
    auto& t = out[{s->kind_, s->name_}];
    t.blocked_ns += ticks_to_ns(s->blocked_ticks_.load(std::memory_order_relaxed));
    t.waits += s->waits_.load(std::memory_order_relaxed);
  }
  return out;
}

void fold_site_tallies(const site_tallies& t, double scale) {
  auto& r = registry();
  std::lock_guard g(r.m);
  t.for_each(scale, [&](std::uint32_t id, std::uint64_t ticks, std::uint64_t waits) {
    auto& o = r.gone[r.keys[id]];
    o.blocked_ns += ticks_to_ns(ticks);
    o.waits += waits;
  });
}

}  // namespace weft::detail
