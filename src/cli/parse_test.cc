#include "cli/parse.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qiusuo::cli {
namespace {

TEST(ParseDuration, AcceptsSecondsUnitsAndColons) {
  EXPECT_EQ(ParseDuration("90").value(), 90);
  EXPECT_EQ(ParseDuration("30s").value(), 30);
  EXPECT_EQ(ParseDuration("90m").value(), 5400);
  EXPECT_EQ(ParseDuration("2h").value(), 7200);
  EXPECT_EQ(ParseDuration("1d").value(), 86400);
  EXPECT_EQ(ParseDuration("1:30:00").value(), 5400);
  EXPECT_EQ(ParseDuration("90:00").value(), 5400);
  EXPECT_EQ(ParseDuration("0").value(), 0);
  EXPECT_EQ(ParseDuration("999999999999").value(), kMaxDurationS);
}

TEST(ParseDuration, RejectsJunkNamingTheText) {
  for (const char* junk : {"", "h", "2x", "2hours", "-5", "1.5h", " 2h", "2h ", "1::00", ":30",
                           "1:30:", "1:3a:00", "2H"}) {
    const auto r = ParseDuration(junk);
    ASSERT_FALSE(r) << junk;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, "time-limit");
    EXPECT_NE(r.error().message.find("is not a duration like 2h"), std::string::npos) << junk;
  }
}

TEST(ParseDuration, HugeDurationsAreErrorsNotOverflows) {
  for (const char* huge : {"1000000000000", "9999999999999", "99999999999999999999999",
                           "999999999999d", "999999999999h", "999999999999m", "9223372036854775807",
                           "99999999999999999999:00", "1:2:3:4:5:6:7:8", "277777778:00:00"}) {
    const auto r = ParseDuration(huge);
    ASSERT_FALSE(r) << huge;
    EXPECT_EQ(r.error().field, "time-limit");
    EXPECT_NE(r.error().message.find("longer than any job runs"), std::string::npos) << huge;
  }
  EXPECT_EQ(ParseDuration("277777777:46:39").value(), kMaxDurationS);
}

TEST(ParseDay, StartOfTheDayUtc) {
  EXPECT_EQ(ParseDay("1970-01-01", "from").value(), 0);
  EXPECT_EQ(ParseDay("2026-12-31", "from").value(), 1798675200);
  EXPECT_EQ(ParseDay("2024-02-29", "from").value(), 1709164800);
  EXPECT_EQ(ParseDay("2026-1-5", "from").value(), ParseDay("2026-01-05", "from").value());
}

TEST(ParseDay, RejectsJunkNamingTheField) {
  for (const char* junk :
       {"", "2026", "2026-12", "2026-13-01", "2026-02-30", "2025-02-29", "26-12-31", "20261-12-31",
        "2026-12-31x", "2026-12-31T00:00:00Z", "2026/12/31", "9999999999-01-01", "2026-001-01"}) {
    const auto r = ParseDay(junk, "to");
    ASSERT_FALSE(r) << junk;
    EXPECT_EQ(r.error().field, "to");
    EXPECT_NE(r.error().message.find("is not a date like 2026-12-31"), std::string::npos);
  }
}

TEST(ParseUntil, ADayRunsThroughItsEnd) {
  EXPECT_EQ(ParseUntil("2026-12-31").value(), 1798675200 + 86400);
  EXPECT_EQ(ParseUntil("2026-12-31T18:00:00Z").value(), 1798675200 + 18 * 3600);
  EXPECT_EQ(ParseUntil("2026-12-31T00:00:00Z").value(), ParseDay("2026-12-31", "x").value());
}

TEST(ParseUntil, RejectsJunk) {
  for (const char* junk :
       {"", "tomorrow", "2026-12-31T18:00:00", "2026-12-31T24:00:00Z", "2026-12-31T18:60:00Z",
        "2026-12-31T18:00Z", "2026-12-31Z", "2026-12-32", "2026-12-31T18:00:00Zjunk"}) {
    const auto r = ParseUntil(junk);
    ASSERT_FALSE(r) << junk;
    EXPECT_EQ(r.error().field, "until");
  }
}

TEST(ParseAmount, HundredthsWithoutRounding) {
  EXPECT_EQ(ParseAmount("10000").value(), 1000000);
  EXPECT_EQ(ParseAmount("1000.01").value(), 100001);
  EXPECT_EQ(ParseAmount("1000.5").value(), 100050);
  EXPECT_EQ(ParseAmount("10.").value(), 1000);
  EXPECT_EQ(ParseAmount("999999999999999.99").value(), 99999999999999999);
  for (const char* junk : {"", ".5", "1.234", "1,000", "-5", "1e5", "1000000000000000", "abc"}) {
    const auto r = ParseAmount(junk);
    ASSERT_FALSE(r) << junk;
    EXPECT_EQ(r.error().field, "pool");
  }
}

Result<ScriptDirectives> Directives(const std::string& text) {
  std::istringstream in(text);
  return ParseScriptDirectives(in, "train.sh");
}

TEST(ParseScriptDirectives, ReadsFlagsAndIgnoresOtherLines) {
  const auto d = Directives(
      "#!/bin/sh\n"
      "#QIUSUO --project 7 --gpus 2\n"
      "# QIUSUO --gpus 9 (not a directive)\n"
      "#QIUSUO -n warmup -t 2h --env A=1\n"
      "#QIUSUO --env B=2 -g 4\n"
      "python train.py --gpus 8\n");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->project, 7);
  EXPECT_EQ(d->gpus, 4);
  EXPECT_EQ(d->name, "warmup");
  EXPECT_EQ(d->time_limit, "2h");
  EXPECT_EQ(d->env, (std::vector<std::string>{"A=1", "B=2"}));
  const auto none = Directives("echo hi\n");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->project || none->gpus || none->name || none->time_limit);
}

