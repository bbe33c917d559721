#include "service/lab.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "core/validate.h"
#include "service/demo.h"
#include "service/test_lab.h"
#include "store/postgres/test_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {
namespace {

constexpr const char* kPassword = test_support::kLabPassword;

class LabTest : public ::testing::Test {
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
  }

  Caller Join(const std::string& handle) { return test_support::JoinLab(*lab_, handle); }

  ProjectId AdaProject() {
    auto p = lab_->StartProject(ada_, {"Sparse attention", "pitch", std::nullopt, {"CUDA"}});
    EXPECT_TRUE(p) << p.error().message;
    return p->project.id;
  }

  std::optional<MembershipState> StateOf(ProjectId pid, const std::string& handle) {
    auto view = lab_->GetProject(ada_, pid);
    EXPECT_TRUE(view);
    for (const auto& m : view->memberships) {
      if (m.handle == handle) return m.state;
    }
    return std::nullopt;
  }

  static void ExpectCode(const auto& result, ErrorCode code) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }

  TempDir dir_;
  FakeClock clock_{1'790'000'000};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  Caller steward_, ada_, bob_, eve_;
};

TEST_F(LabTest, InitRunsOncePerLab) {
  ExpectCode(lab_->Init("other", kPassword, {}), ErrorCode::kFailedPrecondition);
}

TEST_F(LabTest, LoginIssuesATokenThatAuthenticates) {
  auto issued = lab_->Login("ada", kPassword, "127.0.0.1");
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_TRUE(issued->token.starts_with("qs_"));
  EXPECT_EQ(issued->token.size(), 3u + 64u);  // 256 random bits, hex
  auto caller = lab_->Authenticate(issued->token);
  ASSERT_TRUE(caller);
  EXPECT_EQ(caller->handle, "ada");
  EXPECT_FALSE(caller->steward);

  ExpectCode(lab_->Login("ada", "wrong password!", "127.0.0.1"), ErrorCode::kUnauthenticated);
  ExpectCode(lab_->Login("nobody", kPassword, "127.0.0.1"), ErrorCode::kUnauthenticated);
  ExpectCode(lab_->Authenticate("qs_deadbeef"), ErrorCode::kUnauthenticated);
  ExpectCode(lab_->Authenticate(""), ErrorCode::kUnauthenticated);
}

TEST_F(LabTest, RevokedTokensStopWorkingAndOnlyTheirOwnerRevokes) {
  auto issued = *lab_->Login("ada", kPassword, "r");
  ExpectCode(lab_->RevokeToken(bob_, issued.id), ErrorCode::kNotFound);
  ASSERT_TRUE(lab_->Authenticate(issued.token));
  ASSERT_TRUE(lab_->RevokeToken(ada_, issued.id));
  ExpectCode(lab_->Authenticate(issued.token), ErrorCode::kUnauthenticated);
  auto tokens = lab_->ListTokens(ada_);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_TRUE((*tokens)[0].revoked_at);
}

// Issue 14 changed this brake from per handle to per (handle, address): failures
// from one address no longer lock the member out from another.
TEST_F(LabTest, FailedLoginsAreBrakedPerHandleAndAddressThenForgiven) {
  for (int attempt = 0; attempt < lab_->config().login_failures_per_pair; ++attempt) {
    ExpectCode(lab_->Login("ada", "wrong password!", "10.0.0.1"), ErrorCode::kUnauthenticated);
  }
  // Even the right password is refused from that address while the brake is on...
  ExpectCode(lab_->Login("ada", kPassword, "10.0.0.1"), ErrorCode::kResourceExhausted);
  // ...but not from another, nor for another member.
  ASSERT_TRUE(lab_->Login("ada", kPassword, "10.0.0.2"));
  ASSERT_TRUE(lab_->Login("bob", kPassword, "10.0.0.1"));
  clock_.Advance(lab_->config().login_window_s + 1);
  ASSERT_TRUE(lab_->Login("ada", kPassword, "10.0.0.1"));
}

TEST_F(LabTest, AnAttackerCannotLockTheStewardOutAndAKnownClientGetsThrough) {
  auto first = lab_->Login("steward", kPassword, "10.0.0.1");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->client.starts_with("qsc_"));
  // Wrong passwords from the attacker's address brake only that address...
  for (int attempt = 0; attempt < lab_->config().login_failures_per_pair; ++attempt) {
    ExpectCode(lab_->Login("steward", "guess guess guess", "10.6.6.6"),
               ErrorCode::kUnauthenticated);
  }
  ExpectCode(lab_->Login("steward", kPassword, "10.6.6.6"), ErrorCode::kResourceExhausted);
  ASSERT_TRUE(lab_->Login("steward", kPassword, "10.0.0.1"));
  // ...and guesses from many addresses brake the handle for unknown clients, but the
  // steward's known client still gets in, wherever it is.
  // (Five of them counted already.)
  for (int attempt = lab_->config().login_failures_per_pair;
       attempt < lab_->config().login_failures_per_handle; ++attempt) {
    const std::string address = "10.7.0." + std::to_string(attempt / 4);
    ExpectCode(lab_->Login("steward", "guess guess guess", address), ErrorCode::kUnauthenticated);
  }
  ExpectCode(lab_->Login("steward", kPassword, "10.0.0.3"), ErrorCode::kResourceExhausted);
  auto known = lab_->Login("steward", kPassword, "10.6.6.6", first->client);
  ASSERT_TRUE(known) << known.error().message;
  EXPECT_EQ(known->client, first->client);  // the same client, kept
  // A known client's secret is nothing to another handle: Ada signs in as any client.
  auto other = lab_->Login("ada", kPassword, "10.0.0.4", first->client);
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_NE(other->client, first->client);
  // A stolen client secret has its own brake.
  for (int attempt = 0; attempt < lab_->config().login_failures_per_client; ++attempt) {
    ExpectCode(lab_->Login("steward", "guess guess guess", "10.8.0.1", first->client),
               ErrorCode::kUnauthenticated);
  }
  ExpectCode(lab_->Login("steward", kPassword, "10.8.0.1", first->client),
             ErrorCode::kResourceExhausted);
}

