// The record (entries, checkpoints, proofs, profiles, authors), against a real store.
#include "service/record.h"

#include <gtest/gtest.h>

#include "service/citation.h"
#include "service/test_record.h"

namespace qiusuo {
namespace {

constexpr UnixSeconds kStart = test_support::kRecordStart;

class RecordTest : public test_support::RecordFixture {};

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
  auto thanks = record_->Thank(ada_, {"@bob", "review", std::nullopt, 0, "", "url:https://x/pr/1",
                                      "reviewed the kernel", std::nullopt});
  ASSERT_TRUE(thanks) << thanks.error().message;
  EXPECT_FALSE(thanks->self);
  EXPECT_EQ(thanks->actor, "ada");
  auto own = record_->Thank(
      ada_, {"@ada", "infra", std::nullopt, 6000, "hours", "", "racked GPUs", std::nullopt});
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->self);
  EXPECT_EQ(own->quantity_milli, 6000);
  auto outside = record_->Thank(
      ada_, {"email:lin@example.org", "debugging", std::nullopt, 0, "", "", "found the hang", {}});
  EXPECT_TRUE(outside);
  ExpectCode(record_->Thank(ada_, {"@nobody", "review", {}, 0, "", "", "x", {}}),
             ErrorCode::kNotFound);
  ExpectCode(record_->Thank(ada_, {"@bob", "promotion", {}, 0, "", "", "x", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(record_->Thank(ada_, {"bob", "review", {}, 0, "", "", "x", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(record_->Thank(ada_, {"@bob", "review", {}, 0, "", "", "", {}}),
             ErrorCode::kInvalidArgument);
  ExpectCode(record_->Thank(ada_, {"@bob", "review", {}, 0, "", "", "x", 99}),
             ErrorCode::kNotFound);
}

// The forgeries of issue 14: a member posted entries of the lab's own kinds (an
// identity-merge crediting someone else's commits, reward and peer-points entries in a
// closed round, a `joined` for another member). Only the lab's acts write those.
TEST_F(RecordTest, EntriesOfTheLabsOwnKindsAreNeverPosted) {
  const ProjectId p = BuildAProject();
  const auto before = All().size();
  for (const auto& kind : ContributionKinds()) {
    if (MemberMayRecord(kind.name)) continue;
    const std::string name(kind.name);
    const auto forged = record_->Thank(eve_, {"@eve", name, p, 0, "", "", "forged", {}});
    ExpectField(forged, ErrorCode::kInvalidArgument, "kind");
    if (!forged) {
      EXPECT_NE(forged.error().message.find("'" + name + "'"), std::string::npos);
      EXPECT_NE(forged.error().message.find("review"), std::string::npos)
          << "the refusal lists the kinds a member records: " << forged.error().message;
    }
  }
  ExpectField(
      record_->Thank(
          eve_, {"@eve", "identity-merge", {}, 0, "", "email:lin@example.org", "mine now", {}}),
      ErrorCode::kInvalidArgument, "kind");
  ExpectField(record_->Thank(eve_, {"@bob", "joined", p, 0, "", "", "by their own accept", {}}),
              ErrorCode::kInvalidArgument, "kind");
  ExpectField(
      record_->Thank(eve_,
                     {"@eve", "reward", {}, 500'000, "minor units of CNY", "round:1", "paid", {}}),
      ErrorCode::kInvalidArgument, "kind");
  EXPECT_EQ(All().size(), before) << "nothing forged landed";
  // The kinds a member records are the table's CRediT and all-contributors kinds.
  for (const auto& kind : ContributionKinds())
    EXPECT_EQ(MemberMayRecord(kind.name), kind.source != "lab") << kind.name;
}

// What other parts of the lab trust in a posted entry is checked: references name
// things that exist, the lab's own references are not typed, quantities are bounded,
// and an entry is corrected only by who recorded it or who it is about.
TEST_F(RecordTest, PostedEntriesNameRealThingsAndCorrectOnlyTheirOwn) {
  const ProjectId p = BuildAProject();
  auto thank = [&](const Caller& who, ThankRequest r) { return record_->Thank(who, r); };
  ExpectField(thank(eve_, {"@bob", "review", {}, 0, "", "idea:999", "x", {}}),
              ErrorCode::kInvalidArgument, "evidence");
  ExpectField(thank(eve_, {"@bob", "review", {}, 0, "", "job:7", "x", {}}),
              ErrorCode::kInvalidArgument, "evidence");
  ExpectField(thank(eve_, {"@bob", "review", {}, 0, "", "entry:999", "x", {}}),
              ErrorCode::kInvalidArgument, "evidence");
  ExpectField(thank(eve_, {"@bob", "review", {}, 0, "", "round:1", "x", {}}),
              ErrorCode::kInvalidArgument, "evidence");
  ExpectField(thank(eve_, {"@eve", "review", {}, 0, "", "email:lin@example.org", "x", {}}),
              ErrorCode::kInvalidArgument, "evidence");
  ExpectField(thank(eve_, {"@bob", "review", {}, 1'000'000'000'001'000, "hours", "", "x", {}}),
              ErrorCode::kInvalidArgument, "quantity");
  ExpectField(thank(eve_, {"@bob", "review", {}, 5000, "", "", "x", {}}),
              ErrorCode::kInvalidArgument, "unit");
  ExpectField(thank(eve_, {"email:a@b@c", "review", {}, 0, "", "", "x", {}}),
              ErrorCode::kInvalidArgument, "contributor");
  ASSERT_TRUE(thank(eve_, {"@bob", "review", p, 0, "", "task:1", "x", {}}));
  ASSERT_TRUE(
      thank(eve_, {"@bob", "review", p, 0, "", "project:" + std::to_string(p.value), "x", {}}));
  ASSERT_TRUE(thank(eve_, {"@bob", "review", p, 0, "", "entry:1", "x", {}}));
  const auto upper = thank(eve_, {"email:Lin@Example.ORG", "review", {}, 0, "", "", "x", {}});
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->contributor, "email:lin@example.org");
  // Corrections: ada thanked bob; eve may not undo it, ada and bob may.
  const auto thanks = thank(ada_, {"@bob", "review", p, 0, "", "", "a careful review", {}});
  ASSERT_TRUE(thanks);
  ExpectCode(thank(eve_, {"@bob", "review", p, 0, "", "", "no", thanks->seq}),
             ErrorCode::kPermissionDenied);
  ASSERT_TRUE(thank(bob_, {"@bob", "review", p, 0, "", "", "two reviews", thanks->seq}));
  ASSERT_TRUE(thank(ada_, {"@bob", "review", p, 0, "", "", "three reviews", thanks->seq}));
  // The lab's own entries (bob joined) are not corrected by a posted one.
  std::int64_t joined = 0;
  for (const auto& e : All())
    if (e.kind == "joined") joined = e.seq;
  ASSERT_NE(joined, 0);
  ExpectField(thank(bob_, {"@bob", "review", p, 0, "", "", "never joined", joined}),
              ErrorCode::kInvalidArgument, "corrects");
}

// Another member vouches for an entry with a confirmation entry; nobody confirms their
// own, one they recorded, the lab's own kinds, or the same entry twice.
TEST_F(RecordTest, AnotherMemberConfirmsAnEntry) {
  const ProjectId p = BuildAProject();
  const auto own = record_->Thank(ada_, {"@ada", "writing", p, 0, "", "", "the draft", {}});
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->self);
  ExpectCode(record_->Confirm(ada_, own->seq, ""), ErrorCode::kPermissionDenied);
  const auto confirmed = record_->Confirm(bob_, own->seq, "I read it");
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->kind, "confirmation");
  EXPECT_EQ(confirmed->contributor, "@bob");
  EXPECT_EQ(confirmed->actor, "bob");
  EXPECT_EQ(confirmed->evidence, "entry:" + std::to_string(own->seq));
  EXPECT_EQ(confirmed->project, p.value);
  EXPECT_EQ(confirmed->note, "I read it");
  ExpectCode(record_->Confirm(bob_, own->seq, ""), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(record_->Confirm(eve_, own->seq, ""));
  const auto for_bob = record_->Thank(ada_, {"@bob", "review", p, 0, "", "", "review", {}});
  ASSERT_TRUE(for_bob);
  // ada recorded it; it is about bob.
  ExpectCode(record_->Confirm(ada_, for_bob->seq, ""), ErrorCode::kPermissionDenied);
  ExpectCode(record_->Confirm(bob_, for_bob->seq, ""), ErrorCode::kPermissionDenied);
  ExpectField(record_->Confirm(eve_, confirmed->seq, ""), ErrorCode::kInvalidArgument, "entry");
  ExpectCode(record_->Confirm(eve_, 999, ""), ErrorCode::kNotFound);
  ExpectField(record_->Thank(eve_, {"@eve", "confirmation", {}, 0, "", "", "x", {}}),
              ErrorCode::kInvalidArgument, "kind");
}

TEST_F(RecordTest, ProfilesDropNothingAndShowCorrections) {
  auto wrong = record_->Thank(
      ada_, {"@bob", "infra", std::nullopt, 60'000, "hours", "", "60 h?", std::nullopt});
  clock_.Advance(10);
  auto fixed = record_->Thank(
      ada_, {"@bob", "infra", std::nullopt, 6'000, "hours", "", "6 h, not 60", wrong->seq});
  ASSERT_TRUE(fixed) << fixed.error().message;
  auto profile = record_->Profile(ada_, "bob");
  ASSERT_TRUE(profile);
  ASSERT_EQ(profile->timeline.size(), 2u) << "both stay on the record";
  EXPECT_EQ(profile->corrected, std::vector<std::int64_t>{wrong->seq});
  ASSERT_EQ(profile->by_kind.size(), 1u);
  EXPECT_EQ(profile->by_kind[0].entries, 1);
  EXPECT_EQ(profile->by_kind[0].quantity_milli, 6'000);
  ExpectCode(record_->Profile(ada_, "nobody"), ErrorCode::kNotFound);
}

TEST_F(RecordTest, CheckpointsAreSignedAndProofsVerify) {
  BuildAProject();
  const auto first = record_->Checkpoint();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->tree_size, 4);  // started, joined, claimed, done
  EXPECT_TRUE(ledger::VerifyCheckpoint(*first, record_->public_key()));
  ASSERT_TRUE(lab_->PostIdea(eve_, "Another idea", ""));
  ASSERT_TRUE(record_->Thank(ada_, {"@eve", "mentoring", {}, 0, "", "", "taught CUDA", {}}));
  const auto second = record_->Checkpoint();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->tree_size, 6);
  EXPECT_EQ(record_->Checkpoint()->at, second->at) << "no new entries, no new checkpoint";
  for (std::int64_t seq = 1; seq <= 6; ++seq) {
    const auto proof = record_->InclusionProof(seq, 6);
    ASSERT_TRUE(proof);
    EXPECT_TRUE(ledger::VerifyInclusion(static_cast<std::size_t>(seq - 1), 6,
                                        *record_->LeafHashOf(seq), *proof, second->root))
        << seq;
  }
  const auto consistency = record_->ConsistencyProof(4, 6);
  ASSERT_TRUE(consistency);
  EXPECT_TRUE(ledger::VerifyConsistency(4, 6, *consistency, first->root, second->root));
  ExpectCode(record_->InclusionProof(7, 6), ErrorCode::kInvalidArgument);
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
  record_ = std::make_unique<Record>(*store_, clock_, crypto::NewSigningKey());
  const auto report = Verify(Export());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.bad_seq, 3) << report.message;
}

TEST_F(RecordTest, AuthorListsComeFromTheRecordWithCreditRoles) {
  const ProjectId p = BuildAProject();
  ASSERT_TRUE(record_->Thank(ada_, {"@bob", "software", p, 0, "", "commit:abc", "the kernel", {}}));
  ASSERT_TRUE(record_->Thank(ada_, {"@bob", "software", p, 0, "", "commit:def", "its tests", {}}));
  ASSERT_TRUE(
      record_->Thank(bob_, {"email:lin@example.org", "review", p, 0, "", "", "review", {}}));
  const auto authors = record_->Authors(ada_, p, 0, kStart + 1000);
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
  EXPECT_TRUE(record_->Authors(ada_, p, kStart + 1000, kStart + 2000)->empty());
}
}  // namespace
}  // namespace qiusuo
