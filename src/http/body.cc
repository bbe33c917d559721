#include "http/body.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace qiusuo::http {

using json = nlohmann::json;

namespace {
// The first field of the object `value` outside `allowed`, if any.
const std::string* UnknownField(const json& value,
                                std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) return nullptr;
  // it.key() of an object iterator refers into the object, which outlives the loop
  // (items()' key of a proxy would not).
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) return &it.key();
  }
  return nullptr;
}

// "title, pitch", or "no fields".
std::string FieldList(std::initializer_list<std::string_view> allowed) {
  std::string names;
  for (const std::string_view a : allowed) names.append(names.empty() ? "" : ", ").append(a);
  return names.empty() ? "no fields" : names;
}
}  // namespace

Result<Body> Body::Parse(const std::string& text, std::initializer_list<std::string_view> allowed) {
  auto doc =
      std::make_shared<json>(text.empty() ? json::object() : json::parse(text, nullptr, false));
  if (doc->is_discarded()) {
    return Fail(ErrorCode::kMalformed,
                "the request body is not valid JSON; send an object like {\"title\": \"...\"}");
  }
  if (!doc->is_object()) return InvalidArgument("", "the request body must be a JSON object");
  if (const std::string* key = UnknownField(*doc, allowed)) {
    return InvalidArgument(
        *key, "unknown field '" + *key + "'; this request takes: " + FieldList(allowed));
  }
  const json* value = doc.get();
  return Body(std::move(doc), value);
}

// Lookups go through find(): operator[] on a const json is undefined for a missing key.
namespace {
bool TooLong(const json& string) {
  return string.get_ref<const std::string&>().size() > Body::kMaxString;
}
std::string TooLongMessage() {
  return " is too long (at most " + std::to_string(Body::kMaxString) + " bytes)";
}

const json* Field(const json& doc, const std::string& key) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(key);
  return it == doc.end() || it->is_null() ? nullptr : &*it;
}
}  // namespace

Result<std::string> Body::String(const std::string& name, bool required) const {
  const std::string key = prefix_ + name;
  const json* v = Field(*doc_, name);
  if (!v) {
    if (required) return InvalidArgument(key, key + " is required");
    return std::string();
  }
  if (!v->is_string()) return InvalidArgument(key, key + " must be a string");
  if (TooLong(*v)) return InvalidArgument(key, key + TooLongMessage());
  return v->get<std::string>();
}