TEST_F(LabTest, CredentialStuffingIsBrakedPerAddressAcrossHandles) {
  for (int attempt = 0; attempt < lab_->config().login_failures_per_remote; ++attempt) {
    ExpectCode(lab_->Login("user" + std::to_string(attempt), "guess guess guess", "10.6.6.6"),
               ErrorCode::kUnauthenticated);
  }
  ExpectCode(lab_->Login("bob", kPassword, "10.6.6.6"), ErrorCode::kResourceExhausted);
  ASSERT_TRUE(lab_->Login("bob", kPassword, "10.0.0.1"));
}

TEST_F(LabTest, SignUpsAreRatedPerAddress) {
  const int limit = lab_->config().signups_per_remote;
  for (int idx = 0; idx < limit; ++idx) {
    SignUpRequest req{"user" + std::to_string(idx), kPassword, {}, {}, "10.0.0.9"};
    ASSERT_TRUE(lab_->SignUp(req)) << idx;
  }
  ExpectCode(lab_->SignUp({"one-more", kPassword, {}, {}, "10.0.0.9"}),
             ErrorCode::kResourceExhausted);
  ASSERT_TRUE(lab_->SignUp({"elsewhere", kPassword, {}, {}, "10.0.0.10"}));
  clock_.Advance(lab_->config().signup_window_s + 1);
  ASSERT_TRUE(lab_->SignUp({"one-more", kPassword, {}, {}, "10.0.0.9"}));
}

TEST_F(LabTest, SessionsExpireWhenIdleAndWithAgeApiTokensWhenIdle) {
  const LabConfig& config = lab_->config();
  auto idle = *lab_->Login("ada", kPassword, "r");
  clock_.Advance(config.session_idle_s - 1);
  ASSERT_TRUE(lab_->Authenticate(idle.token));  // used: the idle clock starts again
  clock_.Advance(config.session_idle_s - 1);
  ASSERT_TRUE(lab_->Authenticate(idle.token));
  clock_.Advance(config.session_idle_s);
  auto expired = lab_->Authenticate(idle.token);
  ExpectCode(expired, ErrorCode::kUnauthenticated);
  EXPECT_NE(expired.error().message.find("sign in again"), std::string::npos);

  auto busy = *lab_->Login("ada", kPassword, "r");
  auto api = *lab_->CreateToken(ada_, "ci");
  const UnixSeconds day = 24 * 3600;
  for (UnixSeconds used = 0; used + day < config.session_max_age_s; used += day) {
    ASSERT_TRUE(lab_->Authenticate(busy.token));
    ASSERT_TRUE(lab_->Authenticate(api.token));
    clock_.Advance(day);
  }
  clock_.Advance(day);
  auto old = lab_->Authenticate(busy.token);
  ExpectCode(old, ErrorCode::kUnauthenticated);
  EXPECT_NE(old.error().message.find("sessions last"), std::string::npos);
  ASSERT_TRUE(lab_->Authenticate(api.token));  // API tokens have no absolute age
  clock_.Advance(config.api_token_idle_s);
  ExpectCode(lab_->Authenticate(api.token), ErrorCode::kUnauthenticated);
}

TEST_F(LabTest, ChangingThePasswordNeedsTheCurrentOneAndEndsOtherSessions) {
  auto here = *lab_->Login("ada", kPassword, "r");
  auto there = *lab_->Login("ada", kPassword, "r");
  auto api = *lab_->CreateToken(ada_, "ci");
  Caller me = *lab_->Authenticate(here.token);
  auto wrong = lab_->ChangePassword(me, "not my password", "a new long password", "r");
  ExpectCode(wrong, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong.error().field, "current_password");
  auto weak = lab_->ChangePassword(me, kPassword, "short", "r");
  ExpectCode(weak, ErrorCode::kInvalidArgument);
  EXPECT_EQ(weak.error().field, "new_password");
  auto ended = lab_->ChangePassword(me, kPassword, "a new long password", "r");
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(*ended, 2);
  ASSERT_TRUE(lab_->Authenticate(here.token));
  ExpectCode(lab_->Authenticate(there.token), ErrorCode::kUnauthenticated);
  ExpectCode(lab_->Authenticate(api.token), ErrorCode::kUnauthenticated);
  ExpectCode(lab_->Login("ada", kPassword, "r"), ErrorCode::kUnauthenticated);
  ASSERT_TRUE(lab_->Login("ada", "a new long password", "r"));
  // Wrong current passwords count against the sign-in brake of (handle, address).
  for (int attempt = 0; attempt < lab_->config().login_failures_per_pair; ++attempt) {
    ExpectCode(lab_->ChangePassword(me, "guess guess guess", "another long password", "r"),
               ErrorCode::kInvalidArgument);
  }
  ExpectCode(lab_->ChangePassword(me, "a new long password", "another long password", "r"),
             ErrorCode::kResourceExhausted);
}

