#pragma once
// The lab's people and work as stored: members, API tokens (sessions), sign-up
// invitations, ideas and their backers, projects, memberships and tasks. Part of Tx;
// service code that touches only these takes a LabTx.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "core/membership.h"
#include "core/model.h"
#include "core/task.h"
#include "store/page.h"

namespace qiusuo {

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
  bool session = false;  // from signing in (idle and absolute expiry), else an API token
  UnixSeconds last_used_at = 0;
};

// A client (browser, CLI config) that signed in as `member` with the right password.
struct KnownClient {
  std::string client_hash;
  MemberId member;
  UnixSeconds created_at = 0;
  UnixSeconds last_seen_at = 0;
};

// A member's one live password reset code, stored as its hash.
struct PasswordReset {
  MemberId member;
  std::string code_hash;
  std::optional<MemberId> issued_by;  // the steward who issued it; empty: mailed on request
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

struct SignupInvite {
  std::string code_hash;
  MemberId created_by;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::optional<MemberId> used_by;
};

// A membership that waits for an answer, with what a list of them shows.
struct InboxEntry {
  Membership membership;
  std::string project_title;
  std::string acted_by_handle;  // who made the last act: the applicant or the inviter
};

struct InboxList {
  std::vector<InboxEntry> entries;  // newest first, at most the limit asked for
  std::int64_t total = 0;           // how many match, past the limit too
};

class LabTx {
 public:
  virtual ~LabTx() = default;

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
  // Inserts a session (a token from signing in) rather than an API token.
  virtual Result<TokenId> InsertSession(MemberId member, std::string_view token_hash,
                                        UnixSeconds now) = 0;
  // Notes that a token was used at `now`.
  virtual Status TouchToken(TokenId id, UnixSeconds now) = 0;
  // Revokes every live token (sessions and API tokens) of `member` but `keep`;
  // returns how many it revoked.
  virtual Result<std::int64_t> RevokeMemberTokens(MemberId member, std::optional<TokenId> keep,
                                                  UnixSeconds now) = 0;
  virtual Status SetPasswordHash(MemberId id, std::string_view password_hash) = 0;

  // Known clients, by the hash of their secret. Insert replaces one with the same hash.
  virtual Status PutKnownClient(const KnownClient& client) = 0;
  virtual Result<std::optional<KnownClient>> FindKnownClient(std::string_view client_hash) = 0;

  // Password reset codes: Put replaces the member's live one, Delete returns false
  // when there was none.
  virtual Status PutPasswordReset(const PasswordReset& reset) = 0;
  virtual Result<std::optional<PasswordReset>> FindPasswordReset(MemberId member) = 0;
  virtual Result<bool> DeletePasswordReset(MemberId member) = 0;
  // The addresses `member` proved (confirmed identity claims), in address order.
  virtual Result<std::vector<std::string>> ProvenEmails(MemberId member) = 0;

  // Sign-up invitations for invite-only labs, stored as hashes of the code.
  virtual Status InsertSignupInvite(const SignupInvite& invite) = 0;
  virtual Result<std::optional<SignupInvite>> FindSignupInvite(std::string_view code_hash) = 0;
  virtual Status UseSignupInvite(std::string_view code_hash, MemberId used_by) = 0;

  // Ideas. `query` matches title or pitch, case-insensitive; empty matches all.
  virtual Result<IdeaId> InsertIdea(MemberId author, std::string_view title, std::string_view pitch,
                                    UnixSeconds now) = 0;
  virtual Result<std::optional<Idea>> FindIdea(IdeaId id) = 0;
  virtual Result<std::vector<Idea>> ListIdeas(std::string_view query, Page page) = 0;
  // Replaces an idea's title and pitch; kNotFound when there is no such idea.
  virtual Status UpdateIdea(IdeaId id, std::string_view title, std::string_view pitch) = 0;

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
  // What waits for `member`'s answer: invitations to them, and applications (by
  // others) to projects they are an active member of. At most `limit`, newest first.
  virtual Result<InboxList> ListAwaitingAnswer(MemberId member, int limit) = 0;
  // What `member` asked that waits for others: their own applications, and the
  // invitations they sent. At most `limit`, newest first.
  virtual Result<InboxList> ListAskedBy(MemberId member, int limit) = 0;

  // Tasks.
  virtual Result<TaskId> InsertTask(const Task& t) = 0;
  virtual Result<std::optional<Task>> FindTask(TaskId id) = 0;
  virtual Status UpdateTask(const Task& t) = 0;
  virtual Result<std::vector<Task>> ListTasks(ProjectId project) = 0;

  // Paged and counted reads, for listings that can grow and for the per-member
  // limits (service/limits.h).
  virtual Result<std::vector<Task>> ListTasksPage(ProjectId project, PageAfter page) = 0;
  // A member's tokens, newest first.
  virtual Result<std::vector<TokenRecord>> ListTokensPage(MemberId member, Page page) = 0;
  // Ideas `author` posted, and projects `initiator` started, at or after `since`.
  virtual Result<std::int64_t> CountIdeasSince(MemberId author, UnixSeconds since) = 0;
  virtual Result<std::int64_t> CountProjectsSince(MemberId initiator, UnixSeconds since) = 0;
};

}  // namespace qiusuo
