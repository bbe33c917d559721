#pragma once
// Every user action of the lab as one function: it checks who is asking and whether
// they may, validates input, and does its work inside one store transaction. The
// HTTP API, the CLI (through the API) and the demo seeder all come through here.

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "core/membership.h"
#include "core/model.h"
#include "core/task.h"
#include "crypto/crypto.h"
#include "service/limits.h"
#include "store/store.h"

namespace qiusuo {

struct LabConfig {
  bool open_signup = true;  // false: sign-up needs an invitation code from a member
  crypto::PasswordCost password_cost = crypto::InteractiveCost();
  // Sign-in brakes, each counting failures within login_window_s, then 429. A client
  // that signed in as the handle before (its known-client secret) is braked by
  // login_failures_per_client alone, so strangers cannot lock a member out.
  int login_failures_per_pair = 5;      // per (handle, client address)
  int login_failures_per_handle = 100;  // per handle, across addresses (unknown clients)
  int login_failures_per_remote = 30;   // per address, across handles (credential stuffing)
  int login_failures_per_client = 10;   // per known client
  int login_window_s = 15 * 60;
  int signup_invite_ttl_s = 14 * 24 * 3600;
  int signups_per_remote = 10;  // sign-up attempts per client address within signup_window_s
  int signup_window_s = 3600;
  // A session (a token from signing in) ends after this long unused, and this long
  // after sign-in whatever happens; an API token after api_token_idle_s unused (0: never).
  int session_idle_s = 7 * 24 * 3600;
  int session_max_age_s = 30 * 24 * 3600;
  int api_token_idle_s = 90 * 24 * 3600;
  int reset_code_ttl_s = 2 * 3600;    // a password reset code's life
  int reset_requests_per_handle = 3;  // mailed reset codes per handle within login_window_s
  MemberLimits limits;                // abuse limits per member, never on GPUs (service/limits.h)
};

// Sends one mail (to, subject, text); kUnavailable when it cannot.
using AccountMailer = std::function<Status(const std::string& to, const std::string& subject,
                                           const std::string& text)>;

// Who is asking, as established by Authenticate.
struct Caller {
  MemberId id;
  std::string handle;
  bool steward = false;
  TokenId token;  // the token this request came with
};

template <typename T>
struct Listing {
  std::vector<T> items;
  std::optional<std::int64_t> next_before;  // pass as Page::before for the next page
};

struct IssuedToken {
  TokenId id;
  std::string token;  // shown once; only its hash is stored
  Member member;
  // The known-client secret for the client to keep and send with its next sign-in;
  // only its hash is stored.
  std::string client;
};

// A one-time password reset code, shown once to whoever issued it.
struct IssuedReset {
  std::string handle;
  std::string code;
  UnixSeconds expires_at = 0;
};

struct SignUpRequest {
  std::string handle;
  std::string password;
  MemberProfile profile;
  std::string invite_code;  // needed when sign-up is invite-only
  std::string remote;       // the client's address; empty (in-process callers): no rate
};

struct StartProjectRequest {
  std::string title;  // defaults to the idea's title when started from an idea
  std::string pitch;  // defaults to the idea's pitch
  std::optional<IdeaId> idea;
  std::vector<std::string> looking_for;
};

struct ProjectView {
  Project project;
  std::vector<Membership> memberships;  // every state, so pending requests are visible
};

// The memberships that wait for an answer, as the caller's inbox shows them: each
// list newest first and at most kInboxLimit long, its total counting past that.
struct Inbox {
  InboxList awaiting;  // waiting for the caller's answer
  InboxList asked;     // what the caller asked, waiting for others
};
inline constexpr int kInboxLimit = 200;

class Lab {
 public:
  Lab(Store& store, const Clock& clock, LabConfig config);

  const LabConfig& config() const { return config_; }

  // Accounts.
  // Creates the first member as steward; fails when the lab has members already.
  Result<Member> Init(const std::string& handle, const std::string& password,
                      MemberProfile profile);
  Result<Member> SignUp(SignUpRequest request);
  // Checks a password and issues a session. Failures are braked per (handle,
  // address), per address and per handle; `client`, the known-client secret of an
  // earlier sign-in as this handle, is braked on its own instead (see LabConfig).
  Result<IssuedToken> Login(const std::string& handle, const std::string& password,
                            const std::string& remote, const std::string& client = {});
  // The caller of a live token; a session past its idle or absolute expiry, or an API
  // token past its idle expiry, is refused with a message to sign in again.
  Result<Caller> Authenticate(std::string_view token);
  // When `t` expires if unused from now on (nullopt: never).
  std::optional<UnixSeconds> ExpiresAt(const TokenRecord& t) const;
  Result<IssuedToken> CreateToken(const Caller& caller, std::string name);
  Result<std::vector<TokenRecord>> ListTokens(const Caller& caller);
  Status RevokeToken(const Caller& caller, TokenId id);
  // A one-time sign-up code for an invite-only lab; any member may make one.
  Result<std::string> CreateSignupInvite(const Caller& caller);

