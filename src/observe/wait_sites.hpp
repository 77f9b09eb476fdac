// Totals of blocked time per named object, for the metrics export.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "weft/detail/wait_site.hpp"

namespace weft::detail {

struct site_totals {
  std::uint64_t blocked_ns = 0;
  std::uint64_t waits = 0;
};

// (kind, name) -> totals, for every named site that exists or has existed in this process.
std::map<std::pair<std::string, std::string>, site_totals> wait_site_totals();

}  // namespace weft::detail
