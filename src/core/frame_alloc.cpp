// The coroutine frame allocator. Every spawn allocates one or two frames, so a general-purpose
// malloc (a lock or a size-class search per call, and cross-thread frees that defeat its
// thread caches) would dominate spawn cost. Here:
//   * sizes are rounded to 16 bytes; frames up to 1 KiB use one of 64 size classes, larger
//     ones go to operator new;
//   * each thread keeps its free blocks per class in two magazines, arrays of up to 128 (no
//     atomics on the fast path, and no list threaded through the blocks: see class_cache);
//   * full magazines go to a central pool and empty ones are refilled from it, one pointer
//     per exchange, so a producer/consumer pair of threads recycles memory instead of one
//     thread growing without bound;
//   * new memory is carved from 64 KiB slabs, which are kept for reuse, not returned.
// Under AddressSanitizer every frame is a plain operator new, so use-after-free is caught.
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "weft/detail/frame_alloc.hpp"

#include "core/prefetch.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define WEFT_PLAIN_FRAMES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_PLAIN_FRAMES 1
#endif
#endif

namespace weft::detail {

#if defined(WEFT_PLAIN_FRAMES)

void* frame_alloc(std::size_t bytes) {
  return ::operator new(bytes);
}
void frame_free(void* p, std::size_t bytes) noexcept {
  ::operator delete(p, bytes);
}

#else

namespace {

constexpr std::size_t k_granule = 16;
constexpr std::size_t k_classes = 64;  // up to 64 * 16 = 1024 bytes
constexpr std::size_t k_slab_bytes = 64 * 1024;
// How many allocations ahead a free block is fetched (frame_alloc).
constexpr std::size_t k_prefetch_ahead = 3;

// A stack of free blocks of one class: the unit a thread exchanges with the central pool, so
// an exchange moves one pointer, whatever the number of blocks (Bonwick's magazines).
struct magazine {
  static constexpr std::size_t k_size = 128;
  std::size_t count = 0;
  void* items[k_size];
};

// The central pool: full (or partly full) magazines per class, each class under its own lock,
// taken once per magazine::k_size operations of a thread; spare empty magazines; the slabs.
struct central_pool {
  struct alignas(64) klass {
    std::mutex m;
    // A thread takes back its own newest magazine (its blocks are likely still in its cache);
    // failing that, the oldest (another thread's newest sit modified in that thread's cache,
    // and every first touch of one would wait for the line to come over).
    struct entry {
      magazine* m;
      const void* owner;  // the thread cache that filled it (beside it: no miss to look)
    };
    std::deque<entry> full;  // guarded by m
  };
  klass classes[k_classes];
  std::mutex spare_m;
  std::vector<magazine*> spare;  // guarded by spare_m: empty magazines, any class
  std::mutex slab_m;
  std::vector<void*> slabs;  // guarded by slab_m; kept so the memory stays reachable

  magazine* take_full(std::size_t c, const void* me) noexcept {
    std::lock_guard g(classes[c].m);
    auto& v = classes[c].full;
    if (v.empty()) return nullptr;
    // Only the newest few are looked at: a thread's own are near the end or long cold.
    constexpr std::size_t k_look = 4;
    for (std::size_t i = 0; i < k_look && i < v.size(); ++i) {
      auto it = v.end() - 1 - static_cast<std::ptrdiff_t>(i);
      if (it->owner == me) {
        auto* m = it->m;
        v.erase(it);
        return m;
      }
    }
    auto* m = v.front().m;
    v.pop_front();
    return m;
  }
  // False (m still the caller's) when the list cannot grow.
  bool put_full(std::size_t c, magazine* m, const void* owner) noexcept {
    std::lock_guard g(classes[c].m);
    try {
      classes[c].full.push_back({m, owner});
    } catch (...) {
      return false;
    }
    return true;
  }
  // An empty magazine, or null when out of memory.
  magazine* take_empty() noexcept {
    {
      std::lock_guard g(spare_m);
      if (!spare.empty()) {
        auto* m = spare.back();
        spare.pop_back();
        return m;
      }
    }
    void* raw = std::malloc(sizeof(magazine));  // NOLINT: raw memory for the allocator itself
    return raw ? new (raw) magazine() : nullptr;
  }
  void put_empty(magazine* m) noexcept {
    m->count = 0;
    std::lock_guard g(spare_m);
    try {
      spare.push_back(m);
    } catch (...) {
      std::free(m);  // NOLINT: as above
    }
  }
  // A new slab cut into blocks of class c, in magazines: one for the caller, the rest to the
  // pool as the caller's own (fresh memory: no other cache holds it). Blocks come out of each
  // magazine in rising addresses.
  magazine* carve(std::size_t c, const void* owner) {
    std::size_t size = (c + 1) * k_granule;
    void* slab = std::malloc(k_slab_bytes);  // NOLINT: as above
    if (!slab) throw std::bad_alloc();
    {
      std::lock_guard g(slab_m);
      try {
        slabs.push_back(slab);
      } catch (...) {
        std::free(slab);  // NOLINT: as above
        throw;
      }
    }
    auto* base = static_cast<char*>(slab);
    std::size_t blocks = k_slab_bytes / size;
    magazine* mine = nullptr;
    // From the top of the slab down, a magazine at a time; the first (lowest addresses) is
    // the caller's.
    for (std::size_t end = blocks; end > 0;) {
      std::size_t begin = end > magazine::k_size ? end - magazine::k_size : 0;
      auto* m = take_empty();
      if (!m) break;  // out of memory: the slab's other blocks stay unused
      for (std::size_t i = end; i > begin; --i) m->items[m->count++] = base + (i - 1) * size;
      if (begin == 0) {
        mine = m;
      } else if (!put_full(c, m, owner)) {
        put_empty(m);
      }
      end = begin;
    }
    if (!mine) throw std::bad_alloc();
    return mine;
  }
};

central_pool& central() {
  static auto* pool = new central_pool();  // never destroyed: frames may outlive main's statics
  return *pool;
}

// A thread's free blocks of one class, in two magazines (allocation pops from and a free pushes
// to `cur`; `prev` is the spare, full or empty, so a thread that alternates around a magazine's
// edge does not trade with the central pool each time). Arrays rather than a list threaded
// through the blocks: a block freed by another thread (a thief ran the task) sits modified in
// that core's cache, and a list makes each allocation read the block's link before it can find
// the next one, a chain of cross-core misses. With the addresses in an array of our own, the
// blocks of the next few allocations are known and are fetched ahead (frame_alloc).
struct class_cache {
  magazine* cur = nullptr;
  magazine* prev = nullptr;
};

struct thread_cache {
  class_cache lists[k_classes];

