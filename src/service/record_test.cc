// The ledger as the lab uses it, against a real SQLite database.
#include "service/record.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <numeric>
#include <sstream>

#include "common/temp_dir.h"
#include "service/test_lab.h"
#include "store/postgres/test_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {
namespace {

constexpr const char* kPassword = test_support::kLabPassword;
constexpr UnixSeconds kStart = 1'790'000'000;

class RecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = test_support::OpenTestLab(dir_, clock_);
    ASSERT_TRUE(lab) << lab.error().message;
    store_ = std::move(lab->store);
    lab_ = std::move(lab->lab);
    steward_ = lab->steward;
    ada_ = Join("ada");
    bob_ = Join("bob");
    eve_ = Join("eve");
    ledger_ = std::make_unique<Ledger>(*store_, clock_, crypto::NewSigningKey());
  }

  Caller Join(const std::string& handle) {
    return test_support::JoinLab(*lab_, handle, handle + " Name");
  }

  std::vector<Contribution> All() {
    auto e = ledger_->Entries(ada_, {0, 1000, "", std::nullopt, ""});
    EXPECT_TRUE(e) << e.error().message;
    return *e;
  }

  std::string Export() {
    std::string out;
    EXPECT_TRUE(ledger_->Export([&](std::string_view line) {
      out += line;
      out += '\n';
    }));
    return out;
  }

  ledger::VerifyReport Verify(const std::string& text) {
    std::istringstream in(text);
    return ledger::VerifyExport(in, ledger_->public_key());
  }

  // Ada starts a project; bob applies and ada accepts; bob claims and does a task.
  ProjectId BuildAProject() {
    const ProjectId p =
        lab_->StartProject(ada_, {"Sparse attention", "", std::nullopt, {}})->project.id;
    EXPECT_TRUE(lab_->ActOnMembership(bob_, p, MembershipAct::kApply, "", "I write kernels"));
    EXPECT_TRUE(lab_->ActOnMembership(ada_, p, MembershipAct::kAccept, "bob", ""));
    const TaskId t = lab_->AddTask(ada_, p, "Write the kernel", "")->id;
    EXPECT_TRUE(lab_->ActOnTask(bob_, t, TaskAct::kClaim));
    EXPECT_TRUE(lab_->ActOnTask(bob_, t, TaskAct::kDone));
    return p;
  }

  static void ExpectCode(const auto& result, ErrorCode code) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Ledger> ledger_;
  Caller steward_, ada_, bob_, eve_;
};

TEST_F(RecordTest, EveryActLandsInTheLedgerWithItsEvidence) {
  const IdeaId idea = lab_->PostIdea(eve_, "Sparse attention for 128k", "pitch")->id;
  ASSERT_TRUE(lab_->BackIdea(ada_, idea, true));
  ASSERT_TRUE(lab_->BackIdea(ada_, idea, true));  // backing twice records once
  const ProjectId p = BuildAProject();
  std::vector<std::string> got;
  for (const auto& e : All()) got.push_back(e.contributor + " " + e.kind + " " + e.evidence);
  const std::string pid = std::to_string(p.value);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "@eve conceptualization idea:" + std::to_string(idea.value),
                     "@ada backing idea:" + std::to_string(idea.value),
                     "@ada project-administration project:" + pid,
                     "@bob joined project:" + pid,
                     "@bob task-claimed task:1",
                     "@bob investigation task:1",
                 }));
  const auto entries = All();
  EXPECT_EQ(entries[3].actor, "ada") << "ada accepted; bob's own application made it possible";
  EXPECT_EQ(entries[0].prev, "");
  EXPECT_EQ(entries[1].prev, ledger::Hex(ledger::LeafHash(ledger::Encode(entries[0]))));
  EXPECT_TRUE(Verify(Export()).ok);
}