TEST_F(LabTest, AStewardIssuesAOneTimeResetCodeWithoutLearningThePassword) {
  ExpectCode(lab_->IssuePasswordReset(bob_, "ada"), ErrorCode::kPermissionDenied);
  ExpectCode(lab_->IssuePasswordReset(steward_, "nobody"), ErrorCode::kNotFound);
  auto session = *lab_->Login("ada", kPassword, "r");
  auto issued = lab_->IssuePasswordReset(steward_, "ada");
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_TRUE(issued->code.starts_with("qsr_"));
  EXPECT_EQ(issued->code.size(), 4u + 64u);
  EXPECT_EQ(issued->expires_at, clock_.Now() + lab_->config().reset_code_ttl_s);
  // The password stays until Ada uses the code.
  ASSERT_TRUE(lab_->Login("ada", kPassword, "r"));
  ExpectCode(lab_->ResetPassword("bob", issued->code, "a new long password", "r"),
             ErrorCode::kInvalidArgument);
  auto reset = lab_->ResetPassword("ada", issued->code, "a new long password", "r");
  ASSERT_TRUE(reset) << reset.error().message;
  ExpectCode(lab_->Authenticate(session.token), ErrorCode::kUnauthenticated);
  ASSERT_TRUE(lab_->Login("ada", "a new long password", "r"));
  // Once only.
  auto again = lab_->ResetPassword("ada", issued->code, "a third long password", "r");
  ExpectCode(again, ErrorCode::kInvalidArgument);
  EXPECT_EQ(again.error().field, "code");
}

TEST_F(LabTest, ResetCodesExpireAndWrongCodesAreBraked) {
  auto late = *lab_->IssuePasswordReset(steward_, "ada");
  clock_.Advance(lab_->config().reset_code_ttl_s);
  ExpectCode(lab_->ResetPassword("ada", late.code, "a new long password", "r1"),
             ErrorCode::kInvalidArgument);
  auto issued = *lab_->IssuePasswordReset(steward_, "ada");
  for (int attempt = 0; attempt < lab_->config().login_failures_per_pair; ++attempt) {
    ExpectCode(lab_->ResetPassword("ada", "qsr_" + std::string(64, 'a'), "a new long password",
                                   "10.6.6.6"),
               ErrorCode::kInvalidArgument);
  }
  // The guesser's address is braked, even with the right code; Ada's is not.
  ExpectCode(lab_->ResetPassword("ada", issued.code, "a new long password", "10.6.6.6"),
             ErrorCode::kResourceExhausted);
  ASSERT_TRUE(lab_->ResetPassword("ada", issued.code, "a new long password", "10.0.0.1"));
}

TEST_F(LabTest, ResetCodesAreMailedToProvenAddressesOnly) {
  ExpectCode(lab_->RequestPasswordReset("ada", "r"), ErrorCode::kFailedPrecondition);  // no mail
  std::vector<std::pair<std::string, std::string>> sent;
  lab_->SetMailer([&](const std::string& to, const std::string&, const std::string& text) {
    sent.emplace_back(to, text);
    return Status{};
  });
  // No proven address: the same answer, no mail, and a steward may issue a code.
  ASSERT_TRUE(lab_->RequestPasswordReset("ada", "r"));
  ASSERT_TRUE(lab_->RequestPasswordReset("nobody", "r"));
  EXPECT_TRUE(sent.empty());
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.PutIdentityClaim({"ada@lab.org", ada_.id, "x", 1, 2, std::nullopt}));
    QS_TRY_STATUS(tx.PutIdentityClaim({"ada@elsewhere.org", ada_.id, "y", 1, 2, std::nullopt}));
    return tx.ConfirmIdentityClaim("ada@lab.org", ada_.id, 3);
  }));
  ExpectCode(lab_->IssuePasswordReset(steward_, "ada"), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(lab_->RequestPasswordReset("ada", "r"));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "ada@lab.org");
  const auto at = sent[0].second.find("--code ");
  ASSERT_NE(at, std::string::npos);
  const std::string code = sent[0].second.substr(at + 7, 4 + 64);
  ASSERT_TRUE(lab_->ResetPassword("ada", code, "a new long password", "r"));
  ASSERT_TRUE(lab_->Login("ada", "a new long password", "r"));
  // Requests per handle are braked (mail bombing): two so far.
  for (int attempt = 2; attempt < lab_->config().reset_requests_per_handle; ++attempt) {
    ASSERT_TRUE(lab_->RequestPasswordReset("ada", "r"));
  }
  ExpectCode(lab_->RequestPasswordReset("ada", "r"), ErrorCode::kResourceExhausted);
}

TEST_F(LabTest, MembersAndStewardsEndSessionsOthersCannot) {
  auto ada_here = *lab_->Login("ada", kPassword, "r");
  auto ada_there = *lab_->Login("ada", kPassword, "r");
  Caller ada = *lab_->Authenticate(ada_here.token);
  ExpectCode(lab_->ListSessions(bob_, "ada"), ErrorCode::kPermissionDenied);
  ExpectCode(lab_->EndSessions(bob_, "ada"), ErrorCode::kPermissionDenied);
  auto mine = lab_->ListSessions(ada, "ada");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 2u);
  // Ada ends her other sessions, keeping this one.
  EXPECT_EQ(*lab_->EndSessions(ada, "ada"), 1);
  ASSERT_TRUE(lab_->Authenticate(ada_here.token));
  ExpectCode(lab_->Authenticate(ada_there.token), ErrorCode::kUnauthenticated);
  // A steward sees them and ends them all.
  EXPECT_EQ(lab_->ListSessions(steward_, "ada")->size(), 1u);
  EXPECT_EQ(*lab_->EndSessions(steward_, "ada"), 1);
  ExpectCode(lab_->Authenticate(ada_here.token), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(lab_->ListSessions(steward_, "ada")->empty());
  ExpectCode(lab_->EndSessions(steward_, "nobody"), ErrorCode::kNotFound);
}

