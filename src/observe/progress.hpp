// Totals of the progress points (weft::progress) of this process.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace weft::detail {

std::map<std::string, std::uint64_t> progress_totals();

}  // namespace weft::detail
