#pragma once
// Writes JSON straight into a string, without building a document first: the API's
// responses are built this way because a DOM costs an allocation per value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qiusuo::http {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& Double(double value);
  JsonWriter& Strings(const std::vector<std::string>& values);

  // Shorthands for a key and its value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const std::string& value) {
    return Key(key).String(value);
  }
  JsonWriter& Field(std::string_view key, std::int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  // The integer, or null when there is none.
  JsonWriter& OptInt(std::string_view key, const std::optional<std::int64_t>& value) {
    Key(key);
    return value ? Int(*value) : Null();
  }
  JsonWriter& Field(std::string_view key, const std::vector<std::string>& v) {
    return Key(key).Strings(v);
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  void WriteEscaped(std::string_view value);

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace qiusuo::http
