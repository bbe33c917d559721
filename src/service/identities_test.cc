// Proving an email and importing commits, against a real store.
#include "service/identities.h"

#include <gtest/gtest.h>

#include <limits>

#include "crypto/crypto.h"
#include "service/test_record.h"

namespace qiusuo {
namespace {

constexpr UnixSeconds kStart = test_support::kRecordStart;

class IdentitiesTest : public test_support::RecordFixture {
 protected:
  // Identities that mail into `mail_` (the last mail) and count the mails sent.
  void WithMail() {
    identities_ = std::make_unique<Identities>(
        *store_, clock_,
        [this](const std::string& to, const std::string&, const std::string& body) -> Status {
          mail_ = "To: " + to + "\n" + body;
          ++mails_;
          return {};
        });
  }

  // The code in a claim mail: the last word of its "qiusuo identity confirm" line.
  static std::string CodeIn(const std::string& mail) {
    const auto line = mail.find("identity confirm ");
    if (line == std::string::npos) return "";
    const auto end = mail.find('\n', line);
    const auto space = mail.rfind(' ', end);
    return mail.substr(space + 1, end - space - 1);
  }

  // `who` proves `email` with the code mailed to it.
  void Prove(const Caller& who, const std::string& email) {
    ASSERT_TRUE(identities_->Claim(who, email));
    const auto merged = identities_->Confirm(who, email, CodeIn(mail_));
    ASSERT_TRUE(merged) << merged.error().message;
  }

  std::string mail_;
  int mails_ = 0;
};

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
  const std::string code = CodeIn(mail);
  ASSERT_FALSE(code.empty()) << mail;
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

// Issue 14 changed this: an address typed on a profile used to credit its commits to
// the member; now only an address the member proved does (a code mailed to it).
TEST_F(IdentitiesTest, ACommitByAMembersProvenEmailIsTheirs) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(lab_->UpdateProfile(bob_, {"bob Name", {"bob@example.org"}, {}, {}}));
  WithMail();
  Prove(bob_, "bob@example.org");
  const auto imported = identities_->ImportCommits(
      ada_, p, {{std::string(40, 'c'), "Bob", "Bob@Example.org", kStart, 7, "the kernel"}});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->members, 1);
  const auto entries = All();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().contributor, "@bob");
  EXPECT_EQ(entries.back().actor, "ada") << "who imported (claimed) it stays visible";
  EXPECT_EQ(entries.back().kind, "software");
  EXPECT_EQ(entries.back().quantity_milli, 7000);
  EXPECT_FALSE(entries.back().self) << "ada imported bob's commit";
  // A thank of an address bob proved is bob's own: self-recorded, not his to confirm.
  const auto own =
      record_->Thank(bob_, {"email:bob@example.org", "review", p, 0, "", "", "mine", {}});
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_TRUE(own->self);
  ExpectCode(record_->Confirm(bob_, own->seq, ""), ErrorCode::kPermissionDenied);
}

