// The contract every Store implementation passes, against a real database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <memory>

#include "common/temp_dir.h"
#include "store/copy.h"
#include "store/leader.h"
#include "store/migrations.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/test_database.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {
namespace {

struct Backend {
  std::string name;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Store>> store = std::unique_ptr<Store>();
    if (GetParam().name == "sqlite") {
      store = OpenSqliteStore({dir_.File("lab.db")});
    } else {
      if (!test_support::TestDatabase::Available())
        GTEST_FAIL() << test_support::TestDatabase::kHowTo;
      pg_ = std::make_unique<test_support::TestDatabase>();
      store = OpenPostgresStore({pg_->Url()});
    }
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();  // its connections close before the database is dropped
    pg_.reset();
  }
  Dialect dialect() const {
    return GetParam().name == "sqlite" ? Dialect::kSqlite : Dialect::kPostgres;
  }

  MemberId AddMember(const std::string& handle) {
    MemberId id;
    auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
      id = QS_TRY(tx.InsertMember(
          {handle, {handle + " name", {handle + "@lab.org"}, {"c++"}, {}}, "hash", false, 100}));
      return {};
    });
    EXPECT_TRUE(st) << st.error().message;
    return id;
  }

  template <typename F>
  auto Read(F&& f, TxMode mode = TxMode::kRead) {
    std::invoke_result_t<F, Tx&> out;
    auto st = store_->Transact(mode, [&](Tx& tx) -> Status {
      out = f(tx);
      if constexpr (requires { out.error(); }) {
        if (!out) ADD_FAILURE() << out.error().message;
      }
      return {};
    });
    EXPECT_TRUE(st);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<test_support::TestDatabase> pg_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, MigratesToTheNewestSchema) {
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, static_cast<int>(Migrations(dialect())->size()));
  EXPECT_EQ(Migrations(Dialect::kSqlite)->size(), Migrations(Dialect::kPostgres)->size());
}

TEST_P(StoreContract, MembersRoundTripAndHandlesAreUnique) {
  const MemberId ada = AddMember("ada");
  auto found = Read([&](Tx& tx) { return tx.FindMemberByHandle("ada"); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, ada);
  EXPECT_EQ((*found)->emails, std::vector<std::string>{"ada@lab.org"});
  EXPECT_EQ((*found)->skills, std::vector<std::string>{"c++"});
  EXPECT_EQ(**Read([&](Tx& tx) { return tx.PasswordHash(ada); }), "hash");

  auto dup = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(tx.InsertMember({"ada", {"Other", {}, {}, {}}, "h", false, 1}));
    return {};
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().field, "handle");
  EXPECT_EQ(*Read([](Tx& tx) { return tx.CountMembers(); }), 1);
}

TEST_P(StoreContract, AFailedTransactionLeavesNothingBehind) {
  auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(tx.InsertMember({"grace", {"Grace", {}, {}, {}}, "h", false, 1}));
    return FailedPrecondition("changed my mind");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "changed my mind");
  EXPECT_EQ(*Read([](Tx& tx) { return tx.CountMembers(); }), 0);
}

TEST_P(StoreContract, TokensAreFoundByHashUntilRevoked) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  TokenId token;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    token = QS_TRY(tx.InsertToken(ada, "abc123", "laptop", 5));
    return {};
  }));
  auto live = Read([](Tx& tx) { return tx.FindLiveToken("abc123"); });
  ASSERT_TRUE(live && *live);
  EXPECT_EQ((*live)->member, ada);
  // Someone else's token cannot be revoked by id.
  EXPECT_FALSE(*Read([&](Tx& tx) { return tx.RevokeToken(bob, token, 6); }, TxMode::kWrite));
  bool revoked = false;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    revoked = QS_TRY(tx.RevokeToken(ada, token, 6));
    return {};
  }));
  EXPECT_TRUE(revoked);
  EXPECT_FALSE(*Read([](Tx& tx) { return tx.FindLiveToken("abc123"); }));
  auto all = Read([&](Tx& tx) { return tx.ListTokens(ada); });
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].revoked_at, 6);
}

TEST_P(StoreContract, SessionsAreTouchedAndAllOfAMembersTokensRevokedButOne) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  TokenId api, laptop, phone, bobs;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    api = QS_TRY(tx.InsertToken(ada, "h-api", "ci", 5));
    laptop = QS_TRY(tx.InsertSession(ada, "h-laptop", 6));
    phone = QS_TRY(tx.InsertSession(ada, "h-phone", 7));
    bobs = QS_TRY(tx.InsertSession(bob, "h-bob", 7));
    return tx.TouchToken(laptop, 50);
  }));
  auto found = *Read([](Tx& tx) { return tx.FindLiveToken("h-laptop"); });
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->session);
  EXPECT_EQ(found->name, "login");
  EXPECT_EQ(found->created_at, 6);
  EXPECT_EQ(found->last_used_at, 50);
  auto api_found = *Read([](Tx& tx) { return tx.FindLiveToken("h-api"); });
  ASSERT_TRUE(api_found);
  EXPECT_FALSE(api_found->session);
  EXPECT_EQ(api_found->last_used_at, 5);

  EXPECT_EQ(*Read([&](Tx& tx) { return tx.RevokeMemberTokens(ada, laptop, 60); }, TxMode::kWrite),
            2);
  EXPECT_TRUE(*Read([](Tx& tx) { return tx.FindLiveToken("h-laptop"); }));
  EXPECT_FALSE(*Read([](Tx& tx) { return tx.FindLiveToken("h-phone"); }));
  EXPECT_FALSE(*Read([](Tx& tx) { return tx.FindLiveToken("h-api"); }));
  EXPECT_TRUE(*Read([](Tx& tx) { return tx.FindLiveToken("h-bob"); }));
  EXPECT_EQ(
      *Read([&](Tx& tx) { return tx.RevokeMemberTokens(ada, std::nullopt, 61); }, TxMode::kWrite),
      1);
  auto all = *Read([&](Tx& tx) { return tx.ListTokens(ada); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].revoked_at, 60);
  EXPECT_EQ(all[1].revoked_at, 61);
  EXPECT_TRUE(all[1].session);
  (void)phone;
  (void)bobs;
}