TEST_F(LabTest, SignUpValidatesAndKeepsHandlesUnique) {
  ExpectCode(lab_->SignUp({"ada", kPassword, {}, {}}), ErrorCode::kAlreadyExists);
  auto bad = lab_->SignUp({"Not A Handle", kPassword, {}, {}});
  ExpectCode(bad, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "handle");
  ExpectCode(lab_->SignUp({"carol", "short", {}, {}}), ErrorCode::kInvalidArgument);
}

TEST_F(LabTest, InviteOnlyLabsNeedAOneTimeCode) {
  LabConfig config;
  config.open_signup = false;
  config.password_cost = crypto::MinimumCost();
  Lab closed(*store_, clock_, config);
  ExpectCode(closed.SignUp({"carol", kPassword, {}, {}}), ErrorCode::kPermissionDenied);
  auto code = closed.CreateSignupInvite(ada_);
  ASSERT_TRUE(code);
  ASSERT_TRUE(closed.SignUp({"carol", kPassword, {}, *code}));
  ExpectCode(closed.SignUp({"dave", kPassword, {}, *code}), ErrorCode::kInvalidArgument);
  auto late = *closed.CreateSignupInvite(ada_);
  clock_.Advance(config.signup_invite_ttl_s + 1);
  ExpectCode(closed.SignUp({"dave", kPassword, {}, late}), ErrorCode::kInvalidArgument);
}

TEST_F(LabTest, IdeasArePostedSearchedAndBackedInTheOpen) {
  auto idea = lab_->PostIdea(ada_, "Sparse attention", "# Pitch\nquadratic is slow");
  ASSERT_TRUE(idea);
  ExpectCode(lab_->BackIdea(ada_, idea->id, true), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(lab_->BackIdea(bob_, idea->id, true));
  auto backed = lab_->BackIdea(eve_, idea->id, true);
  ASSERT_TRUE(backed);
  EXPECT_EQ(backed->backers, (std::vector<std::string>{"bob", "eve"}));
  auto unbacked = lab_->BackIdea(bob_, idea->id, false);
  EXPECT_EQ(unbacked->backers, std::vector<std::string>{"eve"});
  ASSERT_TRUE(lab_->PostIdea(bob_, "Data cleaning", "dedup"));
  auto hits = lab_->ListIdeas(eve_, "QUADRATIC", {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->items.size(), 1u);
  EXPECT_EQ(hits->items[0].id, idea->id);
  ExpectCode(lab_->PostIdea(ada_, "", "x"), ErrorCode::kInvalidArgument);
  ExpectCode(lab_->BackIdea(bob_, IdeaId(999), true), ErrorCode::kNotFound);
}

TEST_F(LabTest, OnlyTheAuthorEditsAnIdeaAndTheLedgerKeepsThePosting) {
  const Idea idea = *lab_->PostIdea(ada_, "Sparse attention", "quadratic is slow");
  const auto ledger_size = [&] {
    return Read(*store_, [](Tx& tx) { return tx.ListLedger({0, 100000, "", {}, ""}); })->size();
  };
  const std::size_t entries = ledger_size();

  auto edited = lab_->EditIdea(ada_, idea.id, "  Sparser attention ", std::nullopt);
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(edited->title, "Sparser attention");
  EXPECT_EQ(edited->pitch, "quadratic is slow");
  edited = lab_->EditIdea(ada_, idea.id, std::nullopt, "# Pitch\nlinear is fast");
  ASSERT_TRUE(edited) << edited.error().message;
  EXPECT_EQ(edited->title, "Sparser attention");
  EXPECT_EQ(edited->pitch, "# Pitch\nlinear is fast");
  EXPECT_EQ(edited->created_at, idea.created_at);
  EXPECT_EQ(ledger_size(), entries);  // an edit is not a new contribution

  ExpectCode(lab_->EditIdea(bob_, idea.id, "mine now", std::nullopt), ErrorCode::kPermissionDenied);
  ExpectCode(lab_->EditIdea(steward_, idea.id, std::nullopt, "x"), ErrorCode::kPermissionDenied);
  ExpectCode(lab_->EditIdea(ada_, IdeaId(999), "t", std::nullopt), ErrorCode::kNotFound);
  auto bad = lab_->EditIdea(ada_, idea.id, " ", "a new pitch");
  ExpectCode(bad, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "title");
  ExpectCode(lab_->EditIdea(ada_, idea.id, std::string(kMaxTitle + 1, 'x'), std::nullopt),
             ErrorCode::kInvalidArgument);
  // Over limit_text_bytes (20000 by default): 413, naming the limit and its key.
  ExpectCode(lab_->EditIdea(ada_, idea.id, std::nullopt, std::string(kMaxPitch + 1, 'x')),
             ErrorCode::kTooLarge);
  ExpectCode(lab_->EditIdea(ada_, idea.id, std::nullopt, std::nullopt),
             ErrorCode::kInvalidArgument);
  const Idea now = *lab_->GetIdea(eve_, idea.id);
  EXPECT_EQ(now.title, "Sparser attention");
  EXPECT_EQ(now.pitch, "# Pitch\nlinear is fast");
}

TEST_F(LabTest, ListingsPageByCursor) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(lab_->PostIdea(ada_, "idea " + std::to_string(i), ""));
  auto first = lab_->ListIdeas(ada_, "", {2, 0});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->next_before);
  auto second = lab_->ListIdeas(ada_, "", {2, *first->next_before});
  auto third = lab_->ListIdeas(ada_, "", {2, *second->next_before});
  EXPECT_EQ(third->items.size(), 1u);
  EXPECT_FALSE(third->next_before);
  EXPECT_EQ(third->items[0].title, "idea 0");
}