// The attack: eve typed an outsider's address on her profile and imported his
// commits to take their credit. An unproven address credits nobody.
TEST_F(IdentitiesTest, AnAddressTypedOnAProfileTakesNoCredit) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(lab_->ActOnMembership(eve_, p, MembershipAct::kApply, "", "hi"));
  ASSERT_TRUE(lab_->ActOnMembership(ada_, p, MembershipAct::kAccept, "eve", ""));
  ASSERT_TRUE(lab_->UpdateProfile(eve_, {"eve Name", {"linus@example.org"}, {}, {}}));
  const auto imported = identities_->ImportCommits(
      eve_, p, {{std::string(40, 'd'), "Linus", "linus@example.org", kStart, 900, "the fs"}});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->members, 0);
  const auto entries = All();
  EXPECT_EQ(entries.back().contributor, "email:linus@example.org");
  EXPECT_EQ(entries.back().actor, "eve");
  const auto weights =
      RecordWeights(All(), {"t", 1, "CNY", 0, kStart + 1000, 1000, DefaultRewardWeights()});
  EXPECT_FALSE(weights.contains("eve")) << "nothing of linus's is eve's";
  // A thank naming a commit does not keep its author's import out.
  ASSERT_TRUE(record_->Thank(
      eve_, {"@eve", "software", p, 0, "", "commit:" + std::string(40, 'e'), "mine", {}}));
  const auto again = identities_->ImportCommits(
      ada_, p, {{std::string(40, 'e'), "Lin", "lin@example.org", kStart, 3, "the fix"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recorded, 1);
}

// Every field of an import is checked; the INT64_MAX line count that was once stored as
// -1 is refused by name.
TEST_F(IdentitiesTest, ImportedCommitsAreCheckedFieldByField) {
  const ProjectId p = BuildAProject();
  const std::string sha(40, 'a');
  auto import = [&](CommitRecord c) { return identities_->ImportCommits(bob_, p, {c}); };
  const CommitRecord good{sha, "Lin", "lin@example.org", kStart - 100, 10, "x"};
  auto with = [&](auto change) {
    CommitRecord c = good;
    change(c);
    return c;
  };
  ExpectField(
      import(with([](CommitRecord& c) { c.lines = std::numeric_limits<std::int64_t>::max(); })),
      ErrorCode::kInvalidArgument, "lines");
  ExpectField(import(with([](CommitRecord& c) { c.lines = kMaxLinesPerCommit + 1; })),
              ErrorCode::kInvalidArgument, "lines");
  ExpectField(import(with([](CommitRecord& c) { c.sha = std::string(40, 'A'); })),
              ErrorCode::kInvalidArgument, "sha");
  ExpectField(import(with([](CommitRecord& c) { c.sha = std::string(41, 'a'); })),
              ErrorCode::kInvalidArgument, "sha");
  ExpectField(import(with([](CommitRecord& c) { c.sha = std::string(39, 'a') + "g"; })),
              ErrorCode::kInvalidArgument, "sha");
  ExpectField(import(with([](CommitRecord& c) { c.at = -1; })), ErrorCode::kInvalidArgument, "at");
  ExpectField(import(with([&](CommitRecord& c) { c.at = kStart + 2 * kCommitClockSkew; })),
              ErrorCode::kInvalidArgument, "at");
  ExpectField(import(with([](CommitRecord& c) { c.author_email = "not an address"; })),
              ErrorCode::kInvalidArgument, "author_email");
  ExpectField(import(with([](CommitRecord& c) { c.author_name = std::string(300, 'n'); })),
              ErrorCode::kInvalidArgument, "author_name");
  ExpectField(identities_->ImportCommits(bob_, p,
                                         std::vector<CommitRecord>(kMaxCommitsPerImport + 1, good)),
              ErrorCode::kInvalidArgument, "commits");
  const auto before = All().size();
  ASSERT_TRUE(import(with([](CommitRecord& c) { c.sha = std::string(64, 'f'); })))
      << "a SHA-256 repository's ids are 64 hex digits";
  ASSERT_TRUE(import(with([&](CommitRecord& c) { c.at = kStart + 60; })))
      << "a clock a minute ahead is fine";
  EXPECT_EQ(All().size(), before + 2);
}

// Codes are long, kept only as a hash, die after a few wrong tries and expire; claim
// mails are rated per member and per address.
TEST_F(IdentitiesTest, CodesAreLongHashedLimitedAndExpire) {
  WithMail();
  ASSERT_TRUE(identities_->Claim(ada_, "ada@example.org"));
  const std::string code = CodeIn(mail_);
  std::string bare;
  for (char ch : code)
    if (ch != '-') bare += ch;
  EXPECT_GE(bare.size() * 5, 128u) << code << ": at least 128 bits";
  const auto claim =
      Read(*store_, [&](Tx& tx) { return tx.FindIdentityClaim("ada@example.org", ada_.id); });
  ASSERT_TRUE(claim && *claim);
  EXPECT_EQ((*claim)->code_hash, crypto::Sha256Hex(bare)) << "the store keeps only a hash";
  EXPECT_EQ((*claim)->code_hash.find(bare), std::string::npos);
  // Five wrong tries kill the code: the right one is refused after them.
  for (int attempt_idx = 0; attempt_idx < kAttemptsPerCode; ++attempt_idx)
    ExpectCode(identities_->Confirm(ada_, "ada@example.org", "0000"), ErrorCode::kPermissionDenied);
  ExpectCode(identities_->Confirm(ada_, "ada@example.org", code), ErrorCode::kPermissionDenied);
  // A new code works, typed in capitals and without its dashes.
  ASSERT_TRUE(identities_->Claim(ada_, "ada@example.org"));
  std::string typed;
  for (char ch : CodeIn(mail_))
    if (ch != '-') typed += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ASSERT_TRUE(identities_->Confirm(ada_, "ada@example.org", typed));
  // An expired code proves nothing.
  ASSERT_TRUE(identities_->Claim(bob_, "bob@example.org"));
  clock_.Advance(kClaimLifetime + 1);
  ExpectCode(identities_->Confirm(bob_, "bob@example.org", CodeIn(mail_)),
             ErrorCode::kPermissionDenied);
  // Per member: kMailsPerMember codes a day, to any addresses.
  const int sent = mails_;
  for (int mail_idx = 0; mail_idx < kMailsPerMember; ++mail_idx)
    ASSERT_TRUE(identities_->Claim(eve_, "x" + std::to_string(mail_idx) + "@example.org"));
  ExpectCode(identities_->Claim(eve_, "y@example.org"), ErrorCode::kResourceExhausted);
  ExpectCode(identities_->Claim(eve_, "x0@example.org"), ErrorCode::kResourceExhausted);
  EXPECT_EQ(mails_, sent + kMailsPerMember) << "a refused claim sends no mail";
  // Per address: kMailsPerAddress codes a day, whoever asks.
  const Caller lin = Join("lin"), kim = Join("kim"), max = Join("max");
  ASSERT_TRUE(identities_->Claim(lin, "target@example.org"));
  ASSERT_TRUE(identities_->Claim(kim, "target@example.org"));
  ASSERT_TRUE(identities_->Claim(max, "target@example.org"));
  ExpectCode(identities_->Claim(bob_, "target@example.org"), ErrorCode::kResourceExhausted);
  // A day later, both rates allow again.
  clock_.Advance(kMailWindow + 1);
  ASSERT_TRUE(identities_->Claim(eve_, "y@example.org"));
  ASSERT_TRUE(identities_->Claim(bob_, "target@example.org"));
}

}  // namespace
}  // namespace qiusuo