TEST_P(StoreContract, PasswordsKnownClientsAndResetCodes) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.SetPasswordHash(ada, "new-hash"));
    QS_TRY_STATUS(tx.PutKnownClient({"c1", ada, 5, 5}));
    QS_TRY_STATUS(tx.PutKnownClient({"c1", ada, 5, 9}));  // seen again
    QS_TRY_STATUS(tx.PutPasswordReset({ada, "r1", bob, 10, 100}));
    QS_TRY_STATUS(tx.PutPasswordReset({ada, "r2", std::nullopt, 11, 101}));  // replaces r1
    QS_TRY_STATUS(tx.PutIdentityClaim({"ada@lab.org", ada, "x", 1, 2, std::nullopt}));
    QS_TRY_STATUS(tx.PutIdentityClaim({"a@b.org", ada, "y", 1, 2, std::nullopt}));
    return tx.ConfirmIdentityClaim("ada@lab.org", ada, 3);
  }));
  EXPECT_EQ(**Read([&](Tx& tx) { return tx.PasswordHash(ada); }), "new-hash");
  auto st = store_->Transact(TxMode::kWrite,
                             [&](Tx& tx) { return tx.SetPasswordHash(MemberId(999), "h"); });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);

  auto client = *Read([](Tx& tx) { return tx.FindKnownClient("c1"); });
  ASSERT_TRUE(client);
  EXPECT_EQ(client->member, ada);
  EXPECT_EQ(client->created_at, 5);
  EXPECT_EQ(client->last_seen_at, 9);
  EXPECT_FALSE(*Read([](Tx& tx) { return tx.FindKnownClient("c2"); }));

  auto reset = *Read([&](Tx& tx) { return tx.FindPasswordReset(ada); });
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->code_hash, "r2");
  EXPECT_FALSE(reset->issued_by);
  EXPECT_EQ(reset->expires_at, 101);
  EXPECT_FALSE(*Read([&](Tx& tx) { return tx.FindPasswordReset(bob); }));
  EXPECT_TRUE(*Read([&](Tx& tx) { return tx.DeletePasswordReset(ada); }, TxMode::kWrite));
  EXPECT_FALSE(*Read([&](Tx& tx) { return tx.DeletePasswordReset(ada); }, TxMode::kWrite));

  EXPECT_EQ(*Read([&](Tx& tx) { return tx.ProvenEmails(ada); }),
            std::vector<std::string>{"ada@lab.org"});
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.ProvenEmails(bob); })->empty());
}

TEST_P(StoreContract, IdeasSearchPaginateAndCarryBackers) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    for (int i = 1; i <= 5; ++i) {
      QS_TRY(tx.InsertIdea(ada, "Idea " + std::to_string(i), i == 3 ? "Sparse ATTENTION" : "x", i));
    }
    QS_TRY(tx.InsertIdea(bob, "100% literal_match", "y", 6));
    EXPECT_TRUE(*tx.InsertBacking(BackingTarget::kIdea, 3, bob, 7));
    EXPECT_FALSE(*tx.InsertBacking(BackingTarget::kIdea, 3, bob, 8));  // idempotent
    EXPECT_TRUE(*tx.InsertBacking(BackingTarget::kIdea, 3, ada, 9));
    return {};
  }));

  auto first = *Read([](Tx& tx) { return tx.ListIdeas("", Page{2, 0}); });
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, IdeaId(6));
  auto next = *Read([&](Tx& tx) { return tx.ListIdeas("", Page{10, first[1].id.value}); });
  ASSERT_EQ(next.size(), 4u);
  EXPECT_EQ(next[0].id, IdeaId(4));

  auto hits = *Read([](Tx& tx) { return tx.ListIdeas("attention", Page{}); });
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].title, "Idea 3");
  EXPECT_EQ(hits[0].backers, (std::vector<std::string>{"bob", "ada"}));
  EXPECT_EQ(hits[0].author_handle, "ada");
  // LIKE wildcards in the query are literal characters.
  EXPECT_EQ(Read([](Tx& tx) { return tx.ListIdeas("0%", Page{}); })->size(), 1u);
  EXPECT_EQ(Read([](Tx& tx) { return tx.ListIdeas("l_t", Page{}); })->size(), 0u);

  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    EXPECT_TRUE(*tx.DeleteBacking(BackingTarget::kIdea, 3, bob));
    EXPECT_FALSE(*tx.DeleteBacking(BackingTarget::kIdea, 3, bob));
    return {};
  }));
  auto idea = *Read([](Tx& tx) { return tx.FindIdea(IdeaId(3)); });
  ASSERT_TRUE(idea);
  EXPECT_EQ(idea->backers, std::vector<std::string>{"ada"});
}

