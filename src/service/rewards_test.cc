// Reward rounds, against a real store; the payout formula alone.
#include "service/rewards.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "service/citation.h"
#include "service/test_record.h"

namespace qiusuo {
namespace {

constexpr UnixSeconds kStart = test_support::kRecordStart;

class RewardsTest : public test_support::RecordFixture {};

TEST_F(RewardsTest, ARewardRoundPaysThePoolExactlyAndRecomputesFromAnExport) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(record_->Thank(ada_, {"@eve", "review", p, 0, "", "", "careful review", {}}));
  OpenRoundRequest s{"2026 H2", 1'000'001, "CNY", kStart - 10, kStart + 100, 0.6, {}};
  ExpectCode(rewards_->OpenRound(ada_, s), ErrorCode::kPermissionDenied);
  auto bad = s;
  bad.period_to = bad.period_from;
  ExpectCode(rewards_->OpenRound(steward_, bad), ErrorCode::kInvalidArgument);
  const auto round = rewards_->OpenRound(steward_, s);
  ASSERT_TRUE(round) << round.error().message;
  ExpectCode(rewards_->GivePoints(ada_, round->id, {{"ada", 10, ""}}), ErrorCode::kInvalidArgument);
  ExpectCode(rewards_->GivePoints(ada_, round->id, {{"bob", 60, ""}, {"eve", 41, ""}}),
             ErrorCode::kInvalidArgument);
  ASSERT_TRUE(rewards_->GivePoints(ada_, round->id, {{"bob", 60, "kernel"}, {"eve", 40, ""}}));
  ASSERT_TRUE(rewards_->GivePoints(bob_, round->id, {{"ada", 50, ""}}));  // 50 unspent: dropped
  ExpectCode(rewards_->CloseRound(ada_, round->id), ErrorCode::kPermissionDenied);
  const auto closed = rewards_->CloseRound(steward_, round->id);
  ASSERT_TRUE(closed) << closed.error().message;
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> paid;
  for (const auto& payee : closed->payout) {
    total += payee.amount_minor;
    paid[payee.handle] = payee.amount_minor;
  }
  EXPECT_EQ(total, s.pool_minor) << "largest remainder: the payout is the pool, to the unit";
  // Record (of 4): ada 2 (started the project), bob 1 (task done), eve 1 (review).
  // Points (of 150): ada 50, bob 60, eve 40. Alpha 0.6:
  //   ada .6*2/4 + .4*50/150 = .4333, bob .6/4 + .4*60/150 = .31, eve .15 + .1067 = .2567
  EXPECT_EQ(paid["ada"], 433'334);
  EXPECT_EQ(paid["bob"], 310'000);
  EXPECT_EQ(paid["eve"], 256'667);
  ExpectCode(rewards_->GivePoints(ada_, round->id, {{"bob", 10, ""}}),
             ErrorCode::kFailedPrecondition);
  ExpectCode(rewards_->CloseRound(steward_, round->id), ErrorCode::kFailedPrecondition);
  // From the export alone, the identical payout.
  std::vector<Contribution> entries;
  std::istringstream in(Export());
  ASSERT_TRUE(ledger::VerifyExport(in, record_->public_key(), {}, [&](Contribution&& e) {
                entries.push_back(std::move(e));
              }).ok);
  const auto again = RecomputeRound(entries, round->id);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->payout.size(), closed->payout.size());
  for (std::size_t i = 0; i < again->payout.size(); ++i) {
    EXPECT_EQ(again->payout[i].handle, closed->payout[i].handle);
    EXPECT_EQ(again->payout[i].amount_minor, closed->payout[i].amount_minor);
    EXPECT_EQ(again->recorded[i].amount_minor, closed->payout[i].amount_minor);
  }
  const auto view = rewards_->Round(ada_, round->id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->payout.size(), closed->payout.size());
  EXPECT_NE(PayoutCsv(*view).find("bob," + FormatMinor(paid["bob"]) + ",CNY,1.000,60"),
            std::string::npos)
      << PayoutCsv(*view);
}

TEST_F(RewardsTest, ARoundRequestIsCheckedFieldByField) {
  OpenRoundRequest s{"2026 H2", 100'000, "CNY", kStart, kStart + 100, 0.5, {}};
  auto with = [&](auto change) {
    OpenRoundRequest r = s;
    change(r);
    return rewards_->OpenRound(steward_, r);
  };
  ExpectField(with([](auto& r) { r.alpha = 1.5; }), ErrorCode::kInvalidArgument, "alpha");
  ExpectField(with([](auto& r) { r.alpha = std::nan(""); }), ErrorCode::kInvalidArgument, "alpha");
  ExpectField(with([](auto& r) {
                r.weights["review"] = {-1, 0};
              }),
              ErrorCode::kInvalidArgument, "weights");
  ExpectField(with([](auto& r) {
                r.weights["review"] = {1, 1e300};
              }),
              ErrorCode::kInvalidArgument, "weights");
  ExpectField(with([](auto& r) {
                r.weights["promotion"] = {1, 0};
              }),
              ErrorCode::kInvalidArgument, "weights");
  ExpectField(with([](auto& r) { r.title = ""; }), ErrorCode::kInvalidArgument, "title");
  ExpectField(with([](auto& r) { r.currency = "c"; }), ErrorCode::kInvalidArgument, "currency");
  // Kinds named take the weights given, in thousandths; the others keep their defaults.
  const auto round = with([](auto& r) { r.weights["review"] = {3, 0.25}; });
  ASSERT_TRUE(round) << round.error().message;
  EXPECT_EQ(round->settings.alpha_milli, 500);
  EXPECT_EQ(round->settings.weights.at("review").per_entry_milli, 3000);
  EXPECT_EQ(round->settings.weights.at("review").per_unit_milli, 250);
  const RewardWeights defaults = DefaultRewardWeights();
  EXPECT_EQ(round->settings.weights.size(), defaults.size());
  EXPECT_EQ(round->settings.weights.at("software").per_entry_milli,
            defaults.at("software").per_entry_milli);
  // Points: whole, positive, to others, each person once, notes of a sane length.
  ExpectField(rewards_->GivePoints(ada_, round->id, {{"bob", 0, ""}}), ErrorCode::kInvalidArgument,
              "points");
  constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max() / 2 + 1;
  ExpectField(rewards_->GivePoints(ada_, round->id, {{"bob", kHuge, ""}, {"eve", kHuge, ""}}),
              ErrorCode::kInvalidArgument, "points");
  ExpectField(rewards_->GivePoints(ada_, round->id, {{"bob", 10, ""}, {"bob", 10, ""}}),
              ErrorCode::kInvalidArgument, "points");
  ExpectField(rewards_->GivePoints(ada_, round->id, {{"bob", 10, std::string(1001, 'x')}}),
              ErrorCode::kInvalidArgument, "note");
  ExpectCode(rewards_->GivePoints(ada_, round->id, {{"nobody", 10, ""}}), ErrorCode::kNotFound);
  ExpectCode(rewards_->GivePoints(ada_, 999, {{"bob", 10, ""}}), ErrorCode::kNotFound);
  ASSERT_TRUE(rewards_->GivePoints(ada_, round->id, {{"bob", 30, "kernel"}}));
  const auto view = rewards_->Round(eve_, round->id);
  ASSERT_TRUE(view) << view.error().message;
  ASSERT_EQ(view->points.size(), 1u);
  EXPECT_EQ(view->points[0].giver, "ada");
  EXPECT_EQ(view->points[0].receiver, "bob");
  EXPECT_EQ(view->points[0].points, 30);
  EXPECT_EQ(view->points[0].note, "kernel");
}

TEST(RewardMath, LargestRemainderIsExactAndTiesGoByHandle) {
  RewardSettings s{"t", 100, "CNY", 0, 10, 1000, {}};
  const auto payout = ComputePayout(s, {{"a", 1000}, {"b", 1000}, {"c", 1000}}, {});
  ASSERT_EQ(payout.size(), 3u);
  EXPECT_EQ(payout[0].amount_minor, 34);
  EXPECT_EQ(payout[1].amount_minor, 33);
  EXPECT_EQ(payout[2].amount_minor, 33);
  // Half record, half points: a has all the record, b all the points.
  s.alpha_milli = 500;
  s.pool_minor = 1001;
  const auto blend = ComputePayout(s, {{"a", 5000}}, {{"c", "b", 100}});
  std::int64_t sum = 0;
  for (const auto& p : blend) sum += p.amount_minor;
  EXPECT_EQ(sum, 1001);
  EXPECT_EQ(blend[0].amount_minor, 501);  // a: 500.5 -> the one unit left goes to "a" first
  EXPECT_EQ(blend[1].amount_minor, 500);
  EXPECT_EQ(blend.size(), 2u) << "c gave points but has no record and received none";
  // Points to oneself count for nothing.
  EXPECT_TRUE(ComputePayout(s, {}, {{"a", "a", 100}}).empty());
}
}  // namespace
}  // namespace qiusuo