TEST_F(LabTest, StartingFromAnIdeaNeedsNobodysApproval) {
  auto idea = *lab_->PostIdea(bob_, "Pure RL", "outcome rewards only");
  auto view = lab_->StartProject(eve_, {"", "", idea.id, {"graders", " graders "}});
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->project.title, "Pure RL");
  EXPECT_EQ(view->project.pitch, "outcome rewards only");
  EXPECT_EQ(view->project.initiator_handle, "eve");
  EXPECT_EQ(view->project.looking_for, std::vector<std::string>{"graders"});
  ASSERT_EQ(view->memberships.size(), 1u);
  EXPECT_EQ(view->memberships[0].state, MembershipState::kActive);
  auto bad = lab_->StartProject(eve_, {"", "", IdeaId(404), {}});
  ExpectCode(bad, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "idea_id");
}

TEST_F(LabTest, JoinByApplicationAcceptedByAMember) {
  const ProjectId pid = AdaProject();
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kApply, "", "I write kernels"));
  EXPECT_EQ(StateOf(pid, "bob"), MembershipState::kApplied);
  // Neither the applicant, nor an outsider, nor a steward outside the project can accept.
  ExpectCode(lab_->ActOnMembership(bob_, pid, MembershipAct::kAccept, "bob", ""),
             ErrorCode::kPermissionDenied);
  ExpectCode(lab_->ActOnMembership(eve_, pid, MembershipAct::kAccept, "bob", ""),
             ErrorCode::kPermissionDenied);
  ExpectCode(lab_->ActOnMembership(steward_, pid, MembershipAct::kAccept, "bob", ""),
             ErrorCode::kPermissionDenied);
  auto accepted = lab_->ActOnMembership(ada_, pid, MembershipAct::kAccept, "bob", "");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->state, MembershipState::kActive);
  EXPECT_EQ(accepted->message, "I write kernels");
  EXPECT_EQ(accepted->acted_by, ada_.id);
}

// 16 clients at once, each applying to the same project and then trying to accept
// every other applicant (which only a member may do), while its initiator accepts the
// even-numbered ones. Whatever the interleaving: exactly the accepts that succeeded
// made members, nobody was accepted twice, everyone else is still applying, and the
// ledger holds one "joined" entry per accept with no gap in its sequence.
TEST_F(LabTest, SixteenClientsApplyingAndAcceptingAtOnceLeaveExactlyTheAcceptedMembers) {
  const ProjectId pid = AdaProject();
  constexpr int kClients = 16;
  std::vector<Caller> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(Join("client-" + std::to_string(i)));
  std::mutex mu;
  std::map<std::string, int> accepted;  // handle -> successful accepts
  std::vector<std::string> unexpected;
  auto act = [&](const Caller& who, MembershipAct what, const std::string& subject) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto r =
          lab_->ActOnMembership(who, pid, what, what == MembershipAct::kApply ? "" : subject, "");
      if (r || r.error().code != ErrorCode::kUnavailable) {
        if (r && what == MembershipAct::kAccept) {
          std::lock_guard lock(mu);
          ++accepted[subject];
        }
        if (!r && r.error().code != ErrorCode::kPermissionDenied &&
            r.error().code != ErrorCode::kFailedPrecondition &&
            r.error().code != ErrorCode::kNotFound) {
          std::lock_guard lock(mu);
          unexpected.push_back(r.error().message);
        }
        return r.has_value();
      }
    }
    std::lock_guard lock(mu);
    unexpected.push_back("still busy after 50 attempts");
    return false;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      act(clients[i], MembershipAct::kApply, "");
      for (int pass = 0; pass < 2; ++pass) {
        for (int j = 1; j < kClients; ++j) {
          act(clients[i], MembershipAct::kAccept, clients[(i + j) % kClients].handle);
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int pass = 0; pass < 20; ++pass) {
      for (int j = 0; j < kClients; j += 2) act(ada_, MembershipAct::kAccept, clients[j].handle);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();

  auto view = lab_->GetProject(ada_, pid);
  ASSERT_TRUE(view);
  std::set<std::string> active;
  for (const auto& m : view->memberships) {
    if (m.state == MembershipState::kActive) {
      active.insert(m.handle);
    } else {
      EXPECT_EQ(m.state, MembershipState::kApplied) << m.handle;
    }
  }
  std::set<std::string> expected{"ada"};
  for (const auto& [handle, n] : accepted) {
    EXPECT_EQ(n, 1) << handle << " was accepted " << n << " times";
    expected.insert(handle);
  }
  EXPECT_EQ(active, expected);
  EXPECT_EQ(view->memberships.size(), kClients + 1u);
  // Ada accepts every even-numbered client sooner or later.
  for (int j = 0; j < kClients; j += 2) EXPECT_TRUE(active.contains(clients[j].handle)) << j;

  auto rows = Read(*store_, [](Tx& tx) { return tx.ListLedger({0, 100000, "", {}, ""}); });
  ASSERT_TRUE(rows);
  std::size_t joined = 0;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].seq, static_cast<std::int64_t>(i) + 1);
    if ((*rows)[i].kind == "joined" && (*rows)[i].project == pid.value) ++joined;
  }
  EXPECT_EQ(joined, accepted.size());
}

