// Proving an email and importing commits, against a real store.
#include "service/identities.h"

#include <gtest/gtest.h>

#include "service/test_record.h"

namespace qiusuo {
namespace {

constexpr UnixSeconds kStart = test_support::kRecordStart;

class IdentitiesTest : public test_support::RecordFixture {};

// History imported before lin joined is hers once she proves the address: the
// entries keep their contributor; her record, author lists and rewards count them.
TEST_F(IdentitiesTest, AProvenIdentityMergesIntoTheMemberAndTheMergeIsOnTheRecord) {
  const ProjectId p = BuildAProject();
  const std::string sha(40, 'a');
  auto imported = identities_->ImportCommits(
      bob_, p, {{sha, "Lin", "Lin@Example.org", kStart, 120, "the data loader"}});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->recorded, 1);
  EXPECT_EQ(imported->members, 0);
  EXPECT_EQ(identities_->ImportCommits(bob_, p, {{sha, "Lin", "lin@example.org", kStart, 120, "x"}})
                ->skipped,
            1);
  ExpectCode(identities_->ImportCommits(eve_, p, {}), ErrorCode::kPermissionDenied);
  std::string mail;
  identities_ = std::make_unique<Identities>(
      *store_, clock_,
      [&](const std::string& to, const std::string&, const std::string& body) -> Status {
        mail = "To: " + to + "\n" + body;
        return {};
      });
  const Caller lin = Join("lin");
  ASSERT_TRUE(identities_->Claim(lin, "lin@example.org"));
  const auto at = mail.find("confirm lin@example.org ");
  ASSERT_NE(at, std::string::npos) << mail;
  const std::string code = mail.substr(at + 24, 8);
  ExpectCode(identities_->Confirm(eve_, "lin@example.org", code), ErrorCode::kPermissionDenied);
  const auto merged = identities_->Confirm(lin, "lin@example.org", code);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->kind, "identity-merge");
  EXPECT_EQ(merged->evidence, "email:lin@example.org");
  const auto profile = record_->Profile(lin, "lin");
  ASSERT_TRUE(profile);
  ASSERT_EQ(profile->timeline.size(), 2u);
  EXPECT_EQ(profile->timeline[0].contributor, "email:lin@example.org") << "entries keep theirs";
  const auto authors = record_->Authors(lin, p, 0, kStart + 1000);
  ASSERT_TRUE(authors);
  bool lin_listed = false;
  for (const auto& a : *authors) lin_listed |= a.contributor == "@lin";
  EXPECT_TRUE(lin_listed);
  const auto weights =
      RecordWeights(All(), {"t", 1, "CNY", 0, kStart + 1000, 1000, DefaultRewardWeights()});
  EXPECT_EQ(weights.at("lin"), 1000);  // one software entry
  ExpectCode(identities_->Claim(bob_, "lin@example.org"), ErrorCode::kFailedPrecondition);
}
TEST_F(IdentitiesTest, ClaimsNeedMailAndBadInputNamesItsField) {
  ExpectCode(identities_->Claim(ada_, "ada@example.org"), ErrorCode::kUnavailable);
  ExpectField(identities_->Claim(ada_, "not an email"), ErrorCode::kInvalidArgument, "email");
  ExpectField(identities_->Confirm(ada_, "@example.org", "00000000"), ErrorCode::kInvalidArgument,
              "email");
  ExpectCode(identities_->Confirm(ada_, "ada@example.org", "00000000"),
             ErrorCode::kPermissionDenied);
  const ProjectId p = BuildAProject();
  ExpectField(identities_->ImportCommits(bob_, p, {{"abc", "Lin", "lin@example.org", 1, 1, "x"}}),
              ErrorCode::kInvalidArgument, "sha");
  ExpectField(identities_->ImportCommits(
                  bob_, p, {{std::string(40, 'b'), "Lin", "lin@example.org", 1, -1, "x"}}),
              ErrorCode::kInvalidArgument, "lines");
  ExpectCode(identities_->ImportCommits(bob_, ProjectId(999), {}), ErrorCode::kNotFound);
}

TEST_F(IdentitiesTest, ACommitByAMembersEmailIsTheirs) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(lab_->UpdateProfile(bob_, {"bob Name", {"bob@example.org"}, {}, {}}));
  const auto imported = identities_->ImportCommits(
      ada_, p, {{std::string(40, 'c'), "Bob", "Bob@Example.org", kStart, 7, "the kernel"}});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->members, 1);
  const auto entries = All();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().contributor, "@bob");
  EXPECT_EQ(entries.back().kind, "software");
  EXPECT_EQ(entries.back().quantity_milli, 7000);
  EXPECT_FALSE(entries.back().self) << "ada imported bob's commit";
}

}  // namespace
}  // namespace qiusuo
