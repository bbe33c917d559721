#pragma once
// Keyset pagination for the store's list reads.

#include <cstdint>

namespace qiusuo {

// Newest first: items with id < before (0 = from the newest).
struct Page {
  int limit = 50;
  std::int64_t before = 0;
};

}  // namespace qiusuo
