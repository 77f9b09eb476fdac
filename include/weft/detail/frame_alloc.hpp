// Coroutine frames come from a recycling allocator (src/core/frame_alloc.cpp): per-thread free
// lists by size class, refilled from and spilled to a shared pool in batches, so a spawn costs
// no global malloc once the program is warm.
#pragma once

#include <cstddef>

namespace weft::detail {

void* frame_alloc(std::size_t bytes);
void frame_free(void* p, std::size_t bytes) noexcept;

// Mixed into every promise type so its frame uses the recycling allocator.
struct recycled_frame {
  static void* operator new(std::size_t bytes) { return frame_alloc(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { frame_free(p, bytes); }
};

}  // namespace weft::detail