TEST_P(StoreContract, IdeasAreUpdatedInPlace) {
  const MemberId ada = AddMember("ada");
  IdeaId id;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    id = QS_TRY(tx.InsertIdea(ada, "Sparse attention", "why", 5));
    QS_TRY(tx.InsertIdea(ada, "Other", "untouched", 6));
    return {};
  }));
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.UpdateIdea(id, "Sparser attention", "pitch with 'quotes'");
  }));
  auto idea = *Read([&](Tx& tx) { return tx.FindIdea(id); });
  ASSERT_TRUE(idea);
  EXPECT_EQ(idea->title, "Sparser attention");
  EXPECT_EQ(idea->pitch, "pitch with 'quotes'");
  EXPECT_EQ(idea->created_at, 5);
  EXPECT_EQ(idea->author_handle, "ada");
  auto hits = *Read([](Tx& tx) { return tx.ListIdeas("untouched", Page{}); });
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].title, "Other");
  const Status missing =
      store_->Transact(TxMode::kWrite, [&](Tx& tx) { return tx.UpdateIdea(IdeaId(999), "t", ""); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, InboxListsWhatWaitsForAnAnswer) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  const MemberId cy = AddMember("cy");
  ProjectId sparse, rl;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    Project p;
    p.title = "Sparse attention";
    p.initiator = ada;
    p.created_at = 10;
    sparse = QS_TRY(tx.InsertProject(p));
    p.title = "Pure RL";
    p.initiator = cy;
    rl = QS_TRY(tx.InsertProject(p));
    QS_TRY_STATUS(tx.PutMembership({sparse, ada, "", MembershipState::kActive, ada, "", 10}));
    QS_TRY_STATUS(tx.PutMembership({rl, cy, "", MembershipState::kActive, cy, "", 10}));
    QS_TRY_STATUS(tx.PutMembership({sparse, bob, "", MembershipState::kApplied, bob, "hi", 11}));
    QS_TRY_STATUS(tx.PutMembership({rl, ada, "", MembershipState::kInvited, cy, "join", 12}));
    QS_TRY_STATUS(tx.PutMembership({sparse, cy, "", MembershipState::kInvited, ada, "", 13}));
    QS_TRY_STATUS(tx.PutMembership({rl, bob, "", MembershipState::kDeclined, cy, "", 14}));
    return {};
  }));

  auto awaiting = *Read([&](Tx& tx) { return tx.ListAwaitingAnswer(ada, 200); });
  ASSERT_EQ(awaiting.entries.size(), 2u);
  EXPECT_EQ(awaiting.total, 2);
  EXPECT_EQ(awaiting.entries[0].membership.project, rl);  // newest first
  EXPECT_EQ(awaiting.entries[0].membership.handle, "ada");
  EXPECT_EQ(awaiting.entries[0].membership.state, MembershipState::kInvited);
  EXPECT_EQ(awaiting.entries[0].membership.message, "join");
  EXPECT_EQ(awaiting.entries[0].membership.updated_at, 12);
  EXPECT_EQ(awaiting.entries[0].project_title, "Pure RL");
  EXPECT_EQ(awaiting.entries[0].acted_by_handle, "cy");
  EXPECT_EQ(awaiting.entries[1].membership.handle, "bob");
  EXPECT_EQ(awaiting.entries[1].project_title, "Sparse attention");

  // The bound cuts the list, not the count.
  auto first = *Read([&](Tx& tx) { return tx.ListAwaitingAnswer(ada, 1); });
  ASSERT_EQ(first.entries.size(), 1u);
  EXPECT_EQ(first.total, 2);

  auto asked = *Read([&](Tx& tx) { return tx.ListAskedBy(ada, 200); });
  ASSERT_EQ(asked.entries.size(), 1u);
  EXPECT_EQ(asked.total, 1);
  EXPECT_EQ(asked.entries[0].membership.handle, "cy");
  EXPECT_EQ(asked.entries[0].acted_by_handle, "ada");
  auto bob_asked = *Read([&](Tx& tx) { return tx.ListAskedBy(bob, 200); });
  ASSERT_EQ(bob_asked.entries.size(), 1u);
  EXPECT_EQ(bob_asked.entries[0].membership.project, sparse);
  // Bob is on no project and invited to none: nothing waits for him.
  auto bob_awaiting = *Read([&](Tx& tx) { return tx.ListAwaitingAnswer(bob, 200); });
  EXPECT_TRUE(bob_awaiting.entries.empty());
  EXPECT_EQ(bob_awaiting.total, 0);
  // Cy, a member of Pure RL only, answers her invitation to Sparse attention.
  auto cy_awaiting = *Read([&](Tx& tx) { return tx.ListAwaitingAnswer(cy, 200); });
  ASSERT_EQ(cy_awaiting.entries.size(), 1u);
  EXPECT_EQ(cy_awaiting.entries[0].membership.project, sparse);
}

TEST_P(StoreContract, ProjectsMembershipsAndTasks) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  ProjectId pid;
  TaskId tid;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    Project p;
    p.title = "Sparse attention";
    p.pitch = "why";
    p.initiator = ada;
    p.looking_for = {"CUDA kernels", "data cleaning"};
    p.created_at = 10;
    pid = QS_TRY(tx.InsertProject(p));
    QS_TRY_STATUS(tx.PutMembership({pid, ada, "", MembershipState::kActive, ada, "", 10}));
    QS_TRY_STATUS(tx.PutMembership({pid, bob, "", MembershipState::kApplied, bob, "hi", 11}));
    QS_TRY_STATUS(tx.PutMembership({pid, bob, "", MembershipState::kActive, ada, "hi", 12}));
    Task t;
    t.project = pid;
    t.title = "Write the kernel";
    t.created_by = ada;
    t.created_at = t.updated_at = 13;
    tid = QS_TRY(tx.InsertTask(t));
    return {};
  }));
  auto project = *Read([&](Tx& tx) { return tx.FindProject(pid); });
  ASSERT_TRUE(project);
  EXPECT_EQ(project->looking_for, (std::vector<std::string>{"CUDA kernels", "data cleaning"}));
  EXPECT_EQ(project->initiator_handle, "ada");

  const std::vector<ProjectId> ids{pid};
  auto memberships = *Read([&](Tx& tx) { return tx.ListMemberships(ids); });
  ASSERT_EQ(memberships.size(), 2u);
  EXPECT_EQ(memberships[1].handle, "bob");
  EXPECT_EQ(memberships[1].state, MembershipState::kActive);
  EXPECT_EQ(memberships[1].acted_by, ada);

  auto task = *Read([&](Tx& tx) { return tx.FindTask(tid); });
  ASSERT_TRUE(task);
  EXPECT_EQ(task->state, TaskState::kOpen);
  EXPECT_FALSE(task->holder);
  task->state = TaskState::kClaimed;
  task->holder = bob;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) { return tx.UpdateTask(*task); }));
  auto tasks = *Read([&](Tx& tx) { return tx.ListTasks(pid); });
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].holder_handle, "bob");
}

