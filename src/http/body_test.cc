// Request bodies: every bad value is an invalid_argument (or malformed) error naming
// its field, never an exception, a wrapped number or undefined behaviour.
#include "http/body.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace qiusuo::http {
namespace {

// The field and code of the error `r` holds.
template <typename T>
std::pair<ErrorCode, std::string> ErrorOf(const Result<T>& r) {
  if (r) return {ErrorCode::kInternal, "<no error>"};
  return {r.error().code, r.error().field};
}

const auto kInvalid = ErrorCode::kInvalidArgument;

Body Parsed(const std::string& text) {
  auto body = Body::Parse(text, {"n", "x", "s", "list", "map", "objects", "weights"});
  EXPECT_TRUE(body) << text << ": " << body.error().message;
  return *body;
}

TEST(Body, NotJsonOrNotAnObjectOrAnUnknownFieldIsRefused) {
  EXPECT_EQ(ErrorOf(Body::Parse("{", {})).first, ErrorCode::kMalformed);
  EXPECT_EQ(ErrorOf(Body::Parse("[1, 2]", {"n"})).first, kInvalid);
  EXPECT_EQ(ErrorOf(Body::Parse("null", {"n"})).first, kInvalid);
  EXPECT_EQ(ErrorOf(Body::Parse("\"text\"", {"n"})).first, kInvalid);
  EXPECT_EQ(ErrorOf(Body::Parse("{\"m\": 1}", {"n"})), std::make_pair(kInvalid, std::string("m")));
  // A number beyond a double is not JSON this server reads, not an infinity.
  EXPECT_EQ(ErrorOf(Body::Parse("{\"n\": 1e400}", {"n"})).first, ErrorCode::kMalformed);
  EXPECT_TRUE(Body::Parse("", {"n"}));
}

TEST(Body, MissingAndNullFieldsAreAbsentNeverUndefined) {
  const Body body = Parsed("{\"n\": null, \"s\": null}");
  EXPECT_EQ(ErrorOf(body.String("s", true)), std::make_pair(kInvalid, std::string("s")));
  EXPECT_EQ(ErrorOf(body.String("x", true)), std::make_pair(kInvalid, std::string("x")));
  EXPECT_EQ(*body.String("x", false), "");
  EXPECT_FALSE(*body.OptInt("n"));
  EXPECT_FALSE(*body.OptInt("x"));
  EXPECT_EQ(ErrorOf(body.Number("n")), std::make_pair(kInvalid, std::string("n")));
  EXPECT_EQ(ErrorOf(body.Number("x")), std::make_pair(kInvalid, std::string("x")));
  EXPECT_TRUE(body.Strings("list")->empty());
  EXPECT_TRUE(body.StringMap("map")->empty());
  EXPECT_TRUE(body.ObjectList("objects", {"a"})->empty());
  EXPECT_FALSE(body.Items("objects"));
}

TEST(Body, WrongTypesNameTheField) {
  const std::string wrong[] = {"{\"n\": \"7\"}", "{\"n\": true}", "{\"n\": [7]}",
                               "{\"n\": {\"v\": 7}}", "{\"n\": 7.5}"};
  for (const std::string& text : wrong) {
    const Body body = Parsed(text);
    EXPECT_EQ(ErrorOf(body.OptInt("n")), std::make_pair(kInvalid, std::string("n"))) << text;
    if (text != "{\"n\": \"7\"}") {
      EXPECT_EQ(ErrorOf(body.String("n", true)), std::make_pair(kInvalid, std::string("n")))
          << text;
    }
    if (text != "{\"n\": true}") {
      EXPECT_EQ(ErrorOf(body.Bool("n", false)), std::make_pair(kInvalid, std::string("n"))) << text;
    }
  }
  const Body body = Parsed(
      "{\"list\": [\"a\", 1], \"map\": {\"K\": 2}, \"objects\": [{\"a\": 1}, 3], "
      "\"weights\": {\"review\": [1]}}");
  EXPECT_EQ(ErrorOf(body.Strings("list")), std::make_pair(kInvalid, std::string("list")));
  EXPECT_EQ(ErrorOf(body.StringMap("map")), std::make_pair(kInvalid, std::string("map")));
  EXPECT_EQ(ErrorOf(body.ObjectList("objects", {"a"})),
            std::make_pair(kInvalid, std::string("objects[1]")));
  EXPECT_EQ(ErrorOf(body.ObjectMap("weights", {"per_entry"})),
            std::make_pair(kInvalid, std::string("weights.review")));
  // An array where an object is expected, and the other way round.
  EXPECT_EQ(ErrorOf(Parsed("{\"map\": [\"K\"]}").StringMap("map")).second, "map");
  EXPECT_EQ(ErrorOf(Parsed("{\"list\": {\"a\": \"b\"}}").Strings("list")).second, "list");
  EXPECT_EQ(ErrorOf(Parsed("{\"objects\": {\"a\": 1}}").ObjectList("objects", {"a"})).second,
            "objects");
}

TEST(Body, HugeNumbersAreErrorsNotWrappedValues) {
  // 2^63 and 2^64 - 1 fit nlohmann's unsigned integer; read as int64_t they would wrap
  // to the most negative number and to -1.
  for (const char* huge : {"9223372036854775808", "18446744073709551615", "18446744073709551616",
                           "1e19", "-1e19", "-9223372036854775809"}) {
    const Body body = Parsed(std::string("{\"n\": ") + huge + "}");
    const auto n = body.OptInt("n");
    EXPECT_EQ(ErrorOf(n), std::make_pair(kInvalid, std::string("n"))) << huge;
    EXPECT_EQ(ErrorOf(body.OptInt("n", 0, 100)), std::make_pair(kInvalid, std::string("n")))
        << huge;
  }
  const Body edge = Parsed("{\"n\": 9223372036854775807, \"x\": -9223372036854775808}");
  EXPECT_EQ(**edge.OptInt("n"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(**edge.OptInt("x"), std::numeric_limits<std::int64_t>::min());
}

TEST(Body, BoundedNumbersSayTheirRange) {
  const Body body = Parsed("{\"n\": -1, \"x\": 1e13}");
  const auto n = body.OptInt("n", 0, 10);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().field, "n");
  EXPECT_EQ(n.error().message, "n is a whole number from 0 to 10");
  EXPECT_EQ(ErrorOf(body.Number("x", 0, 1e12)), std::make_pair(kInvalid, std::string("x")));
  EXPECT_EQ(ErrorOf(body.OptInt("x", 0, Body::kMaxCount)),
            std::make_pair(kInvalid, std::string("x")));
  EXPECT_EQ(*body.Number("n", -1, 1), -1);
  EXPECT_EQ(**body.OptInt("n", -1, 1), -1);
  EXPECT_FALSE(*body.OptInt("s", 0, 1));  // absent stays absent
}

TEST(Body, NestedFieldsAreNamedWhereTheySit) {
  const Body body = Parsed(
      "{\"weights\": {\"review\": {\"per_entry\": 1e300}}, "
      "\"objects\": [{\"a\": 1}, {\"a\": 18446744073709551615}]}");
  auto weights = body.ObjectMap("weights", {"per_entry"});
  ASSERT_TRUE(weights);
  EXPECT_EQ(ErrorOf((*weights)[0].second.Number("per_entry", 0, 1e9)).second,
            "weights.review.per_entry");
  auto objects = body.ObjectList("objects", {"a"});
  ASSERT_TRUE(objects);
  EXPECT_EQ(ErrorOf((*objects)[1].OptInt("a")).second, "objects[1].a");
}

TEST(Body, StringsTooLongNameTheirField) {
  const std::string longest(Body::kMaxString, 'x');
  const std::string over = longest + "x";
  const Body ok = Parsed("{\"s\": \"" + longest + "\"}");
  EXPECT_EQ(ok.String("s", true)->size(), Body::kMaxString);
  EXPECT_EQ(ErrorOf(Parsed("{\"s\": \"" + over + "\"}").String("s", true)),
            std::make_pair(kInvalid, std::string("s")));
  EXPECT_EQ(ErrorOf(Parsed("{\"list\": [\"a\", \"" + over + "\"]}").Strings("list")),
            std::make_pair(kInvalid, std::string("list")));
  EXPECT_EQ(ErrorOf(Parsed("{\"map\": {\"K\": \"" + over + "\"}}").StringMap("map")),
            std::make_pair(kInvalid, std::string("map")));
}

}  // namespace
}  // namespace qiusuo::http
