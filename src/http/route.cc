#include "http/route.h"

#include <charconv>

#include "crypto/crypto.h"

namespace qiusuo::http {

Result<std::int64_t> IdParam(const std::string& text, const char* what) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) {
    return NotFound(std::string("there is no ") + what + " '" + text.substr(0, 40) + "'");
  }
  return v;
}

Result<Page> PageParams(const Request& req) {
  Page page;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    int v = 0;
    const auto [ptr, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 1 || v > 200) {
      return InvalidArgument("limit", "limit is a whole number from 1 to 200");
    }
    page.limit = v;
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    std::int64_t v = 0;
    const auto [ptr, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 0) {
      return InvalidArgument("cursor", "cursor must be a next_cursor value from a previous page");
    }
    page.before = v;
  }
  return page;
}

Result<std::int64_t> IntQuery(const Request& req, const char* key, std::int64_t fallback) {
  auto it = req.query.find(key);
  if (it == req.query.end() || it->second.empty()) return fallback;
  std::int64_t v = 0;
  const auto [ptr, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || ptr != it->second.data() + it->second.size())
    return InvalidArgument(key, std::string(key) + " must be an integer");
  return v;
}

std::string CsrfFor(std::string_view token) {
  return crypto::Sha256Hex("qiusuo-csrf\n" + std::string(token));
}

Result<Compute*> NeedCompute(const Ctx& c) {
  if (!c.compute)
    return Fail(ErrorCode::kUnavailable, "this server runs no jobs (no executor configured)");
  return c.compute;
}

namespace {
template <typename Service>
Result<Service*> Need(Service* service) {
  if (!service) return Fail(ErrorCode::kUnavailable, "this server keeps no ledger");
  return service;
}
}  // namespace

Result<Record*> NeedRecord(const Ctx& c) { return Need(c.record); }
Result<Identities*> NeedIdentities(const Ctx& c) { return Need(c.identities); }
Result<Rewards*> NeedRewards(const Ctx& c) { return Need(c.rewards); }

}  // namespace qiusuo::http