TEST_F(LabTest, JoinByInvitationAcceptedByTheInvitee) {
  const ProjectId pid = AdaProject();
  ExpectCode(lab_->ActOnMembership(eve_, pid, MembershipAct::kInvite, "bob", ""),
             ErrorCode::kPermissionDenied);  // eve is not a member
  ASSERT_TRUE(lab_->ActOnMembership(ada_, pid, MembershipAct::kInvite, "bob", "join us"));
  EXPECT_EQ(StateOf(pid, "bob"), MembershipState::kInvited);
  // The inviter cannot accept on bob's behalf.
  ExpectCode(lab_->ActOnMembership(ada_, pid, MembershipAct::kAccept, "bob", ""),
             ErrorCode::kPermissionDenied);
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kAccept, "bob", ""));
  EXPECT_EQ(StateOf(pid, "bob"), MembershipState::kActive);
}

TEST_F(LabTest, ApplyingAlwaysMeansYourself) {
  const ProjectId pid = AdaProject();
  ExpectCode(lab_->ActOnMembership(ada_, pid, MembershipAct::kApply, "bob", ""),
             ErrorCode::kPermissionDenied);
  EXPECT_EQ(StateOf(pid, "bob"), std::nullopt);
}

TEST_F(LabTest, DeclineWithdrawAndLeave) {
  const ProjectId pid = AdaProject();
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kApply, "", ""));
  ASSERT_TRUE(lab_->ActOnMembership(ada_, pid, MembershipAct::kDecline, "bob", ""));
  EXPECT_EQ(StateOf(pid, "bob"), MembershipState::kDeclined);
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kApply, "", "again"));
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kWithdraw, "", ""));
  EXPECT_EQ(StateOf(pid, "bob"), MembershipState::kWithdrawn);
  ASSERT_TRUE(lab_->ActOnMembership(ada_, pid, MembershipAct::kInvite, "eve", ""));
  ASSERT_TRUE(lab_->ActOnMembership(eve_, pid, MembershipAct::kDecline, "eve", ""));
  EXPECT_EQ(StateOf(pid, "eve"), MembershipState::kDeclined);
  // Nobody removes another member; the initiator may leave and the project stays.
  ExpectCode(lab_->ActOnMembership(steward_, pid, MembershipAct::kLeave, "ada", ""),
             ErrorCode::kPermissionDenied);
  ASSERT_TRUE(lab_->ActOnMembership(ada_, pid, MembershipAct::kLeave, "", ""));
  EXPECT_EQ(StateOf(pid, "ada"), MembershipState::kLeft);
  EXPECT_TRUE(lab_->GetProject(bob_, pid));
}

TEST_F(LabTest, TheInboxHoldsWhatWaitsForMeAndWhatIAsked) {
  const auto handles = [](const InboxList& list) {
    std::vector<std::string> out;
    for (const auto& e : list.entries) {
      out.push_back(std::to_string(e.membership.project.value) + ":" + e.membership.handle + ":" +
                    std::string(MembershipStateName(e.membership.state)) + ":" + e.project_title +
                    ":" + e.acted_by_handle);
    }
    return out;
  };
  const ProjectId ada_project = AdaProject();
  const ProjectId eve_project =
      lab_->StartProject(eve_, {"Pure RL", "", std::nullopt, {}})->project.id;
  const ProjectId bob_project =
      lab_->StartProject(bob_, {"Data cleaning", "", std::nullopt, {}})->project.id;
  auto inbox = lab_->GetInbox(ada_);
  ASSERT_TRUE(inbox) << inbox.error().message;
  EXPECT_TRUE(inbox->awaiting.entries.empty());
  EXPECT_EQ(inbox->awaiting.total, 0);
  EXPECT_TRUE(inbox->asked.entries.empty());

  const auto act = [&](const Caller& who, ProjectId pid, MembershipAct what,
                       const std::string& subject) {
    clock_.Advance(10);
    ASSERT_TRUE(lab_->ActOnMembership(who, pid, what, subject, "note"));
  };
  act(bob_, ada_project, MembershipAct::kApply, "");          // waits for ada
  act(eve_, ada_project, MembershipAct::kApply, "");          // waits for ada, then withdrawn
  act(eve_, ada_project, MembershipAct::kWithdraw, "");       // no longer waits
  act(eve_, eve_project, MembershipAct::kInvite, "ada");      // waits for ada
  act(ada_, bob_project, MembershipAct::kApply, "");          // ada asked
  act(ada_, ada_project, MembershipAct::kInvite, "steward");  // ada asked
  inbox = lab_->GetInbox(ada_);
  ASSERT_TRUE(inbox) << inbox.error().message;
  const std::string a = std::to_string(ada_project.value), e = std::to_string(eve_project.value),
                    b = std::to_string(bob_project.value);
  EXPECT_EQ(handles(inbox->awaiting),
            (std::vector<std::string>{e + ":ada:invited:Pure RL:eve",
                                      a + ":bob:applied:Sparse attention:bob"}));
  EXPECT_EQ(inbox->awaiting.total, 2);
  EXPECT_EQ(handles(inbox->asked),
            (std::vector<std::string>{a + ":steward:invited:Sparse attention:ada",
                                      b + ":ada:applied:Data cleaning:ada"}));
  EXPECT_EQ(inbox->asked.total, 2);
  EXPECT_EQ(inbox->awaiting.entries[0].membership.message, "note");

  // Bob's side of it: his application waits for others; eve, not on ada's project,
  // sees none of it.
  inbox = lab_->GetInbox(bob_);
  EXPECT_EQ(handles(inbox->awaiting),
            (std::vector<std::string>{b + ":ada:applied:Data cleaning:ada"}));
  EXPECT_EQ(handles(inbox->asked),
            (std::vector<std::string>{a + ":bob:applied:Sparse attention:bob"}));
  inbox = lab_->GetInbox(eve_);
  EXPECT_TRUE(inbox->awaiting.entries.empty());
  EXPECT_EQ(handles(inbox->asked), (std::vector<std::string>{e + ":ada:invited:Pure RL:eve"}));

  // Answered, it leaves both inboxes.
  act(ada_, ada_project, MembershipAct::kAccept, "bob");
  EXPECT_EQ(lab_->GetInbox(ada_)->awaiting.total, 1);
  EXPECT_TRUE(lab_->GetInbox(bob_)->asked.entries.empty());
}