TEST_P(StoreContract, TheSchemaRefusesATaskHeldWhileOpen) {
  const MemberId ada = AddMember("ada");
  auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    Project p;
    p.title = "p";
    p.initiator = ada;
    const ProjectId pid = QS_TRY(tx.InsertProject(p));
    Task t;
    t.project = pid;
    t.title = "t";
    t.state = TaskState::kOpen;
    t.holder = ada;  // an open task with a holder is an assignment in disguise
    t.created_by = ada;
    QS_TRY(tx.InsertTask(t));
    return {};
  });
  EXPECT_FALSE(st);
}

TEST_P(StoreContract, ForeignKeysAreEnforced) {
  auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(tx.InsertIdea(MemberId(999), "orphan", "", 1));
    return {};
  });
  EXPECT_FALSE(st);
}

TEST_P(StoreContract, JobsNotesBoostsAndPeople) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  ProjectId pid;
  JobId jid;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    Project p;
    p.title = "p";
    p.initiator = ada;
    pid = QS_TRY(tx.InsertProject(p));
    QS_TRY_STATUS(tx.PutMembership({pid, ada, "", MembershipState::kActive, ada, "", 1}));
    QS_TRY(tx.InsertBacking(BackingTarget::kProject, pid.value, bob, 2));
    Job j;
    j.owner = ada;
    j.project = pid;
    j.name = "train";
    j.gpus = 4;
    j.time_limit_s = 7200;
    j.workdir = "/tmp";
    j.env = {{"LR", "3e-4"}, {"EMPTY", ""}};
    j.argv = {"python", "train.py", "--note", "two\nlines:and:colons"};
    j.submitted_at = 10;
    jid = QS_TRY(tx.InsertJob(j));
    return {};
  }));
  auto job = *Read([&](Tx& tx) { return tx.FindJob(jid); });
  ASSERT_TRUE(job);
  EXPECT_EQ(job->owner_handle, "ada");
  EXPECT_EQ(job->argv,
            (std::vector<std::string>{"python", "train.py", "--note", "two\nlines:and:colons"}));
  EXPECT_EQ(job->env,
            (std::vector<std::pair<std::string, std::string>>{{"LR", "3e-4"}, {"EMPTY", ""}}));
  EXPECT_EQ(job->state, JobState::kPending);
  EXPECT_EQ(job->time_limit_s, 7200);
  job->state = JobState::kRunning;
  job->gpu_ids = {0, 3, 5, 6};
  job->run = 1;
  job->run_started_at = 20;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) { return tx.UpdateJob(*job); }));
  auto active = *Read([](Tx& tx) { return tx.ListActiveJobs(); });
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].gpu_ids, (std::vector<int>{0, 3, 5, 6}));
  EXPECT_EQ(active[0].run, 1);
  job->state = JobState::kFailed;
  job->exit_code = 3;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.UpdateJob(*job));
    QS_TRY_STATUS(
        tx.InsertJobNote({0, jid, "", JobOutcome::kNegative, "lr too high diverges", 30}, ada));
    QS_TRY_STATUS(tx.InsertBoost({0, pid, 2.0, 100, "promising", "", 5}, bob));
    return {};
  }));
  EXPECT_TRUE(Read([](Tx& tx) { return tx.ListActiveJobs(); })->empty());
  EXPECT_EQ(Read([&](Tx& tx) { return tx.ListJobs(pid, Page{}); })->size(), 1u);
  auto notes = *Read([&](Tx& tx) { return tx.ListJobNotes(jid); });
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].outcome, JobOutcome::kNegative);
  EXPECT_EQ(notes[0].author_handle, "ada");
  EXPECT_EQ(Read([](Tx& tx) { return tx.ListBoosts(50); })->size(), 1u);
  EXPECT_TRUE(Read([](Tx& tx) { return tx.ListBoosts(100); })->empty());  // expired
  auto people = *Read([](Tx& tx) { return tx.ProjectPeople(); });
  EXPECT_EQ(people[pid.value], std::make_pair(1, 1));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract,
                         ::testing::Values(Backend{"sqlite"}, Backend{"postgres"}),
                         [](const auto& info) { return info.param.name; });

TEST(SqliteStore, PersistsAcrossReopen) {
  TempDir dir;
  {
    auto store = OpenSqliteStore({dir.File("lab.db")});
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Transact(TxMode::kWrite, [](Tx& tx) -> Status {
      QS_TRY(tx.InsertMember({"ada", {"Ada", {}, {}, {}}, "h", true, 1}));
      return {};
    }));
  }
  auto store = OpenSqliteStore({dir.File("lab.db")});
  ASSERT_TRUE(store);
  std::optional<Member> ada;
  ASSERT_TRUE((*store)->Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    ada = QS_TRY(tx.FindMemberByHandle("ada"));
    return {};
  }));
  ASSERT_TRUE(ada);
  EXPECT_TRUE(ada->steward);
}

