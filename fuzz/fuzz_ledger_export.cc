// The ledger export reader (ledger::VerifyExport, what `qiusuo ledger verify` and a
// reward recompute read), and the strict entry decoder it uses: any bytes as an export.
#include <cstdint>
#include <sstream>
#include <string>

#include "ledger/ledger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::istringstream in(bytes);
  std::int64_t delivered = 0;
  const auto report = qiusuo::ledger::VerifyExport(in, std::nullopt, {},
                                                   [&](qiusuo::Contribution&&) { ++delivered; });
  if (report.ok && delivered != report.entries) __builtin_trap();
  // Each line again as an entry on its own: Decode must refuse or round-trip.
  std::istringstream lines(bytes);
  for (std::string line; std::getline(lines, line);) {
    auto entry = qiusuo::ledger::Decode(line);
    if (entry && qiusuo::ledger::Encode(*entry) != line) __builtin_trap();
  }
  return 0;
}
