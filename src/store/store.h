#pragma once
// One storage interface for the lab. Implementations: sqlite/ (the default) and,
// later, postgres/; both pass store_contract_test.cc.
//
// Every use case runs inside Store::Transact: the function sees a Tx, and either
// everything it wrote is committed or nothing is. The store keeps data, it does
// not decide rules: who may do what lives in core/ and service/.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "common/error.h"
#include "core/contribution.h"
#include "core/job.h"
#include "core/membership.h"
#include "core/model.h"
#include "core/reward.h"
#include "core/task.h"

namespace qiusuo {

// Keyset pagination, newest first: items with id < before (0 = from the newest).
struct Page {
  int limit = 50;
  std::int64_t before = 0;
};

struct NewMember {
  std::string handle;
  MemberProfile profile;
  std::string password_hash;
  bool steward = false;
  UnixSeconds now = 0;
};

struct TokenRecord {
  TokenId id;
  MemberId member;
  std::string name;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> revoked_at;
};

struct SignupInvite {
  std::string code_hash;
  MemberId created_by;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::optional<MemberId> used_by;
};

// One ledger entry as stored: its canonical bytes and leaf hash (ledger/ledger.h),
// and a few of its fields again, for lookups.
struct LedgerRow {
  std::int64_t seq = 0;
  std::string entry;
  std::string leaf_hash;  // hex
  std::string contributor;
  std::string kind;
  std::optional<std::int64_t> project;
  std::string evidence;
  UnixSeconds at = 0;
};

// Entries after `after_seq`, oldest first; empty filters match everything.
struct LedgerQuery {
  std::int64_t after_seq = 0;
  int limit = 1000;
  std::string contributor;
  std::optional<std::int64_t> project;
  std::string evidence;
};

struct StoredCheckpoint {
  std::int64_t tree_size = 0;
  std::string root;  // hex
  UnixSeconds at = 0;
  std::string signature;  // hex
};

struct IdentityClaim {
  std::string email;  // lowercase
  MemberId member;
  std::string code_hash;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::optional<UnixSeconds> confirmed_at;
};

struct RewardRound {
  std::int64_t id = 0;
  RewardSettings settings;
  std::string state;      // open, closed
  std::string opened_by;  // handle, filled on reads
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> closed_at;
  std::string payout;  // JSON, once closed
};

// Every table of a lab, parents before children: the order in which a whole lab is
// copied between stores (qiusuo migrate, backup and restore of PostgreSQL).
inline constexpr std::string_view kLabTables[] = {"members",
                                                  "tokens",
                                                  "signup_invites",
                                                  "ideas",
                                                  "backings",
                                                  "projects",
                                                  "memberships",
                                                  "tasks",
                                                  "jobs",
                                                  "job_notes",
                                                  "boosts",
                                                  "ledger",
                                                  "ledger_checkpoints",
                                                  "reward_rounds",
                                                  "reward_points",
                                                  "identity_claims",
                                                  "gpu_samples"};

// A row as text, in its table's column order; NULL is nullopt.
using RawRow = std::vector<std::optional<std::string>>;

struct GpuSample {
  UnixSeconds at = 0;  // the minute
  int busy = 0;
  int total = 0;
};

class Tx {
 public:
  virtual ~Tx() = default;

  // Whole tables, for copying a lab between stores. `table` must be in kLabTables.
  virtual Result<std::vector<std::string>> TableColumns(std::string_view table) = 0;
  virtual Result<std::int64_t> CountRows(std::string_view table) = 0;
  // Every row, in primary-key order.
  virtual Status ScanTable(std::string_view table,
                           const std::function<Status(const RawRow&)>& row) = 0;
  // Inserts rows as they are, ids included; later inserts get ids after them.
  virtual Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                            const std::vector<RawRow>& rows) = 0;