TEST(SqliteStore, RefusesASchemaNewerThanTheBinary) {
  TempDir dir;
  ASSERT_TRUE(OpenSqliteStore({dir.File("lab.db")}));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("lab.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES(999, 'future', 0)", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore({dir.File("lab.db")});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(store.error().message.find("newer qiusuo"), std::string::npos);
}

TEST_P(StoreContract, TheLedgerAppendsAndFilters) {
  auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    EXPECT_FALSE(QS_TRY(tx.LastLedgerRow()));
    QS_TRY_STATUS(tx.AppendLedger(
        {1, "{entry one}", std::string(64, 'a'), "@ada", "review", 3, "url:x", 100}));
    QS_TRY_STATUS(tx.AppendLedger(
        {2, "{entry two}", std::string(64, 'b'), "@bob", "infra", std::nullopt, "job:7", 101}));
    QS_TRY_STATUS(tx.AppendLedger(
        {3, "{entry three}", std::string(64, 'c'), "@ada", "software", 3, "commit:abc", 102}));
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  auto last = Read([](Tx& tx) { return tx.LastLedgerRow(); });
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->seq, 3);
  EXPECT_EQ((*last)->entry, "{entry three}");
  auto ada = Read([](Tx& tx) { return tx.ListLedger({0, 10, "@ada", std::nullopt, ""}); });
  ASSERT_TRUE(ada);
  ASSERT_EQ(ada->size(), 2u);
  EXPECT_EQ((*ada)[1].evidence, "commit:abc");
  auto project = Read([](Tx& tx) { return tx.ListLedger({1, 10, "", 3, ""}); });
  ASSERT_EQ(project->size(), 1u);
  EXPECT_EQ((*project)[0].seq, 3);
  auto job = Read([](Tx& tx) { return tx.ListLedger({0, 10, "", std::nullopt, "job:7"}); });
  ASSERT_EQ(job->size(), 1u);
  EXPECT_FALSE((*job)[0].project);
  auto hashes = Read([](Tx& tx) { return tx.LedgerLeafHashes(1, 5); });
  EXPECT_EQ(*hashes, (std::vector<std::string>{std::string(64, 'b'), std::string(64, 'c')}));
  // A sequence number is never taken twice.
  auto again = store_->Transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.AppendLedger({3, "{other}", std::string(64, 'd'), "@eve", "review", {}, "", 103});
  });
  EXPECT_FALSE(again);
}

TEST_P(StoreContract, GpuSamplesKeepOnePerMinute) {
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.InsertGpuSample({600, 3, 8}));
    QS_TRY_STATUS(tx.InsertGpuSample({660, 8, 8}));
    return tx.InsertGpuSample({600, 1, 8});  // another replica, the same minute
  }));
  auto all = *Read([](Tx& tx) { return tx.ListGpuSamples(0); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].busy, 3);
  EXPECT_EQ(all[1].at, 660);
  EXPECT_EQ((*Read([](Tx& tx) { return tx.ListGpuSamples(601); })).size(), 1u);
}

// Identity claims keep their wrong tries and the claim mails of a day window, for the
// attempt limit and the rates per member and per address (issue 14).
TEST_P(StoreContract, IdentityClaimsCountTriesAndMails) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  IdentityClaim claim{"lin@example.org", ada, "hash1", 1000, 2000, std::nullopt};
  claim.mails = 2;
  claim.window_from = 900;
  ASSERT_TRUE(Read([&](Tx& tx) { return tx.PutIdentityClaim(claim); }, TxMode::kWrite));
  claim.member = bob;
  claim.mails = 1;
  claim.window_from = 1000;
  ASSERT_TRUE(Read([&](Tx& tx) { return tx.PutIdentityClaim(claim); }, TxMode::kWrite));
  IdentityClaim other{"kim@example.org", ada, "hash2", 1000, 2000, std::nullopt};
  other.mails = 3;
  other.window_from = 500;  // an older window
  ASSERT_TRUE(Read([&](Tx& tx) { return tx.PutIdentityClaim(other); }, TxMode::kWrite));
  EXPECT_EQ(
      *Read([&](Tx& tx) { return tx.MissIdentityClaim("lin@example.org", ada); }, TxMode::kWrite),
      1);
  EXPECT_EQ(
      *Read([&](Tx& tx) { return tx.MissIdentityClaim("lin@example.org", ada); }, TxMode::kWrite),
      2);
  const auto found = Read([&](Tx& tx) { return tx.FindIdentityClaim("lin@example.org", ada); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->attempts, 2);
  EXPECT_EQ((*found)->mails, 2);
  EXPECT_EQ((*found)->window_from, 900);
  EXPECT_EQ((*found)->code_hash, "hash1");
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.IdentityMailsOfMember(ada, 900); }), 2);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.IdentityMailsOfMember(ada, 0); }), 5);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.IdentityMailsToAddress("lin@example.org", 900); }), 3);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.IdentityMailsToAddress("lin@example.org", 950); }), 1);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.IdentityMailsToAddress("nobody@example.org", 0); }), 0);
  // A new code resets the tries; a claim that is not there is not found.
  claim.member = ada;
  claim.code_hash = "hash3";
  claim.attempts = 0;
  ASSERT_TRUE(Read([&](Tx& tx) { return tx.PutIdentityClaim(claim); }, TxMode::kWrite));
  EXPECT_EQ((*Read([&](Tx& tx) { return tx.FindIdentityClaim("lin@example.org", ada); }))->attempts,
            0);
  std::optional<ErrorCode> missing;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const auto r = tx.MissIdentityClaim("nobody@example.org", ada);
    if (!r) missing = r.error().code;
    return {};
  }));
  EXPECT_EQ(missing, ErrorCode::kNotFound);
}

