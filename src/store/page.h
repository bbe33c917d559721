#pragma once
// Keyset pagination for the store's list reads.

#include <cstdint>

namespace qiusuo {

// Newest first: items with id < before (0 = from the newest).
struct Page {
  int limit = 50;
  std::int64_t before = 0;
};

// Oldest first: items with id > after (0 = from the oldest). For lists read in the
// order they grow (the queue, a project's tasks): a page boundary stays put when new
// items arrive, and each item is seen once.
struct PageAfter {
  int limit = 50;
  std::int64_t after = 0;
};

}  // namespace qiusuo
