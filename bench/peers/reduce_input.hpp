// The reduce workload's input, shared by its weft, TBB and serial programs so all three sum the
// same values: v[i] = i, filled (and its pages faulted in) once, before any timing. A chunk
// summed twice or skipped changes the sum, so the closed form N(N-1)/2 checks the reduction.
#pragma once

#include <cstdint>
#include <vector>

namespace peer {

inline std::vector<std::int64_t> reduce_input(long n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>(i);
  return v;
}

inline std::int64_t reduce_expected(long n) {
  return std::int64_t{n} * (n - 1) / 2;
}

}  // namespace peer