TEST_P(StoreContract, PagedReadsAndCountsForTheLimitsPerMember) {
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  ProjectId pid;
  std::vector<std::int64_t> jobs;
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    for (UnixSeconds at : {100, 200, 300}) QS_TRY(tx.InsertIdea(ada, "i", "", at));
    QS_TRY(tx.InsertIdea(bob, "i", "", 300));
    for (UnixSeconds at : {50, 250}) {
      Project p;
      p.title = "p";
      p.initiator = ada;
      p.created_at = at;
      pid = QS_TRY(tx.InsertProject(p));
    }
    for (int i = 0; i < 5; ++i) {
      Task t;
      t.project = pid;
      t.title = "t" + std::to_string(i);
      t.created_by = ada;
      QS_TRY(tx.InsertTask(t));
      QS_TRY(tx.InsertToken(bob, "hash" + std::to_string(i), "t", i));
    }
    for (int i = 0; i < 5; ++i) {
      Job j;
      j.owner = i < 4 ? ada : bob;
      j.project = pid;
      j.name = "j";
      j.workdir = "/";
      j.argv = {"true"};
      j.state = i == 1 ? JobState::kRunning : i == 2 ? JobState::kSucceeded : JobState::kPending;
      j.submitted_at = i;
      const JobId id = QS_TRY(tx.InsertJob(j));
      Job stored = *QS_TRY(tx.FindJob(id));
      stored.state = j.state;
      QS_TRY_STATUS(tx.UpdateJob(stored));
      if (j.state != JobState::kSucceeded) jobs.push_back(id.value);
    }
    return {};
  }));
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountIdeasSince(ada, 200); }), 2);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountIdeasSince(ada, 301); }), 0);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountProjectsSince(ada, 100); }), 1);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountProjectsSince(bob, 0); }), 0);
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountPendingJobs(ada); }), 2)
      << "running and ended ones do not wait";
  EXPECT_EQ(*Read([&](Tx& tx) { return tx.CountPendingJobs(bob); }), 1);

  std::vector<std::int64_t> queue;
  for (std::int64_t after = 0;;) {
    auto page = *Read([&](Tx& tx) { return tx.ListActiveJobsPage({2, after}); });
    for (const auto& j : page) queue.push_back(j.id.value);
    if (page.size() < 2) break;
    after = page.back().id.value;
  }
  EXPECT_EQ(queue, jobs) << "the active jobs, oldest first, each once";

  auto tasks = *Read([&](Tx& tx) { return tx.ListTasksPage(pid, {3, 0}); });
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].title, "t0");
  auto rest = *Read([&](Tx& tx) { return tx.ListTasksPage(pid, {3, tasks.back().id.value}); });
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].title, "t4");

  auto tokens = *Read([&](Tx& tx) { return tx.ListTokensPage(bob, {3, 0}); });
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].created_at, 4) << "newest first";
  auto older = *Read([&](Tx& tx) { return tx.ListTokensPage(bob, {3, tokens.back().id.value}); });
  ASSERT_EQ(older.size(), 2u);
  EXPECT_EQ(older[1].created_at, 0);
  EXPECT_TRUE(Read([&](Tx& tx) { return tx.ListTokensPage(ada, {3, 0}); })->empty());
}

TEST_P(StoreContract, RewardRoundsKeepTheirSettingsAndPoints) {
  const MemberId steward = AddMember("steward");
  const MemberId ada = AddMember("ada");
  const MemberId bob = AddMember("bob");
  RewardRound round;
  round.settings = {"2026 H2", 1'000'000, "CNY", 100, 200, 600, {{"review", {2000, 0}}}};
  round.created_at = 50;
  std::int64_t id = 0;
  auto st = store_->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    id = QS_TRY(tx.InsertRewardRound(round, steward));
    QS_TRY_STATUS(tx.PutRewardPoints(id, ada, {{bob, 70, "kernels"}, {steward, 30, ""}}));
    QS_TRY_STATUS(tx.PutRewardPoints(id, ada, {{bob, 60, "kernels"}}));  // replaces
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
  auto found = Read([&](Tx& tx) { return tx.FindRewardRound(id); });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->settings.alpha_milli, 600);
  EXPECT_EQ((*found)->settings.weights.at("review").per_entry_milli, 2000);
  EXPECT_EQ((*found)->opened_by, "steward");
  EXPECT_EQ((*found)->state, RoundState::kOpen);
  auto points = Read([&](Tx& tx) { return tx.ListRewardPoints(id); });
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(std::get<2>((*points)[0]), 60);
  // Never to oneself, at the database too.
  auto self = store_->Transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.PutRewardPoints(id, ada, {{ada, 10, ""}});
  });
  EXPECT_FALSE(self);
  ASSERT_TRUE(store_->Transact(TxMode::kWrite,
                               [&](Tx& tx) { return tx.CloseRewardRound(id, 300, "ada 1\n"); }));
  EXPECT_EQ((*Read([&](Tx& tx) { return tx.FindRewardRound(id); }))->state, RoundState::kClosed);
}