  // Passwords and sessions.
  // Changes the caller's password given the current one (wrong ones count against
  // the sign-in brake of (handle, remote)); ends every other session and API token
  // of the caller. Returns how many it ended.
  Result<std::int64_t> ChangePassword(const Caller& caller, const std::string& current,
                                      const std::string& new_password, const std::string& remote);
  // Mails a one-time reset code to each address `handle` proved. Answers the same
  // whether or not the handle exists or has a proven address (no probing for
  // members); kFailedPrecondition when the lab sends no mail.
  Status RequestPasswordReset(const std::string& handle, const std::string& remote);
  // A steward issues a reset code for a member the lab cannot mail (no mail
  // configured, or no proven address); the steward hands it over. The steward never
  // sees or sets the password: the member chooses it with the code.
  Result<IssuedReset> IssuePasswordReset(const Caller& caller, const std::string& handle);
  // Sets a new password with a reset code, which is then used up; ends every session
  // and API token of the member. Wrong codes count against the brakes of (handle,
  // remote) and of remote. Returns the member.
  Result<Member> ResetPassword(const std::string& handle, const std::string& code,
                               const std::string& new_password, const std::string& remote);
  // The live tokens (sessions and API tokens) of `handle`: their owner's or a steward's.
  Result<std::vector<TokenRecord>> ListSessions(const Caller& caller, const std::string& handle);
  // Ends every live token of `handle` (the caller's own but the one asking, when it is
  // the caller's): their owner or a steward. Returns how many it ended.
  Result<std::int64_t> EndSessions(const Caller& caller, const std::string& handle);
  // Where reset codes are mailed; unset: the lab sends no mail.
  void SetMailer(AccountMailer mailer) { mailer_ = std::move(mailer); }

  // Members. Everything here is visible to every member (rule 8).
  Result<Member> GetMember(const Caller& caller, const std::string& handle);
  Result<Listing<Member>> ListMembers(const Caller& caller, Page page);
  Result<Member> UpdateProfile(const Caller& caller, MemberProfile profile);

  // Ideas.
  Result<Idea> PostIdea(const Caller& caller, const std::string& title, const std::string& pitch);
  Result<Idea> GetIdea(const Caller& caller, IdeaId id);
  Result<Listing<Idea>> ListIdeas(const Caller& caller, const std::string& query, Page page);
  Result<Idea> BackIdea(const Caller& caller, IdeaId id, bool back);
  // Only the author edits an idea; what is not given stays. Validated as PostIdea
  // validates. An edit is not a new contribution: the ledger keeps the posting.
  Result<Idea> EditIdea(const Caller& caller, IdeaId id, std::optional<std::string> title,
                        std::optional<std::string> pitch);

  // Projects. Starting one needs nobody's approval; the starter is its initiator.
  Result<ProjectView> StartProject(const Caller& caller, StartProjectRequest request);
  Result<ProjectView> GetProject(const Caller& caller, ProjectId id);
  Result<Listing<ProjectView>> ListProjects(const Caller& caller, Page page);
  Result<ProjectView> SetLookingFor(const Caller& caller, ProjectId id,
                                    const std::vector<std::string>& roles);
  Result<ProjectView> BackProject(const Caller& caller, ProjectId id, bool back);

  // Membership acts. `handle` is whose membership it is: the caller's own for
  // apply and leave, the other person's for invite; for accept, decline and
  // withdraw it is the applicant's or the invitee's.
  Result<Membership> ActOnMembership(const Caller& caller, ProjectId project, MembershipAct act,
                                     const std::string& handle, const std::string& message);
  // What waits for the caller's answer and what the caller asked, across all projects.
  Result<Inbox> GetInbox(const Caller& caller);

  // Tasks: added by active members, claimed by whoever will do them.
  Result<Task> AddTask(const Caller& caller, ProjectId project, const std::string& title,
                       const std::string& description);
  Result<std::vector<Task>> ListTasks(const Caller& caller, ProjectId project);
  Result<Task> ActOnTask(const Caller& caller, TaskId id, TaskAct act);

  // Paged listings of what can grow: a project's tasks oldest first (next_before is
  // the `after` of the next page), the caller's tokens newest first.
  Result<Listing<Task>> ListTasksPage(const Caller& caller, ProjectId project, PageAfter page);
  Result<Listing<TokenRecord>> ListTokensPage(const Caller& caller, Page page);
  // Counts a ledger entry the caller is about to post, or refuses it (429) when they
  // posted limits.entries_per_hour in the last hour.
  Status AllowEntry(const Caller& caller);

 private:
  // Login rate limiting, in memory: a restart forgets, which is acceptable for a
  // brute-force brake.
  class LoginLimiter {
   public:
    // kResourceExhausted ("<what>; try again in N s") when `key` failed max_failures
    // times within window_s.
    Status Check(const std::string& key, int max_failures, int window_s, UnixSeconds now,
                 std::string_view what = "too many failed sign-ins");
    void Fail(const std::string& key, UnixSeconds now);
    void Clear(const std::string& key);

   private:
    std::mutex mu_;
    std::unordered_map<std::string, std::deque<UnixSeconds>> failures_;  // guarded by mu_
  };

  Result<IssuedToken> IssueToken(const Member& member, const std::string& name);
  Result<IssuedToken> IssueSession(const Member& member, const std::string& client);
  Status CheckPairAndRemote(const std::string& handle, const std::string& remote, UnixSeconds now);
  void FailPairAndRemote(const std::string& handle, const std::string& remote, UnixSeconds now);
  // A text field within limits.text_bytes (413 naming limit_text_bytes), and valid text.
  Status CheckText(std::string_view field, std::string_view text) const;

  Store& store_;
  const Clock& clock_;
  LabConfig config_;
  LoginLimiter limiter_;
  HourlyRate entry_rate_;
  std::string dummy_hash_;  // verified against for unknown handles, so timing tells nothing
  std::once_flag dummy_once_;
  AccountMailer mailer_;
};

}  // namespace qiusuo