TEST_F(RecordTest, ThanksNameARealPersonAndAKindAndMarkSelfRecords) {
  auto thanks = ledger_->Thank(ada_, {"@bob", "review", std::nullopt, 0, "", "url:https://x/pr/1",
                                      "reviewed the kernel", std::nullopt});
  ASSERT_TRUE(thanks) << thanks.error().message;
  EXPECT_FALSE(thanks->self);
  EXPECT_EQ(thanks->actor, "ada");
  auto own = ledger_->Thank(
      ada_, {"@ada", "infra", std::nullopt, 6000, "hours", "", "racked GPUs", std::nullopt});
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->self);
  EXPECT_EQ(own->quantity_milli, 6000);
  auto outside = ledger_->Thank(
      ada_, {"email:lin@example.org", "debugging", std::nullopt, 0, "", "", "found the hang", {}});
  EXPECT_TRUE(outside);
  ExpectCode(ledger_->Thank(ada_, {"@nobody", "review", {}, 0, "", "", "x", {}}),
             ErrorCode::kNotFound);
  ExpectCode(ledger_->Thank(ada_, {"@bob", "promotion", {}, 0, "", "", "x", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(ledger_->Thank(ada_, {"bob", "review", {}, 0, "", "", "x", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(ledger_->Thank(ada_, {"@bob", "review", {}, 0, "", "", "", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(ledger_->Thank(ada_, {"@bob", "review", {}, 0, "", "", "x", 99}),
             ErrorCode::kNotFound);
}

TEST_F(RecordTest, ProfilesDropNothingAndShowCorrections) {
  auto wrong = ledger_->Thank(
      ada_, {"@bob", "infra", std::nullopt, 60'000, "hours", "", "60 h?", std::nullopt});
  clock_.Advance(10);
  auto fixed = ledger_->Thank(
      ada_, {"@bob", "infra", std::nullopt, 6'000, "hours", "", "6 h, not 60", wrong->seq});
  ASSERT_TRUE(fixed) << fixed.error().message;
  auto profile = ledger_->Profile(ada_, "bob");
  ASSERT_TRUE(profile);
  ASSERT_EQ(profile->timeline.size(), 2u) << "both stay on the record";
  EXPECT_EQ(profile->corrected, std::vector<std::int64_t>{wrong->seq});
  ASSERT_EQ(profile->by_kind.size(), 1u);
  EXPECT_EQ(profile->by_kind[0].entries, 1);
  EXPECT_EQ(profile->by_kind[0].quantity_milli, 6'000);
  ExpectCode(ledger_->Profile(ada_, "nobody"), ErrorCode::kNotFound);
}

TEST_F(RecordTest, CheckpointsAreSignedAndProofsVerify) {
  BuildAProject();
  const auto first = ledger_->Checkpoint();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->tree_size, 4);  // started, joined, claimed, done
  EXPECT_TRUE(ledger::VerifyCheckpoint(*first, ledger_->public_key()));
  ASSERT_TRUE(lab_->PostIdea(eve_, "Another idea", ""));
  ASSERT_TRUE(ledger_->Thank(ada_, {"@eve", "mentoring", {}, 0, "", "", "taught CUDA", {}}));
  const auto second = ledger_->Checkpoint();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->tree_size, 6);
  EXPECT_EQ(ledger_->Checkpoint()->at, second->at) << "no new entries, no new checkpoint";
  for (std::int64_t seq = 1; seq <= 6; ++seq) {
    const auto proof = ledger_->InclusionProof(seq, 6);
    ASSERT_TRUE(proof);
    EXPECT_TRUE(ledger::VerifyInclusion(static_cast<std::size_t>(seq - 1), 6,
                                        *ledger_->LeafHashOf(seq), *proof, second->root))
        << seq;
  }
  const auto consistency = ledger_->ConsistencyProof(4, 6);
  ASSERT_TRUE(consistency);
  EXPECT_TRUE(ledger::VerifyConsistency(4, 6, *consistency, first->root, second->root));
  ExpectCode(ledger_->InclusionProof(7, 6), ErrorCode::kInvalidArgument);
}

// Someone with the database file drops the trigger and rewrites entry 3: the export
// carries the entry's stored hash, which its new bytes no longer match.
TEST_F(RecordTest, AnEntryRewrittenBehindTheLedgersBackIsNamed) {
  BuildAProject();
  ASSERT_TRUE(Verify(Export()).ok);
  const std::string rewrite =
      "UPDATE ledger SET entry = replace(entry, '\"@bob\"', '\"@eve\"') WHERE seq = 3";
  const auto tampered = test_support::TamperBehindTheStore(
      dir_, *store_, "DROP TRIGGER ledger_no_update; " + rewrite,
      "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update; " + rewrite);
  ASSERT_TRUE(tampered) << tampered.error().message;
  ledger_ = std::make_unique<Ledger>(*store_, clock_, crypto::NewSigningKey());
  const auto report = Verify(Export());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_seq, 3) << report.message;
}

TEST_F(RecordTest, AuthorListsComeFromTheRecordWithCreditRoles) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(ledger_->Thank(ada_, {"@bob", "software", p, 0, "", "commit:abc", "the kernel", {}}));
  ASSERT_TRUE(ledger_->Thank(ada_, {"@bob", "software", p, 0, "", "commit:def", "its tests", {}}));
  ASSERT_TRUE(
      ledger_->Thank(bob_, {"email:lin@example.org", "review", p, 0, "", "", "review", {}}));
  const auto authors = ledger_->Authors(ada_, p, 0, kStart + 1000);
  ASSERT_TRUE(authors) << authors.error().message;
  ASSERT_EQ(authors->size(), 3u);
  EXPECT_EQ((*authors)[0].contributor, "@bob");  // task done (1) + software (1 + 1)
  EXPECT_EQ((*authors)[0].name, "bob Name");
  EXPECT_EQ((*authors)[0].roles, (std::vector<std::string>{"Software", "Investigation"}));
  EXPECT_EQ((*authors)[1].contributor, "@ada");
  EXPECT_EQ((*authors)[1].roles, std::vector<std::string>{"Project administration"});
  EXPECT_EQ((*authors)[2].name, "lin@example.org");
  const std::string cff = CitationCff("Sparse attention", *authors, kStart);
  EXPECT_NE(cff.find("cff-version: 1.2.0"), std::string::npos);
  EXPECT_NE(cff.find("  - name: \"bob Name\"\n    alias: \"bob\""), std::string::npos) << cff;
  const std::string bib = BibTeX(p.value, "Sparse attention", *authors, kStart);
  EXPECT_NE(bib.find("author = {bob Name and ada Name and lin@example.org}"), std::string::npos)
      << bib;
  EXPECT_TRUE(ledger_->Authors(ada_, p, kStart + 1000, kStart + 2000)->empty());
}

TEST_F(RecordTest, ARewardRoundPaysThePoolExactlyAndRecomputesFromAnExport) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(ledger_->Thank(ada_, {"@eve", "review", p, 0, "", "", "careful review", {}}));
  RewardSettings s{"2026 H2", 1'000'001, "CNY", kStart - 10, kStart + 100, 600, {}};
  ExpectCode(ledger_->OpenRound(ada_, s), ErrorCode::kPermissionDenied);
  auto bad = s;
  bad.period_to = bad.period_from;
  ExpectCode(ledger_->OpenRound(steward_, bad), ErrorCode::kInvalidArgument);
  const auto round = ledger_->OpenRound(steward_, s);
  ASSERT_TRUE(round) << round.error().message;
  ExpectCode(ledger_->GivePoints(ada_, round->id, {{"ada", 10, ""}}), ErrorCode::kInvalidArgument);
  ExpectCode(ledger_->GivePoints(ada_, round->id, {{"bob", 60, ""}, {"eve", 41, ""}}),
             ErrorCode::kInvalidArgument);
  ASSERT_TRUE(ledger_->GivePoints(ada_, round->id, {{"bob", 60, "kernel"}, {"eve", 40, ""}}));
  ASSERT_TRUE(ledger_->GivePoints(bob_, round->id, {{"ada", 50, ""}}));  // 50 unspent: dropped
  ExpectCode(ledger_->CloseRound(ada_, round->id), ErrorCode::kPermissionDenied);
  const auto closed = ledger_->CloseRound(steward_, round->id);
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
  ExpectCode(ledger_->GivePoints(ada_, round->id, {{"bob", 10, ""}}),
             ErrorCode::kFailedPrecondition);
  ExpectCode(ledger_->CloseRound(steward_, round->id), ErrorCode::kFailedPrecondition);
  // From the export alone, the identical payout.
  std::vector<Contribution> entries;
  std::istringstream in(Export());
  ASSERT_TRUE(ledger::VerifyExport(in, ledger_->public_key(), {}, [&](Contribution&& e) {
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
  const auto view = ledger_->Round(ada_, round->id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->payout.size(), closed->payout.size());
  EXPECT_NE(PayoutCsv(*view).find("bob," + FormatMinor(paid["bob"]) + ",CNY,1.000,60"),
            std::string::npos)
      << PayoutCsv(*view);
}

// History imported before lin joined is hers once she proves the address: the
// entries keep their contributor; her record, author lists and rewards count them.
TEST_F(RecordTest, AProvenIdentityMergesIntoTheMemberAndTheMergeIsOnTheRecord) {
  const ProjectId p = BuildAProject();
  const std::string sha(40, 'a');
  auto imported = ledger_->ImportCommits(
      bob_, p, {{sha, "Lin", "Lin@Example.org", kStart, 120, "the data loader"}});
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(imported->recorded, 1);
  EXPECT_EQ(imported->members, 0);
  EXPECT_EQ(
      ledger_->ImportCommits(bob_, p, {{sha, "Lin", "lin@example.org", kStart, 120, "x"}})->skipped,
      1);
  ExpectCode(ledger_->ImportCommits(eve_, p, {}), ErrorCode::kPermissionDenied);
  std::string mail;
  ledger_ = std::make_unique<Ledger>(
      *store_, clock_, crypto::NewSigningKey(),
      [&](const std::string& to, const std::string&, const std::string& body) -> Status {
        mail = "To: " + to + "\n" + body;
        return {};
      });
  const Caller lin = Join("lin");
  ASSERT_TRUE(ledger_->ClaimIdentity(lin, "lin@example.org"));
  const auto at = mail.find("confirm lin@example.org ");
  ASSERT_NE(at, std::string::npos) << mail;
  const std::string code = mail.substr(at + 24, 8);
  ExpectCode(ledger_->ConfirmIdentity(eve_, "lin@example.org", code), ErrorCode::kPermissionDenied);
  const auto merged = ledger_->ConfirmIdentity(lin, "lin@example.org", code);
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ(merged->kind, "identity-merge");
  EXPECT_EQ(merged->evidence, "email:lin@example.org");
  const auto profile = ledger_->Profile(lin, "lin");
  ASSERT_TRUE(profile);
  ASSERT_EQ(profile->timeline.size(), 2u);
  EXPECT_EQ(profile->timeline[0].contributor, "email:lin@example.org") << "entries keep theirs";
  const auto authors = ledger_->Authors(lin, p, 0, kStart + 1000);
  ASSERT_TRUE(authors);
  bool lin_listed = false;
  for (const auto& a : *authors) lin_listed |= a.contributor == "@lin";
  EXPECT_TRUE(lin_listed);
  const auto weights =
      RecordWeights(All(), {"t", 1, "CNY", 0, kStart + 1000, 1000, DefaultRewardWeights()});
  EXPECT_EQ(weights.at("lin"), 1000);  // one software entry
  ExpectCode(ledger_->ClaimIdentity(bob_, "lin@example.org"), ErrorCode::kFailedPrecondition);
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
