// The coroutine frame allocator. Every spawn allocates one or two frames, so a general-purpose
// malloc (a lock or a size-class search per call, and cross-thread frees that defeat its
// thread caches) would dominate spawn cost. Here:
//   * sizes are rounded to 16 bytes; frames up to 1 KiB use one of 64 size classes, larger
//     ones go to operator new;
//   * each thread keeps a free list per class (no atomics on the fast path);
//   * a free list longer than k_max_cached spills half to a central list, and an empty one
//     refills from the central list in one batch, so a producer/consumer pair of threads
//     recycles memory instead of one thread growing without bound;
//   * new memory is carved from 64 KiB slabs, which are kept for reuse, not returned.
// Under AddressSanitizer every frame is a plain operator new, so use-after-free is caught.
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "weft/detail/frame_alloc.hpp"

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
constexpr std::size_t k_classes = 64;      // up to 64 * 16 = 1024 bytes
constexpr std::size_t k_max_cached = 256;  // per class per thread; spill half beyond it
constexpr std::size_t k_slab_bytes = 64 * 1024;

struct free_block {
  free_block* next;
};

struct batch {
  free_block* head = nullptr;
  std::size_t count = 0;
};

// The central lists: one lock per class, touched once per k_max_cached / 2 operations.
struct central_pool {
  struct alignas(64) klass {
    std::mutex m;
    std::vector<batch> batches;  // guarded by m
  };
  klass classes[k_classes];
  std::mutex slab_m;
  std::vector<void*> slabs;  // guarded by slab_m; kept so the memory stays reachable

  void put(std::size_t c, batch b) {
    std::lock_guard g(classes[c].m);
    classes[c].batches.push_back(b);
  }
  bool take(std::size_t c, batch& out) {
    std::lock_guard g(classes[c].m);
    auto& v = classes[c].batches;
    if (v.empty()) return false;
    out = v.back();
    v.pop_back();
    return true;
  }
  batch carve(std::size_t c) {
    std::size_t size = (c + 1) * k_granule;
    void* slab = std::malloc(k_slab_bytes);  // NOLINT: raw memory for the allocator itself
    if (!slab) throw std::bad_alloc();
    {
      std::lock_guard g(slab_m);
      slabs.push_back(slab);
    }
    batch b;
    auto* base = static_cast<char*>(slab);
    for (std::size_t off = 0; off + size <= k_slab_bytes; off += size) {
      auto* blk = reinterpret_cast<free_block*>(base + off);
      blk->next = b.head;
      b.head = blk;
      ++b.count;
    }
    return b;
  }
};

central_pool& central() {
  static auto* pool = new central_pool();  // never destroyed: frames may outlive main's statics
  return *pool;
}

struct thread_cache {
  batch lists[k_classes];

  ~thread_cache() {
    for (std::size_t c = 0; c < k_classes; ++c) {
      if (lists[c].count) central().put(c, lists[c]);
    }
  }
};

thread_local thread_cache tl_cache;

}  // namespace

void* frame_alloc(std::size_t bytes) {
  std::size_t c = (bytes + k_granule - 1) / k_granule - 1;
  if (bytes == 0 || c >= k_classes) return ::operator new(bytes);
  auto& l = tl_cache.lists[c];
  if (!l.head) {
    if (!central().take(c, l)) l = central().carve(c);
  }
  auto* blk = l.head;
  l.head = blk->next;
  --l.count;
  // Start fetching the next block, for writing: it is often a frame another worker freed (a
  // thief ran the task), so its lines sit modified in that core's cache, and reading its link
  // at the next allocation would stall for the whole transfer. Fetched now, it overlaps with
  // the work until then. All of its lines, up to four: the new frame's constructor writes them
  // all, and each write that misses holds up the next locked instruction (the store buffer
  // must drain first), which is what a spawn's count update waited on.
  if (auto* next = l.head) {
    auto* p = reinterpret_cast<char*>(next);
    std::size_t size = (c + 1) * k_granule;
    __builtin_prefetch(p, 1);
    __builtin_prefetch(p + 64, 1);
    if (size > 128) __builtin_prefetch(p + 128, 1);
    if (size > 192) __builtin_prefetch(p + 192, 1);
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
  auto* blk = static_cast<free_block*>(p);
  blk->next = l.head;
  l.head = blk;
  if (++l.count > k_max_cached) {
    // Spill the older half (the tail end of the list) to the central pool.
    batch keep;
    keep.head = l.head;
    auto* cut = l.head;
    for (std::size_t i = 1; i < k_max_cached / 2; ++i) cut = cut->next;
    batch spill{cut->next, l.count - k_max_cached / 2};
    cut->next = nullptr;
    keep.count = k_max_cached / 2;
    l = keep;
    try {
      central().put(c, spill);
    } catch (...) {
      // Out of memory for the central vector: keep the blocks locally rather than lose them.
      cut->next = spill.head;
      l.count += spill.count;
    }
  }
}

#endif

}  // namespace weft::detail