  // Members. InsertMember fails with kAlreadyExists when the handle is taken.
  virtual Result<MemberId> InsertMember(const NewMember& m) = 0;
  virtual Result<std::optional<Member>> FindMember(MemberId id) = 0;
  virtual Result<std::optional<Member>> FindMemberByHandle(std::string_view handle) = 0;
  virtual Result<std::optional<std::string>> PasswordHash(MemberId id) = 0;
  virtual Result<std::vector<Member>> ListMembers(Page page) = 0;
  virtual Result<std::int64_t> CountMembers() = 0;
  virtual Status UpdateProfile(MemberId id, const MemberProfile& profile) = 0;

  // API tokens, stored as SHA-256 hashes only.
  virtual Result<TokenId> InsertToken(MemberId member, std::string_view token_hash,
                                      std::string_view name, UnixSeconds now) = 0;
  // Only live (unrevoked) tokens are found.
  virtual Result<std::optional<TokenRecord>> FindLiveToken(std::string_view token_hash) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens(MemberId member) = 0;
  // Revokes a live token of `member`; false when there is none with that id.
  virtual Result<bool> RevokeToken(MemberId member, TokenId id, UnixSeconds now) = 0;

  // Sign-up invitations for invite-only labs, stored as hashes of the code.
  virtual Status InsertSignupInvite(const SignupInvite& invite) = 0;
  virtual Result<std::optional<SignupInvite>> FindSignupInvite(std::string_view code_hash) = 0;
  virtual Status UseSignupInvite(std::string_view code_hash, MemberId used_by) = 0;

  // Ideas. `query` matches title or pitch, case-insensitive; empty matches all.
  virtual Result<IdeaId> InsertIdea(MemberId author, std::string_view title, std::string_view pitch,
                                    UnixSeconds now) = 0;
  virtual Result<std::optional<Idea>> FindIdea(IdeaId id) = 0;
  virtual Result<std::vector<Idea>> ListIdeas(std::string_view query, Page page) = 0;

  // Backing an idea or a project. Insert returns false when it already existed,
  // Delete returns false when there was none.
  virtual Result<bool> InsertBacking(BackingTarget target, std::int64_t target_id, MemberId member,
                                     UnixSeconds now) = 0;
  virtual Result<bool> DeleteBacking(BackingTarget target, std::int64_t target_id,
                                     MemberId member) = 0;

  // Projects.
  virtual Result<ProjectId> InsertProject(const Project& p) = 0;
  virtual Result<std::optional<Project>> FindProject(ProjectId id) = 0;
  virtual Result<std::vector<Project>> ListProjects(Page page) = 0;
  virtual Status UpdateLookingFor(ProjectId id, const std::vector<std::string>& roles) = 0;

  // Memberships: one record per (project, member), its state kept current.
  virtual Result<std::optional<Membership>> FindMembership(ProjectId project, MemberId member) = 0;
  virtual Status PutMembership(const Membership& m) = 0;
  virtual Result<std::vector<Membership>> ListMemberships(std::span<const ProjectId> projects) = 0;

  // Tasks.
  virtual Result<TaskId> InsertTask(const Task& t) = 0;
  virtual Result<std::optional<Task>> FindTask(TaskId id) = 0;
  virtual Status UpdateTask(const Task& t) = 0;
  virtual Result<std::vector<Task>> ListTasks(ProjectId project) = 0;

  // Jobs. UpdateJob writes every mutable field (state, run, GPUs, stop, exit, times).
  virtual Result<JobId> InsertJob(const Job& job) = 0;
  virtual Result<std::optional<Job>> FindJob(JobId id) = 0;
  virtual Status UpdateJob(const Job& job) = 0;
  // Pending, preempted and running jobs, oldest first.
  virtual Result<std::vector<Job>> ListActiveJobs() = 0;
  // Newest first; an empty project lists all.
  virtual Result<std::vector<Job>> ListJobs(std::optional<ProjectId> project, Page page) = 0;
  virtual Status InsertJobNote(const JobNote& note, MemberId author) = 0;
  virtual Result<std::vector<JobNote>> ListJobNotes(JobId job) = 0;