// Rule 6 at the lowest level: the database itself refuses to change or remove an
// entry, whatever program talks to it.
TEST(SqliteStore, TheDatabaseRefusesToUpdateOrDeleteTheLedger) {
  TempDir dir;
  {
    auto store = OpenSqliteStore({dir.File("lab.db")});
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->Transact(TxMode::kWrite, [](Tx& tx) {
      return tx.AppendLedger({1, "{e}", std::string(64, 'a'), "@ada", "review", {}, "", 1});
    }));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("lab.db").c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE ledger SET entry = 'forged' WHERE seq = 1",
                          "DELETE FROM ledger WHERE seq = 1", "DELETE FROM ledger"}) {
    char* error = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << sql;
    EXPECT_NE(std::string(error ? error : "").find("append-only"), std::string::npos) << sql;
    sqlite3_free(error);
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT entry FROM ledger WHERE seq = 1", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "{e}");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStore, ExplainsADatabaseItCannotOpen) {
  auto store = OpenSqliteStore({"/nonexistent-dir/lab.db"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find("/nonexistent-dir/lab.db"), std::string::npos);
}

// Rule 6 on PostgreSQL: its own trigger refuses UPDATE, DELETE and TRUNCATE, whatever
// program talks to it.
TEST(PostgresStore, TheDatabaseRefusesToUpdateDeleteOrTruncateTheLedger) {
  if (!test_support::TestDatabase::Available()) GTEST_FAIL() << test_support::TestDatabase::kHowTo;
  test_support::TestDatabase db;
  {
    auto store = OpenPostgresStore({db.Url()});
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->Transact(TxMode::kWrite, [](Tx& tx) {
      return tx.AppendLedger({1, "{e}", std::string(64, 'a'), "@ada", "review", {}, "", 1});
    }));
  }
  pqxx::connection c(db.Url());
  for (const char* sql :
       {"UPDATE ledger SET entry = 'forged' WHERE seq = 1", "DELETE FROM ledger WHERE seq = 1",
        "DELETE FROM ledger", "TRUNCATE ledger", "DELETE FROM ledger_checkpoints"}) {
    pqxx::work w(c);
    w.exec("INSERT INTO ledger_checkpoints VALUES(1, 'r', 1, 's') ON CONFLICT DO NOTHING");
    try {
      w.exec(sql);
      ADD_FAILURE() << "the database accepted: " << sql;
    } catch (const pqxx::sql_error& e) {
      EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
    }
  }
  pqxx::work r(c);
  EXPECT_EQ(r.exec("SELECT entry FROM ledger WHERE seq = 1")[0][0].as<std::string>(), "{e}");
}

// One scheduler among replicas (store/leader.h): one leadership at a time holds the
// lock; the lock goes with its connection, closed or killed, and another takes it.
TEST(PostgresStore, OneReplicaLeadsAndAnotherTakesOverWhenItsConnectionCloses) {
  if (!test_support::TestDatabase::Available()) GTEST_FAIL() << test_support::TestDatabase::kHowTo;
  test_support::TestDatabase db;
  ASSERT_TRUE(OpenPostgresStore({db.Url()}));
  auto a = MakePostgresLeadership({db.Url()});
  auto b = MakePostgresLeadership({db.Url()});
  EXPECT_TRUE(a->Lead());
  EXPECT_FALSE(b->Lead());
  EXPECT_TRUE(a->Lead()) << "the leader keeps its lead";
  EXPECT_FALSE(b->Lead()) << "and the other keeps trying, without waiting";
  a.reset();  // the leader stops: its connection closes, and the database frees the lock
  bool b_leads = false;
  for (int attempt = 0; attempt < 1000 && !b_leads; ++attempt) b_leads = b->Lead();
  EXPECT_TRUE(b_leads);

  // The leader's connection dies under it (a crash, a network cut): the database
  // frees the lock, another replica takes it, and the old leader knows it lost.
  auto c = MakePostgresLeadership({db.Url()});
  EXPECT_FALSE(c->Lead());
  {
    pqxx::connection admin(db.Url());
    pqxx::nontransaction w(admin);
    const auto killed = w.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
        "((classid::bigint << 32) | objid::bigint) = 124957045187440 AND granted");
    ASSERT_EQ(killed.size(), 1u);
  }
  bool c_leads = false;
  for (int attempt = 0; attempt < 1000 && !c_leads; ++attempt) c_leads = c->Lead();
  EXPECT_TRUE(c_leads) << "the lock is freed when the backend ends";
  EXPECT_FALSE(b->Lead()) << "a leader whose connection died leads no more";
  EXPECT_FALSE(b->Lead()) << "and does not take the lead back while another holds it";
  c.reset();
  bool b_again = false;
  for (int attempt = 0; attempt < 1000 && !b_again; ++attempt) b_again = b->Lead();
  EXPECT_TRUE(b_again) << "it reconnects and can lead again";
}

// A SQLite lab has one server process, and it leads.
TEST(SqliteStore, TheOneProcessAlwaysLeads) {
  SoleLeadership sole;
  EXPECT_TRUE(sole.Lead());
}

TEST(PostgresStore, RefusesASchemaNewerThanTheBinary) {
  if (!test_support::TestDatabase::Available()) GTEST_FAIL() << test_support::TestDatabase::kHowTo;
  test_support::TestDatabase db;
  ASSERT_TRUE(OpenPostgresStore({db.Url()}));
  {
    pqxx::connection c(db.Url());
    pqxx::work w(c);
    w.exec("INSERT INTO schema_migrations VALUES(999, 'future', 0)");
    w.commit();
  }
  auto store = OpenPostgresStore({db.Url()});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(store.error().message.find("schema version 999"), std::string::npos);
  EXPECT_NE(store.error().message.find("run a newer qiusuo"), std::string::npos);
}

// A wrong URL, an unreachable server and a missing database each give one line that
// names the database (without its password) and what to check.
TEST(PostgresStore, ExplainsADatabaseItCannotReachInOneLine) {
  auto bad_scheme = OpenPostgresStore({"mysql://ada:secret@db/lab"});
  ASSERT_FALSE(bad_scheme);
  EXPECT_EQ(bad_scheme.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_scheme.error().message.find("postgresql://user@host:5432/qiusuo"),
            std::string::npos);
  EXPECT_EQ(bad_scheme.error().message.find("secret"), std::string::npos);

  // Port 1 on loopback: nothing listens there.
  auto unreachable = OpenPostgresStore({"postgresql://ada:secret@127.0.0.1:1/lab"});
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unreachable.error().message.find('\n'), std::string::npos)
      << unreachable.error().message;
  EXPECT_EQ(unreachable.error().message.find("secret"), std::string::npos);
  EXPECT_NE(unreachable.error().message.find("postgresql://ada:***@127.0.0.1:1/lab"),
            std::string::npos)
      << unreachable.error().message;

  ASSERT_TRUE(test_support::TestDatabase::Available()) << test_support::TestDatabase::kHowTo;
  const std::string server = *test_support::TestDatabase::ServerUrl();
  auto missing = OpenPostgresStore({server.substr(0, server.rfind('/') + 1) + "no_such_lab"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message.find('\n'), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("no_such_lab"), std::string::npos);
}