Result<std::vector<std::string>> Body::Strings(const std::string& name) const {
  const std::string key = prefix_ + name;
  std::vector<std::string> out;
  const json* v = Field(*doc_, name);
  if (!v) return out;
  if (!v->is_array()) return InvalidArgument(key, key + " must be an array of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) return InvalidArgument(key, key + " must be an array of strings");
    if (TooLong(item)) return InvalidArgument(key, key + TooLongMessage());
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<std::int64_t>> Body::OptInt(const std::string& name) const {
  const std::string key = prefix_ + name;
  const json* v = Field(*doc_, name);
  if (!v) return std::optional<std::int64_t>();
  // Beyond INT64_MAX, nlohmann keeps an unsigned value (up to 2^64 - 1) or a double;
  // neither may be read as int64_t.
  if (v->is_number_unsigned() &&
      v->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return InvalidArgument(key, key + " is too large");
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && std::abs(d) >= 9.2e18)
      return InvalidArgument(key, key + " is too large");
  }
  if (!v->is_number_integer()) return InvalidArgument(key, key + " must be a whole number");
  return std::optional<std::int64_t>(v->get<std::int64_t>());
}

Result<std::optional<std::int64_t>> Body::OptInt(const std::string& name, std::int64_t min,
                                                 std::int64_t max) const {
  const std::string key = prefix_ + name;
  const auto bounds = [&] {
    return InvalidArgument(
        key, key + " is a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  };
  const json* v = Field(*doc_, name);
  if (v && v->is_number() && !v->is_number_integer()) return bounds();
  const auto value = OptInt(name);
  if (!value) return bounds();
  const std::optional<std::int64_t>& number = *value;
  if (number.has_value() && (*number < min || *number > max)) return bounds();
  return number;
}

bool Body::Has(const std::string& name) const { return doc_->is_object() && doc_->contains(name); }

Result<bool> Body::Bool(const std::string& name, bool fallback) const {
  const std::string key = prefix_ + name;
  const json* v = Field(*doc_, name);
  if (!v) return fallback;
  if (!v->is_boolean()) return InvalidArgument(key, key + " must be true or false");
  return v->get<bool>();
}

Result<double> Body::Number(const std::string& name) const {
  const std::string key = prefix_ + name;
  const json* v = Field(*doc_, name);
  if (!v || !v->is_number() || !std::isfinite(v->get<double>()))
    return InvalidArgument(key, key + " must be a number");
  return v->get<double>();
}

Result<double> Body::Number(const std::string& name, double min, double max) const {
  const std::string key = prefix_ + name;
  auto value = Number(name);
  if (!value || *value < min || *value > max) {
    std::ostringstream range;
    range << key << " is a number from " << min << " to " << max;
    return InvalidArgument(key, range.str());
  }
  return value;
}

Result<std::vector<std::pair<std::string, std::string>>> Body::StringMap(
    const std::string& name) const {
  const std::string key = prefix_ + name;
  std::vector<std::pair<std::string, std::string>> out;
  const json* v = Field(*doc_, name);
  if (!v) return out;
  if (!v->is_object()) return InvalidArgument(key, key + " must be an object of strings");
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string())
      return InvalidArgument(key,
                             std::string(key).append(".").append(k).append(" must be a string"));
    if (TooLong(item) || k.size() > Body::kMaxString)
      return InvalidArgument(key, key + TooLongMessage());
    out.emplace_back(k, item.get<std::string>());
  }
  return out;
}

std::optional<std::vector<Body>> Body::Items(const std::string& key) const {
  const json* v = Field(*doc_, key);
  if (!v || !v->is_array()) return std::nullopt;
  std::vector<Body> out;
  out.reserve(v->size());
  for (const auto& item : *v) out.push_back(Body(root_, &item));
  return out;
}

namespace {
// `value` is an object with only `allowed` fields; `where` names it in errors.
Status OnlyAllowed(const json& value, const std::string& where,
                   std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) return InvalidArgument(where, where + " must be an object");
  if (const std::string* field = UnknownField(value, allowed)) {
    return InvalidArgument(where + "." + *field, "unknown field '" + *field + "' in " + where +
                                                     "; it takes: " + FieldList(allowed));
  }
  return {};
}

// "weights.review", "points[2]": where a nested value sits.
std::string Nested(const std::string& key, std::string_view member) {
  return std::string(key).append(".").append(member);
}
std::string Element(const std::string& key, std::size_t index) {
  return std::string(key).append("[").append(std::to_string(index)).append("]");
}
}  // namespace

Result<std::vector<std::pair<std::string, Body>>> Body::ObjectMap(
    const std::string& name, std::initializer_list<std::string_view> allowed) const {
  const std::string key = prefix_ + name;
  std::vector<std::pair<std::string, Body>> out;
  const json* v = Field(*doc_, name);
  if (!v) return out;
  if (!v->is_object()) return InvalidArgument(key, key + " must be an object");
  for (const auto& [k, item] : v->items()) {
    const std::string where = Nested(key, k);
    QS_TRY_STATUS(OnlyAllowed(item, where, allowed));
    out.emplace_back(k, Body(root_, &item, Nested(where, "")));
  }
  return out;
}

Result<std::vector<Body>> Body::ObjectList(const std::string& name,
                                           std::initializer_list<std::string_view> allowed) const {
  const std::string key = prefix_ + name;
  std::vector<Body> out;
  const json* v = Field(*doc_, name);
  if (!v) return out;
  if (!v->is_array()) return InvalidArgument(key, key + " must be an array of objects");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string where = Element(key, i);
    QS_TRY_STATUS(OnlyAllowed((*v)[i], where, allowed));
    out.push_back(Body(root_, &(*v)[i], Nested(where, "")));
  }
  return out;
}

bool Body::IsObject() const { return doc_->is_object(); }

}  // namespace qiusuo::http