  // Boosts, and what a project's scheduling weight is made of.
  virtual Status InsertBoost(const ProjectBoost& boost, MemberId granted_by) = 0;
  // Boosts still live at `now`; all of them when now is 0.
  virtual Result<std::vector<ProjectBoost>> ListBoosts(UnixSeconds now) = 0;
  // project -> (active members, backers), for every project.
  virtual Result<std::map<std::int64_t, std::pair<int, int>>> ProjectPeople() = 0;

  // The ledger. Rows are only ever appended; the database refuses UPDATE and DELETE.
  virtual Result<std::optional<LedgerRow>> LastLedgerRow() = 0;
  virtual Status AppendLedger(const LedgerRow& row) = 0;
  virtual Result<std::vector<LedgerRow>> ListLedger(const LedgerQuery& query) = 0;
  // Leaf hashes (hex) of entries after_seq+1 .. after_seq+limit.
  virtual Result<std::vector<std::string>> LedgerLeafHashes(std::int64_t after_seq, int limit) = 0;
  virtual Status InsertCheckpoint(const StoredCheckpoint& cp) = 0;
  virtual Result<std::optional<StoredCheckpoint>> LatestCheckpoint() = 0;

  // Busy GPUs once a minute. A second sample of the same minute (another replica) is
  // dropped. List returns samples at or after `since`, oldest first.
  virtual Status InsertGpuSample(const GpuSample& sample) = 0;
  virtual Result<std::vector<GpuSample>> ListGpuSamples(UnixSeconds since) = 0;

  // Identity claims; Put replaces a member's pending claim of the same email.
  virtual Status PutIdentityClaim(const IdentityClaim& claim) = 0;
  virtual Result<std::optional<IdentityClaim>> FindIdentityClaim(std::string_view email,
                                                                 MemberId member) = 0;
  // The member who proved this email, if anyone has.
  virtual Result<std::optional<MemberId>> IdentityOwner(std::string_view email) = 0;
  virtual Status ConfirmIdentityClaim(std::string_view email, MemberId member, UnixSeconds at) = 0;

  // Reward rounds and their peer points.
  virtual Result<std::int64_t> InsertRewardRound(const RewardRound& round, MemberId opened_by) = 0;
  virtual Result<std::optional<RewardRound>> FindRewardRound(std::int64_t id) = 0;
  virtual Result<std::vector<RewardRound>> ListRewardRounds() = 0;
  virtual Status CloseRewardRound(std::int64_t id, UnixSeconds at, const std::string& payout) = 0;
  // Replaces everything `giver` gave in the round.
  virtual Status PutRewardPoints(
      std::int64_t round, MemberId giver,
      const std::vector<std::tuple<MemberId, std::int64_t, std::string>>& points) = 0;
  // (giver handle, receiver handle, points, note), in giver then receiver order.
  virtual Result<std::vector<std::tuple<std::string, std::string, std::int64_t, std::string>>>
  ListRewardPoints(std::int64_t round) = 0;
};

enum class TxMode { kRead, kWrite };

class Store;

// Runs `fn(tx)`, which returns a Result<T>, in one read transaction and yields that
// result: the common shape of a use case that only looks.
template <typename F>
auto Read(Store& store, F&& fn) -> std::invoke_result_t<F&, Tx&>;

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in one transaction; commits when it returns success, rolls back
  // otherwise. Errors of the database itself come back as kUnavailable/kInternal.
  virtual Status Transact(TxMode mode, const std::function<Status(Tx&)>& fn) = 0;
  // The schema version the database is at.
  virtual Result<int> SchemaVersion() = 0;
};

template <typename F>
auto Read(Store& store, F&& fn) -> std::invoke_result_t<F&, Tx&> {
  std::invoke_result_t<F&, Tx&> out =
      std::unexpected(Error{ErrorCode::kInternal, "the read did not run", {}});
  QS_TRY_STATUS(store.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    out = fn(tx);
    if (!out) return std::unexpected(out.error());
    return {};
  }));
  return out;
}

}  // namespace qiusuo