TEST(ParseScriptDirectives, BadValuesAreErrorsNamingTheLine) {
  const struct {
    const char* script;
    const char* message;
  } cases[] = {
      {"#!/bin/sh\n#QIUSUO --gpus two\n", "train.sh:2: '--gpus' takes a whole number, not 'two'"},
      {"#QIUSUO --gpus 99999999999999999999\n", "train.sh:1: '--gpus' takes a whole number"},
      {"#QIUSUO -g -1\n", "train.sh:1: '-g' takes a whole number, not '-1'"},
      {"\n\n#QIUSUO --project x7\n", "train.sh:3: '--project' takes a project id, not 'x7'"},
      {"#QIUSUO --project 99999999999999999999999\n", "train.sh:1: '--project' takes a project"},
      {"#QIUSUO --time-limit forever\n", "train.sh:1: 'forever' is not a duration"},
      {"#QIUSUO -t 9999999999999\n", "train.sh:1: '9999999999999' is longer than any job runs"},
      {"#QIUSUO --name\n", "train.sh:1: '--name' needs a value"},
      {"#QIUSUO --partition gpu\n", "train.sh:1: unknown directive '--partition'"},
      // Every directive, with every kind of bad value.
      {"#QIUSUO -p\n", "train.sh:1: '-p' needs a value"},
      {"#QIUSUO --project -3\n", "train.sh:1: '--project' takes a project id, not '-3'"},
      {"#QIUSUO --project 0\n", "train.sh:1: '--project' takes a project id, not '0'"},
      {"#QIUSUO -p 9223372036854775808\n", "train.sh:1: '-p' takes a project id"},
      {"#QIUSUO -p 1e3\n", "train.sh:1: '-p' takes a project id, not '1e3'"},
      {"#QIUSUO --gpus\n", "train.sh:1: '--gpus' needs a value"},
      {"#QIUSUO --gpus 2.5\n", "train.sh:1: '--gpus' takes a whole number, not '2.5'"},
      {"#QIUSUO --gpus 4294967297\n", "train.sh:1: '--gpus' takes a whole number"},
      {"#QIUSUO -g 0x10\n", "train.sh:1: '-g' takes a whole number, not '0x10'"},
      {"#QIUSUO -g +2\n", "train.sh:1: '-g' takes a whole number, not '+2'"},
      {"#QIUSUO -n\n", "train.sh:1: '-n' needs a value"},
      {"#QIUSUO -t\n", "train.sh:1: '-t' needs a value"},
      {"#QIUSUO -t -5\n", "train.sh:1: '-5' is not a duration"},
      {"#QIUSUO -t 2w\n", "train.sh:1: '2w' is not a duration"},
      {"#QIUSUO -t 1:99999999999999\n", "train.sh:1: '1:99999999999999' is longer than any"},
      {"#QIUSUO -t 99999999999999999999999d\n", "train.sh:1: '99999999999999999999999d' is longer"},
      {"#QIUSUO -t ::\n", "train.sh:1: '::' is not a duration"},
      {"#QIUSUO --env\n", "train.sh:1: '--env' needs a value"},
      {"#QIUSUO --env NOEQUALS\n", "train.sh:1: '--env' takes NAME=VALUE, not 'NOEQUALS'"},
      {"#QIUSUO --env =x\n", "train.sh:1: '--env' takes NAME=VALUE, not '=x'"},
      {"#QIUSUO --gpus 1 --gpus x\n", "train.sh:1: '--gpus' takes a whole number, not 'x'"},
  };
  for (const auto& c : cases) {
    const auto d = Directives(c.script);
    ASSERT_FALSE(d) << c.script;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(d.error().field, kScriptField);
    EXPECT_TRUE(d.error().message.starts_with(c.message)) << d.error().message;
  }
}

TEST(ParseWeight, PerEntryAndOptionallyPerUnit) {
  auto review = ParseWeight("review=2");
  ASSERT_TRUE(review) << review.error().message;
  EXPECT_EQ(review->kind, "review");
  EXPECT_EQ(review->per_entry, 2.0);
  EXPECT_EQ(review->per_unit, 0.0);
  auto gpu = ParseWeight("investigation=1,0.1");
  ASSERT_TRUE(gpu);
  EXPECT_EQ(gpu->per_entry, 1.0);
  EXPECT_EQ(gpu->per_unit, 0.1);
}

TEST(ParseWeight, RejectsJunkNamingTheFlag) {
  for (const char* bad : {"review", "=2", "review=", "review=two", "review=2,", "review=1,x",
                          "review=2 ", "review=inf", "review=1e999"}) {
    auto r = ParseWeight(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "weight");
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

TEST(ParseGift, HandlePointsAndANote) {
  auto plain = ParseGift("bob=60");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->to, "bob");
  EXPECT_EQ(plain->points, 60);
  EXPECT_EQ(plain->note, "");
  auto noted = ParseGift("@lin=40:fixed the NCCL hang: twice");
  ASSERT_TRUE(noted);
  EXPECT_EQ(noted->to, "lin");
  EXPECT_EQ(noted->points, 40);
  EXPECT_EQ(noted->note, "fixed the NCCL hang: twice");
}

TEST(ParseGift, RejectsJunkAndHugeNumbers) {
  for (const char* bad :
       {"bob", "bob=", "=5", "@=5", "bob=sixty", "bob=-5", "bob=1.5", "bob=99999999999999999999"}) {
    auto r = ParseGift(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "points");
  }
}

}  // namespace
}  // namespace qiusuo::cli
