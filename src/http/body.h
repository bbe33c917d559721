#pragma once
// Request bodies: a JSON object with a fixed set of allowed fields. Every accessor
// names the field in its error, so a client learns which value to fix. The one
// translation unit of the API that parses JSON is body.cc.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace qiusuo::http {

class Body {
 public:
  // Empty text is an empty object. Refuses text that is not JSON (malformed), a
  // value that is not an object, and any field outside `allowed` (invalid_argument).
  static Result<Body> Parse(const std::string& text,
                            std::initializer_list<std::string_view> allowed);

  // A string field (at most kMaxString bytes, as every string below); "" when absent
  // or null and not required.
  Result<std::string> String(const std::string& key, bool required) const;
  // An array of strings; empty when absent or null.
  Result<std::vector<std::string>> Strings(const std::string& key) const;
  // An integer; nullopt when absent or null. A number that is not whole, or beyond
  // what 64 bits hold, is an error naming the field, never a wrapped value.
  Result<std::optional<std::int64_t>> OptInt(const std::string& key) const;
  // The same within [min, max]: "gpus is a whole number from 0 to 1000000".
  Result<std::optional<std::int64_t>> OptInt(const std::string& key, std::int64_t min,
                                             std::int64_t max) const;
  bool Has(const std::string& key) const;
  Result<bool> Bool(const std::string& key, bool fallback) const;
  // A finite number, which must be there.
  Result<double> Number(const std::string& key) const;
  // The same within [min, max]: "factor is a number from 0 to 1000".
  Result<double> Number(const std::string& key, double min, double max) const;
  // {"K": "V", ...} in key order; empty when absent or null.
  Result<std::vector<std::pair<std::string, std::string>>> StringMap(const std::string& key) const;
  // The elements of the array `key`, each a Body that takes any fields (and may not
  // be an object: see IsObject); nullopt when `key` is not an array.
  std::optional<std::vector<Body>> Items(const std::string& key) const;
  // {"K": {...}, ...} in key order, each value an object with only `allowed` fields;
  // empty when absent or null. Errors name the nested field ("weights.review.per_unit").
  Result<std::vector<std::pair<std::string, Body>>> ObjectMap(
      const std::string& key, std::initializer_list<std::string_view> allowed) const;
  // [{...}, ...], each an object with only `allowed` fields; empty when absent or null.
  // Errors name the element ("points[2].note").
  Result<std::vector<Body>> ObjectList(const std::string& key,
                                       std::initializer_list<std::string_view> allowed) const;
  bool IsObject() const;

  // Bounds the routes use for numbers that are times, money and counts, wide enough
  // for any real value and narrow enough that the services' arithmetic on them
  // (milli-units, sums over a round, seconds from now) cannot overflow.
  static constexpr std::int64_t kMaxUnixSeconds = 253'402'300'799;  // 9999-12-31T23:59:59Z
  static constexpr std::int64_t kMaxCount = 1'000'000'000'000;      // 10^12
  static constexpr double kMaxQuantity = 1e12;
  // The longest string any field takes (the services bound each text more tightly).
  static constexpr std::size_t kMaxString = 64 << 10;

 private:
  Body(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* doc,
       std::string prefix = "")
      : root_(std::move(root)), doc_(doc), prefix_(std::move(prefix)) {}

  std::shared_ptr<const nlohmann::json> root_;  // keeps doc_ alive
  const nlohmann::json* doc_;                   // this body's value, inside root_
  std::string prefix_;  // where a nested body sits ("weights.review."), for errors
};

}  // namespace qiusuo::http