TEST_F(LabTest, TheInboxIsBoundedAndCountsPastItsBound) {
  const ProjectId pid = AdaProject();
  for (int i = 0; i <= kInboxLimit; ++i) {
    const Caller who = Join("m" + std::to_string(i));
    clock_.Advance(1);
    ASSERT_TRUE(lab_->ActOnMembership(who, pid, MembershipAct::kApply, "", ""));
  }
  auto inbox = lab_->GetInbox(ada_);
  ASSERT_TRUE(inbox) << inbox.error().message;
  ASSERT_EQ(inbox->awaiting.entries.size(), static_cast<std::size_t>(kInboxLimit));
  EXPECT_EQ(inbox->awaiting.total, kInboxLimit + 1);
  EXPECT_EQ(inbox->awaiting.entries.front().membership.handle,
            "m" + std::to_string(kInboxLimit));  // newest first
}

TEST_F(LabTest, TasksAreClaimedNeverAssigned) {
  const ProjectId pid = AdaProject();
  ExpectCode(lab_->AddTask(bob_, pid, "not mine to add", ""), ErrorCode::kPermissionDenied);
  auto task = lab_->AddTask(ada_, pid, "Write the kernel", "fast");
  ASSERT_TRUE(task);
  ExpectCode(lab_->ActOnTask(bob_, task->id, TaskAct::kClaim), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(lab_->ActOnMembership(ada_, pid, MembershipAct::kInvite, "bob", ""));
  ASSERT_TRUE(lab_->ActOnMembership(bob_, pid, MembershipAct::kAccept, "", ""));
  auto claimed = lab_->ActOnTask(bob_, task->id, TaskAct::kClaim);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->holder, bob_.id);
  EXPECT_EQ(claimed->holder_handle, "bob");
  ExpectCode(lab_->ActOnTask(ada_, task->id, TaskAct::kDone), ErrorCode::kPermissionDenied);
  auto done = lab_->ActOnTask(bob_, task->id, TaskAct::kDone);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, TaskState::kDone);
}

TEST_F(LabTest, OnlyMembersSayWhatAProjectIsLookingFor) {
  const ProjectId pid = AdaProject();
  ExpectCode(lab_->SetLookingFor(bob_, pid, {"x"}), ErrorCode::kPermissionDenied);
  auto view = lab_->SetLookingFor(ada_, pid, {"data cleaning", "evaluation"});
  ASSERT_TRUE(view);
  EXPECT_EQ(view->project.looking_for, (std::vector<std::string>{"data cleaning", "evaluation"}));
}

TEST(Demo, TheDemoLabIsBuiltByConsent) {
  ASSERT_TRUE(crypto::Init());
  TempDir dir;
  FakeClock clock(1'790'000'000);
  auto store = OpenSqliteStore({dir.File("lab.db")});
  ASSERT_TRUE(store);
  LabConfig config;
  config.password_cost = crypto::MinimumCost();
  Lab lab(**store, clock, config);
  auto steward = lab.Init("steward", kPassword, {});
  ASSERT_TRUE(steward);
  const Caller steward_caller{steward->id, "steward", true};
  auto summary = SeedDemoLab(lab, steward_caller);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->handles.size(), 5u);
  ASSERT_TRUE(lab.Login("ada", kDemoPassword, "r"));
  auto projects = lab.ListProjects(steward_caller, {});
  ASSERT_TRUE(projects);
  ASSERT_EQ(projects->items.size(), 3u);
  std::map<std::string, std::map<std::string, MembershipState>> states;
  for (const auto& view : projects->items) {
    for (const auto& m : view.memberships) states[view.project.title][m.handle] = m.state;
  }
  using S = MembershipState;
  EXPECT_EQ(states["Block-sparse attention kernels for 128k context"],
            (std::map<std::string, S>{
                {"chen-wei", S::kActive}, {"grace", S::kActive}, {"ada", S::kActive}}));
  EXPECT_EQ(states["Pure RL for reasoning without supervised warm-up"],
            (std::map<std::string, S>{{"kofi", S::kActive}, {"li-na", S::kApplied}}));
  EXPECT_EQ(states["A clean multilingual math corpus"],
            (std::map<std::string, S>{{"li-na", S::kActive}, {"kofi", S::kActive}}));
}