  ~thread_cache() {
    for (std::size_t c = 0; c < k_classes; ++c) {
      for (auto* m : {lists[c].cur, lists[c].prev}) {
        if (!m) continue;
        // On failure the blocks stay unused in their slabs.
        if (m->count == 0 || !central().put_full(c, m, nullptr)) central().put_empty(m);
      }
    }
  }
};

thread_local thread_cache tl_cache;

void prefetch_block(void* p, std::size_t size) noexcept {
  // For writing: the new frame's constructor writes all its lines, and each write that misses
  // holds up the next locked instruction (the store buffer must drain first), which is what a
  // spawn's count update waited on. Up to four lines.
  auto* b = static_cast<char*>(p);
  prefetch_for_write(b);
  prefetch_for_write(b + 64);
  if (size > 128) prefetch_for_write(b + 128);
  if (size > 192) prefetch_for_write(b + 192);
}

// cur is empty (or absent): the spare if it holds blocks, else a magazine from the pool (or a
// new slab). Throws bad_alloc.
[[gnu::noinline]] magazine* refill(std::size_t c, class_cache& l) {
  if (l.prev && l.prev->count > 0) {
    std::swap(l.cur, l.prev);
  } else {
    auto* full = central().take_full(c, &tl_cache);
    if (!full) full = central().carve(c, &tl_cache);
    if (l.cur) {
      // Empty, like prev (if any): keep one as the spare.
      if (l.prev) {
        central().put_empty(l.cur);
      } else {
        l.prev = l.cur;
      }
    }
    l.cur = full;
  }
  std::size_t size = (c + 1) * k_granule;
  for (std::size_t i = 1; i < k_prefetch_ahead && i <= l.cur->count; ++i) {
    prefetch_block(l.cur->items[l.cur->count - i], size);
  }
  return l.cur;
}

// cur is full (or absent): the spare if it is empty, else an empty magazine, the full ones
// moving down (prev to the pool). Null when out of memory.
[[gnu::noinline]] magazine* make_room(std::size_t c, class_cache& l) noexcept {
  if (l.prev && l.prev->count == 0) {
    std::swap(l.cur, l.prev);
    return l.cur;
  }
  auto* e = central().take_empty();
  if (!e) return nullptr;
  if (l.cur) {
    if (l.prev && !central().put_full(c, l.prev, &tl_cache)) {
      central().put_empty(e);
      return nullptr;
    }
    l.prev = l.cur;
  }
  l.cur = e;
  return e;
}

}  // namespace

void* frame_alloc(std::size_t bytes) {
  std::size_t c = (bytes + k_granule - 1) / k_granule - 1;
  if (bytes == 0 || c >= k_classes) return ::operator new(bytes);
  auto& l = tl_cache.lists[c];
  auto* m = l.cur;
  if (!m || m->count == 0) [[unlikely]]
    m = refill(c, l);
  void* blk = m->items[--m->count];
  // The block k_prefetch_ahead allocations from now (the ones before it were fetched by the
  // calls before this one): it is often a frame another worker freed, and fetched now its
  // transfer overlaps the work until then.
  if (m->count >= k_prefetch_ahead) {
    prefetch_block(m->items[m->count - k_prefetch_ahead], (c + 1) * k_granule);
  }
  return blk;
}

void frame_free(void* p, std::size_t bytes) noexcept {
  std::size_t c = (bytes + k_granule - 1) / k_granule - 1;
  if (bytes == 0 || c >= k_classes) {
    ::operator delete(p);
    return;
  }
  auto& l = tl_cache.lists[c];
  auto* m = l.cur;
  if (!m || m->count == magazine::k_size) [[unlikely]] {
    m = make_room(c, l);
    if (!m) return;  // out of memory: the block stays unused in its slab
  }
  m->items[m->count++] = p;
}

#endif

}  // namespace weft::detail
