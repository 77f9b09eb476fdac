// Coroutine frames come from a recycling allocator (src/core/frame_alloc.cpp): per-thread free
// lists by size class, refilled from and spilled to a shared pool in batches, so a spawn costs
// no global malloc once the program is warm.
#pragma once

#include <cstddef>

namespace weft::detail {

void* frame_alloc(std::size_t bytes);
void frame_free(void* p, std::size_t bytes) noexcept;

// Room in front of every task frame for the header of a task the scheduler runs on its own
// (spawned.hpp: spawn_base, which asserts that it fits). With it, starting a task<T> with
// go/spawn makes no second frame to own the first: the task's own frame is the root. The room
// is never touched in a task that is only awaited. This relies on the coroutine handle's
// address being the frame's allocation, as it is in GCC and Clang
// (Task.HandleAddressIsTheFramesAllocation checks the compiler the tests are built with). A
// frame whose allocation the compiler elides (Clang may, for a task it sees destroyed on every
// path of the function that made it) has no room, and is never a root: rooting takes the
// handle out of that function's reach.
inline constexpr std::size_t k_root_header_bytes = 128;

// Mixed into the task promise: its frame comes from the recycling allocator, with the room
// for a root header in front.
struct rootable_frame {
  static void* operator new(std::size_t bytes) {
    return static_cast<char*>(frame_alloc(bytes + k_root_header_bytes)) + k_root_header_bytes;
  }
  static void operator delete(void* p, std::size_t bytes) noexcept {
    frame_free(static_cast<char*>(p) - k_root_header_bytes, bytes + k_root_header_bytes);
  }
};

}  // namespace weft::detail