TEST_F(LabTest, IdeasAndProjectsAnHourPerMemberAreLimitedAndSayByWhichKey) {
  const int ideas = MemberLimits{}.ideas_per_hour;
  for (int i = 0; i < ideas; ++i)
    ASSERT_TRUE(lab_->PostIdea(ada_, "idea " + std::to_string(i), ""));
  auto refused = lab_->PostIdea(ada_, "one too many", "");
  ExpectCode(refused, ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("limit is " + std::to_string(ideas) + " an hour"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("limit_ideas_per_hour"), std::string::npos);
  EXPECT_TRUE(lab_->PostIdea(bob_, "another member", "")) << "the limit is per member";
  clock_.Advance(3599);
  ExpectCode(lab_->PostIdea(ada_, "still within the hour", ""), ErrorCode::kResourceExhausted);
  clock_.Advance(1);
  EXPECT_TRUE(lab_->PostIdea(ada_, "an hour later", ""));
  EXPECT_EQ(lab_->ListIdeas(eve_, "", {200, 0})->items.size(), static_cast<std::size_t>(ideas + 2))
      << "a refused idea is not stored";

  const int projects = MemberLimits{}.projects_per_hour;
  for (int i = 0; i < projects; ++i) {
    ASSERT_TRUE(lab_->StartProject(eve_, {"project " + std::to_string(i), "", std::nullopt, {}}));
  }
  auto no_project = lab_->StartProject(eve_, {"one more", "", std::nullopt, {}});
  ExpectCode(no_project, ErrorCode::kResourceExhausted);
  EXPECT_NE(no_project.error().message.find("limit_projects_per_hour"), std::string::npos);
}

TEST_F(LabTest, TextFieldsOverTheConfiguredSizeAre413NamingTheKey) {
  LabConfig config;
  config.password_cost = crypto::MinimumCost();
  config.limits.text_bytes = 1000;
  Lab small(*store_, clock_, config);
  auto big = small.PostIdea(ada_, "title", std::string(1001, 'x'));
  ExpectCode(big, ErrorCode::kTooLarge);
  EXPECT_EQ(big.error().field, "pitch");
  EXPECT_NE(big.error().message.find("1001 bytes; the lab's limit is 1000 bytes (limit_text_bytes"),
            std::string::npos)
      << big.error().message;
  EXPECT_TRUE(small.PostIdea(ada_, "title", std::string(1000, 'x')));
  ExpectCode(small.StartProject(ada_, {"t", std::string(1001, 'x'), std::nullopt, {}}),
             ErrorCode::kTooLarge);
  const ProjectId pid = AdaProject();
  ExpectCode(small.AddTask(ada_, pid, "t", std::string(1001, 'x')), ErrorCode::kTooLarge);
  // A lab may also allow more than the default.
  config.limits.text_bytes = 50000;
  Lab large(*store_, clock_, config);
  EXPECT_TRUE(large.PostIdea(bob_, "long", std::string(30000, 'x')));
}

TEST_F(LabTest, LedgerEntriesAnHourPerMemberAreLimited) {
  const int entries = MemberLimits{}.entries_per_hour;
  for (int i = 0; i < entries; ++i) ASSERT_TRUE(lab_->AllowEntry(ada_));
  auto refused = lab_->AllowEntry(ada_);
  ExpectCode(refused, ErrorCode::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("limit_entries_per_hour"), std::string::npos);
  EXPECT_TRUE(lab_->AllowEntry(bob_));
  clock_.Advance(3600);
  EXPECT_TRUE(lab_->AllowEntry(ada_));
}

TEST_F(LabTest, TasksAndTokensPageSeeingEachOnceWhileMoreArrive) {
  const ProjectId pid = AdaProject();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(lab_->AddTask(ada_, pid, "task " + std::to_string(i), ""));
  std::vector<std::string> seen;
  std::int64_t after = 0;
  for (int page = 0;; ++page) {
    auto listing = lab_->ListTasksPage(bob_, pid, {2, after});
    ASSERT_TRUE(listing) << listing.error().message;
    for (const auto& t : listing->items) seen.push_back(t.title);
    // New tasks arrive while the list is read: they come at its end, once.
    if (page == 0) ASSERT_TRUE(lab_->AddTask(ada_, pid, "late", ""));
    if (!listing->next_before) break;
    after = *listing->next_before;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"task 0", "task 1", "task 2", "task 3", "task 4", "late"}));
  ExpectCode(lab_->ListTasksPage(bob_, ProjectId(999), {2, 0}), ErrorCode::kNotFound);

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(lab_->CreateToken(bob_, "t" + std::to_string(i)));
  std::set<std::int64_t> tokens;
  std::int64_t before = 0;
  for (;;) {
    auto listing = lab_->ListTokensPage(bob_, {3, before});
    ASSERT_TRUE(listing);
    for (const auto& t : listing->items) {
      EXPECT_EQ(t.member, bob_.id) << "only one's own tokens";
      EXPECT_TRUE(tokens.insert(t.id.value).second) << "each token once";
    }
    if (!listing->next_before) break;
    before = *listing->next_before;
  }
  EXPECT_EQ(tokens.size(), lab_->ListTokens(bob_)->size());
}

}  // namespace
}  // namespace qiusuo
