#include "http/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace qiusuo::http {
namespace {

TEST(JsonWriter, WritesNestedValues) {
  JsonWriter w;
  w.BeginObject()
      .Field("id", std::int64_t{7})
      .Field("ok", true)
      .Key("none")
      .Null()
      .Field("tags", std::vector<std::string>{"a", "b"})
      .Key("items")
      .BeginArray()
      .BeginObject()
      .Field("x", "y")
      .EndObject()
      .BeginArray()
      .EndArray()
      .EndArray()
      .EndObject();
  EXPECT_EQ(w.str(), R"({"id":7,"ok":true,"none":null,"tags":["a","b"],"items":[{"x":"y"},[]]})");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndKeepsUtf8) {
  const std::string nasty = std::string("quote\" back\\ nl\n tab\t ctl\x01 求索 </script>");
  JsonWriter w;
  w.BeginObject().Field("s", nasty).EndObject();
  const auto parsed = nlohmann::json::parse(w.str());
  EXPECT_EQ(parsed["s"], nasty);
  EXPECT_NE(w.str().find("\\u0001"), std::string::npos);
  EXPECT_NE(w.str().find("求索"), std::string::npos);
}

}  // namespace
}  // namespace qiusuo::http