// The database ends the connections a server keeps idle (a restart, a proxy's
// timeout): the next use case gets a fresh connection instead of an error.
TEST(PostgresStore, AConnectionThatWentStaleIsReplaced) {
  if (!test_support::TestDatabase::Available()) GTEST_FAIL() << test_support::TestDatabase::kHowTo;
  test_support::TestDatabase db;
  auto store = OpenPostgresStore({db.Url(), 2});
  ASSERT_TRUE(store) << store.error().message;
  auto count = [&] { return Read(**store, [](Tx& tx) { return tx.CountMembers(); }); };
  ASSERT_TRUE(count());
  {
    pqxx::connection c(db.Url());
    pqxx::work w(c);
    const auto ended = w.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ASSERT_GE(ended.size(), 1u);
  }
  auto again = count();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
}

TEST(PostgresStore, RedactsThePasswordOfAUrl) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://ada:pw@db:5432/lab"),
            "postgresql://ada:***@db:5432/lab");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://ada@db/lab"), "postgresql://ada@db/lab");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db:5432/lab"), "postgresql://db:5432/lab");
}

// Everything of a lab, as raw rows per table.
std::map<std::string, std::vector<RawRow>> Dump(Store& store) {
  std::map<std::string, std::vector<RawRow>> out;
  EXPECT_TRUE(store.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    for (const auto table : kLabTables) {
      auto& rows = out[std::string(table)];
      QS_TRY_STATUS(tx.ScanTable(table, [&](const RawRow& r) -> Status {
        rows.push_back(r);
        return {};
      }));
    }
    return {};
  }));
  return out;
}

// SQLite -> PostgreSQL -> SQLite keeps every row of every table; ids continue after
// the copied ones; a target that holds anything is refused.
TEST(CopyLab, ARoundTripThroughPostgresKeepsEveryRow) {
  if (!test_support::TestDatabase::Available()) GTEST_FAIL() << test_support::TestDatabase::kHowTo;
  TempDir dir;
  auto sqlite = OpenSqliteStore({dir.File("a.db")});
  ASSERT_TRUE(sqlite);
  MemberId ada;
  ASSERT_TRUE((*sqlite)->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    ada = QS_TRY(tx.InsertMember({"ada", {"Ada", {"ada@lab.org"}, {}, {}}, "h1", true, 1}));
    const MemberId bob = QS_TRY(tx.InsertMember({"bob", {"Bob", {}, {}, {}}, "h2", false, 2}));
    const IdeaId idea = QS_TRY(tx.InsertIdea(ada, "Idea", "pitch with 'quotes' and \"more\"", 3));
    QS_TRY(tx.InsertBacking(BackingTarget::kIdea, idea.value, bob, 4));
    Project p;
    p.title = "P";
    p.idea = idea;
    p.initiator = ada;
    p.looking_for = {"evals", "data"};
    const ProjectId pid = QS_TRY(tx.InsertProject(p));
    QS_TRY_STATUS(tx.PutMembership({pid, bob, "", MembershipState::kApplied, bob, "hi", 5}));
    QS_TRY_STATUS(tx.InsertBoost({0, pid, 1.5, 99, "a reason", "", 6}, ada));
    QS_TRY_STATUS(tx.AppendLedger({1, "{one}", std::string(64, 'a'), "@ada", "idea", {}, "", 7}));
    QS_TRY_STATUS(
        tx.AppendLedger({2, "{two}", std::string(64, 'b'), "@bob", "review", pid.value, "x", 8}));
    QS_TRY_STATUS(tx.InsertCheckpoint({2, std::string(64, 'c'), 9, "sig"}));
    return {};
  }));

  test_support::TestDatabase db;
  auto pg = OpenPostgresStore({db.Url()});
  ASSERT_TRUE(pg) << pg.error().message;
  std::vector<std::string> seen;
  auto counts = CopyLab(**sqlite, **pg, [&](std::string_view t, std::int64_t, std::int64_t) {
    seen.emplace_back(t);
  });
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->size(), std::size(kLabTables));
  for (const auto& c : *counts) EXPECT_EQ(c.from, c.to) << c.table;
  EXPECT_EQ(seen.size(), std::size(kLabTables));

  auto back = OpenSqliteStore({dir.File("b.db")});
  ASSERT_TRUE(back);
  ASSERT_TRUE(CopyLab(**pg, **back, nullptr));
  EXPECT_EQ(Dump(**sqlite), Dump(**back));

  // The copy is a working lab: the next member gets the next id, the boost its factor.
  MemberId eve;
  ASSERT_TRUE((*pg)->Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    eve = QS_TRY(tx.InsertMember({"eve", {"Eve", {}, {}, {}}, "h3", false, 10}));
    return {};
  }));
  EXPECT_EQ(eve.value, 3);
  ASSERT_TRUE((*pg)->Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    const auto boosts = QS_TRY(tx.ListBoosts(0));
    EXPECT_EQ(boosts.size(), 1u);
    if (!boosts.empty()) {
      EXPECT_EQ(boosts[0].factor, 1.5);
    }
    return {};
  }));

  auto again = CopyLab(**sqlite, **pg, nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(again.error().message.find("already holds a lab (members: 3"), std::string::npos)
      << again.error().message;
}

}  // namespace
}  // namespace qiusuo
