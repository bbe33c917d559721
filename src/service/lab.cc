#include "service/lab.h"

#include <algorithm>

#include "core/validate.h"
#include "service/record.h"

namespace qiusuo {
namespace {

constexpr int kMaxPageSize = 200;
constexpr std::string_view kTokenPrefix = "qs_";

Page ClampPage(Page page) {
  page.limit = std::clamp(page.limit, 1, kMaxPageSize);
  if (page.before < 0) page.before = 0;
  return page;
}

// Asks the store for one more than the page holds, to know whether a next page exists.
template <typename T, typename IdOf>
Listing<T> ToListing(std::vector<T> items, int limit, IdOf id_of) {
  Listing<T> out;
  if (static_cast<int>(items.size()) > limit) {
    items.resize(limit);
    out.next_before = id_of(items.back());
  }
  out.items = std::move(items);
  return out;
}

// Rule 6: an act lands in the ledger in the same transaction as the act itself.
Status Remember(Tx& tx, const std::string& actor, const std::string& contributor_handle,
                std::string kind, std::optional<std::int64_t> project, std::string evidence,
                std::string note, UnixSeconds at) {
  Contribution c;
  c.at = at;
  c.actor = actor;
  c.contributor = MemberContributor(contributor_handle);
  c.kind = std::move(kind);
  c.project = project;
  c.evidence = std::move(evidence);
  c.note = std::move(note);
  QS_TRY(AppendContribution(tx, std::move(c)));
  return {};
}

Result<Member> RequireMember(Tx& tx, const std::string& handle) {
  auto member = QS_TRY(tx.FindMemberByHandle(handle));
  if (!member) return NotFound("there is no member @" + handle);
  return *member;
}

Result<Project> RequireProject(Tx& tx, ProjectId id) {
  auto project = QS_TRY(tx.FindProject(id));
  if (!project) return NotFound("there is no project " + std::to_string(id.value));
  return *project;
}

Result<bool> IsActiveMember(Tx& tx, ProjectId project, MemberId member) {
  auto m = QS_TRY(tx.FindMembership(project, member));
  return m && m->state == MembershipState::kActive;
}

Result<ProjectView> LoadView(Tx& tx, ProjectId id) {
  ProjectView view{QS_TRY(RequireProject(tx, id)), {}};
  const ProjectId ids[] = {id};
  view.memberships = QS_TRY(tx.ListMemberships(ids));
  return view;
}

std::string TrimCopy(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Lab::Lab(Store& store, const Clock& clock, LabConfig config)
    : store_(store), clock_(clock), config_(config) {}

// ---- accounts ---------------------------------------------------------------

Result<Member> Lab::Init(const std::string& handle, const std::string& password,
                         MemberProfile profile) {
  QS_TRY_STATUS(ValidateHandle("handle", handle));
  QS_TRY_STATUS(ValidatePassword("password", password));
  if (profile.name.empty()) profile.name = handle;
  profile = QS_TRY(NormalizeProfile(std::move(profile)));
  const std::string hash = QS_TRY(crypto::HashPassword(password, config_.password_cost));
  Member created;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (QS_TRY(tx.CountMembers()) > 0) {
      return FailedPrecondition("this lab has members already; init runs once per lab");
    }
    const MemberId id = QS_TRY(tx.InsertMember({handle, profile, hash, true, clock_.Now()}));
    created = *QS_TRY(tx.FindMember(id));
    return {};
  }));
  return created;
}

Result<Member> Lab::SignUp(SignUpRequest req) {
  QS_TRY_STATUS(ValidateHandle("handle", req.handle));
  QS_TRY_STATUS(ValidatePassword("password", req.password));
  if (req.profile.name.empty()) req.profile.name = req.handle;
  req.profile = QS_TRY(NormalizeProfile(std::move(req.profile)));
  const std::string code_hash =
      req.invite_code.empty() ? std::string() : crypto::Sha256Hex(req.invite_code);
  if (!config_.open_signup && code_hash.empty()) {
    return PermissionDenied(
        "this lab signs up by invitation: ask a member for a code (qiusuo invite) and pass it "
        "as invite_code");
  }
  if (!req.remote.empty()) {
    const std::string key = "s:" + req.remote;
    const UnixSeconds now = clock_.Now();
    QS_TRY_STATUS(limiter_.Check(key, config_.signups_per_remote, config_.signup_window_s, now,
                                 "too many sign-ups from your address"));
    limiter_.Fail(key, now);  // every attempt that gets as far as hashing counts
  }
  // Hash outside the transaction: Argon2id is slow by design and must not hold the write lock.
  const std::string hash = QS_TRY(crypto::HashPassword(req.password, config_.password_cost));
  Member created;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (QS_TRY(tx.CountMembers()) == 0) {
      return FailedPrecondition("this lab has no steward yet: run `qiusuo init` first");
    }
    std::optional<SignupInvite> invite;
    if (!code_hash.empty()) {
      invite = QS_TRY(tx.FindSignupInvite(code_hash));
      if (!invite || invite->used_by || invite->expires_at < clock_.Now()) {
        return InvalidArgument("invite_code", "this invitation code is unknown, used or expired");
      }
    }
    const MemberId id =
        QS_TRY(tx.InsertMember({req.handle, req.profile, hash, false, clock_.Now()}));
    if (invite) QS_TRY_STATUS(tx.UseSignupInvite(code_hash, id));
    created = *QS_TRY(tx.FindMember(id));
    return {};
  }));
  return created;
}

namespace {

std::string PairKey(const std::string& handle, const std::string& remote) {
  return "p:" + handle + "\n" + remote;
}
std::string RemoteKey(const std::string& remote) { return "r:" + remote; }

// Compares two hex digests without an early exit.
bool SameDigest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

constexpr std::string_view kClientPrefix = "qsc_";
constexpr std::string_view kResetPrefix = "qsr_";
constexpr UnixSeconds kTouchEvery = 60;  // last_used_at is kept to the minute

std::string Duration(UnixSeconds s) {
  constexpr UnixSeconds kDay = 24L * 3600;
  if (s % kDay == 0) return std::to_string(s / kDay) + " days";
  if (s % 3600 == 0) return std::to_string(s / 3600) + " h";
  return std::to_string(s) + " s";
}

}  // namespace

Status Lab::CheckPairAndRemote(const std::string& handle, const std::string& remote,
                               UnixSeconds now) {
  QS_TRY_STATUS(limiter_.Check(PairKey(handle, remote), config_.login_failures_per_pair,
                               config_.login_window_s, now));
  return limiter_.Check(RemoteKey(remote), config_.login_failures_per_remote,
                        config_.login_window_s, now);
}

void Lab::FailPairAndRemote(const std::string& handle, const std::string& remote, UnixSeconds now) {
  limiter_.Fail(PairKey(handle, remote), now);
  limiter_.Fail(RemoteKey(remote), now);
}

Result<IssuedToken> Lab::Login(const std::string& handle, const std::string& password,
                               const std::string& remote, const std::string& client) {
  const UnixSeconds now = clock_.Now();
  const std::string client_hash =
      client.starts_with(kClientPrefix) ? crypto::Sha256Hex(client) : std::string();
  std::optional<Member> member;
  std::optional<std::string> hash;
  std::optional<KnownClient> known;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    member = QS_TRY(tx.FindMemberByHandle(handle));
    if (member) hash = QS_TRY(tx.PasswordHash(member->id));
    if (member && !client_hash.empty()) {
      known = QS_TRY(tx.FindKnownClient(client_hash));
      if (known && known->member != member->id) known.reset();
    }
    return {};
  }));
  // A known client has its own brake; everyone else those of the pair, the address
  // and the handle.
  const std::string client_key = "c:" + client_hash;
  const std::string handle_key = "h:" + handle;
  if (known) {
    QS_TRY_STATUS(
        limiter_.Check(client_key, config_.login_failures_per_client, config_.login_window_s, now));
  } else {
    QS_TRY_STATUS(CheckPairAndRemote(handle, remote, now));
    QS_TRY_STATUS(
        limiter_.Check(handle_key, config_.login_failures_per_handle, config_.login_window_s, now));
  }
  std::call_once(dummy_once_, [&] {
    dummy_hash_ = crypto::HashPassword("not a password of anyone", config_.password_cost)
                      .value_or(std::string());
  });
  const bool ok = crypto::VerifyPassword(hash ? *hash : dummy_hash_, password) && member;
  if (!ok) {
    if (known) {
      limiter_.Fail(client_key, now);
    } else {
      FailPairAndRemote(handle, remote, now);
      limiter_.Fail(handle_key, now);
    }
    return Fail(ErrorCode::kUnauthenticated, "wrong handle or password");
  }
  limiter_.Clear(PairKey(handle, remote));
  if (known) limiter_.Clear(client_key);
  return IssueSession(*member, known ? client : std::string());
}

Result<IssuedToken> Lab::IssueSession(const Member& member, const std::string& client) {
  IssuedToken issued;
  issued.token = std::string(kTokenPrefix) + crypto::RandomHex(32);  // 256 random bits
  issued.member = member;
  issued.client = client.empty() ? std::string(kClientPrefix) + crypto::RandomHex(32) : client;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const UnixSeconds now = clock_.Now();
    issued.id = QS_TRY(tx.InsertSession(member.id, crypto::Sha256Hex(issued.token), now));
    return tx.PutKnownClient({crypto::Sha256Hex(issued.client), member.id, now, now});
  }));
  return issued;
}

Result<IssuedToken> Lab::IssueToken(const Member& member, const std::string& name) {
  IssuedToken issued;
  issued.token = std::string(kTokenPrefix) + crypto::RandomHex(32);  // 256 random bits
  issued.member = member;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    issued.id =
        QS_TRY(tx.InsertToken(member.id, crypto::Sha256Hex(issued.token), name, clock_.Now()));
    return {};
  }));
  return issued;
}

std::optional<UnixSeconds> Lab::ExpiresAt(const TokenRecord& t) const {
  if (t.session) {
    return std::min(t.created_at + config_.session_max_age_s,
                    t.last_used_at + config_.session_idle_s);
  }
  if (config_.api_token_idle_s <= 0) return std::nullopt;
  return t.last_used_at + config_.api_token_idle_s;
}

Result<Caller> Lab::Authenticate(std::string_view token) {
  auto unauthenticated = [] {
    return Fail(ErrorCode::kUnauthenticated,
                "sign in first: `qiusuo login`, or send Authorization: Bearer <token>");
  };
  if (token.empty()) return unauthenticated();
  if (!token.starts_with(kTokenPrefix)) {
    return Fail(ErrorCode::kUnauthenticated, "that is not a qiusuo token (they start with qs_)");
  }
  std::optional<Member> member;
  std::optional<TokenRecord> record;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    record = QS_TRY(tx.FindLiveToken(crypto::Sha256Hex(token)));
    if (record) member = QS_TRY(tx.FindMember(record->member));
    return {};
  }));
  if (!member || !record) {
    return Fail(ErrorCode::kUnauthenticated,
                "this token is unknown or revoked; sign in again with `qiusuo login`");
  }
  const UnixSeconds now = clock_.Now();
  if (record->session && now >= record->created_at + config_.session_max_age_s) {
    return Fail(ErrorCode::kUnauthenticated,
                "your session expired (sessions last " + Duration(config_.session_max_age_s) +
                    "); sign in again (`qiusuo login`, or the web UI's sign-in page)");
  }
  if (auto expires = ExpiresAt(*record); expires && now >= *expires) {
    return Fail(ErrorCode::kUnauthenticated,
                std::string(record->session ? "your session" : "this API token") +
                    " expired after going unused for " +
                    Duration(record->session ? config_.session_idle_s : config_.api_token_idle_s) +
                    "; sign in again (`qiusuo login`, or the web UI's sign-in page)" +
                    (record->session ? "" : " and make a new token"));
  }
  if (now - record->last_used_at >= kTouchEvery) {
    QS_TRY_STATUS(
        store_.Transact(TxMode::kWrite, [&](Tx& tx) { return tx.TouchToken(record->id, now); }));
  }
  return Caller{member->id, member->handle, member->steward, record->id};
}

Result<IssuedToken> Lab::CreateToken(const Caller& caller, std::string name) {
  name = TrimCopy(name);
  if (name.empty()) name = "api";
  QS_TRY_STATUS(ValidateTitle("name", name));
  const auto member = QS_TRY(Read(store_, [&](Tx& tx) { return tx.FindMember(caller.id); }));
  if (!member) return NotFound("your account no longer exists");
  return IssueToken(*member, name);
}

Result<std::vector<TokenRecord>> Lab::ListTokens(const Caller& caller) {
  return Read(store_, [&](Tx& tx) { return tx.ListTokens(caller.id); });
}

Status Lab::RevokeToken(const Caller& caller, TokenId id) {
  return store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    // Only one's own tokens: someone else's id looks exactly like a missing one.
    if (!QS_TRY(tx.RevokeToken(caller.id, id, clock_.Now()))) {
      return NotFound("you have no live token " + std::to_string(id.value));
    }
    return {};
  });
}

Result<std::string> Lab::CreateSignupInvite(const Caller& caller) {
  std::string code = "qsi_" + crypto::RandomHex(16);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const UnixSeconds now = clock_.Now();
    return tx.InsertSignupInvite(
        {crypto::Sha256Hex(code), caller.id, now, now + config_.signup_invite_ttl_s, std::nullopt});
  }));
  return code;
}

Result<std::int64_t> Lab::ChangePassword(const Caller& caller, const std::string& current,
                                         const std::string& new_password,
                                         const std::string& remote) {
  QS_TRY_STATUS(ValidatePassword("new_password", new_password));
  if (new_password == current) {
    return InvalidArgument("new_password", "the new password is the current one; choose another");
  }
  const UnixSeconds now = clock_.Now();
  QS_TRY_STATUS(CheckPairAndRemote(caller.handle, remote, now));
  const auto hash = QS_TRY(Read(store_, [&](Tx& tx) { return tx.PasswordHash(caller.id); }));
  if (!hash) return NotFound("your account no longer exists");
  if (!crypto::VerifyPassword(*hash, current)) {
    FailPairAndRemote(caller.handle, remote, now);
    return InvalidArgument("current_password", "that is not your current password");
  }
  const std::string new_hash = QS_TRY(crypto::HashPassword(new_password, config_.password_cost));
  std::int64_t ended = 0;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.SetPasswordHash(caller.id, new_hash));
    QS_TRY(tx.DeletePasswordReset(caller.id));
    ended = QS_TRY(tx.RevokeMemberTokens(caller.id, caller.token, now));
    return {};
  }));
  return ended;
}

Status Lab::RequestPasswordReset(const std::string& handle, const std::string& remote) {
  if (!mailer_) {
    return FailedPrecondition(
        "this lab sends no mail: ask a steward for a reset code (`qiusuo reset-password issue "
        "HANDLE`) and set your password with it");
  }
  const UnixSeconds now = clock_.Now();
  QS_TRY_STATUS(limiter_.Check("m:" + handle, config_.reset_requests_per_handle,
                               config_.login_window_s, now, "too many reset codes asked for"));
  QS_TRY_STATUS(limiter_.Check(RemoteKey(remote), config_.login_failures_per_remote,
                               config_.login_window_s, now));
  limiter_.Fail("m:" + handle, now);
  limiter_.Fail(RemoteKey(remote), now);
  std::optional<Member> member;
  std::vector<std::string> to;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    member = QS_TRY(tx.FindMemberByHandle(handle));
    if (member) to = QS_TRY(tx.ProvenEmails(member->id));
    return {};
  }));
  if (!member || to.empty()) return {};  // the same answer: nothing to learn about members
  const std::string code = std::string(kResetPrefix) + crypto::RandomHex(32);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.PutPasswordReset(
        {member->id, crypto::Sha256Hex(code), std::nullopt, now, now + config_.reset_code_ttl_s});
  }));
  const std::string text =
      "Someone (you, we hope) asked to reset the password of @" + handle +
      ".\n\nSet a new one with this code, valid for " + Duration(config_.reset_code_ttl_s) +
      " and once:\n\n  qiusuo reset-password use --handle " + handle + " --code " + code +
      "\n\n(or paste it into the web UI's \"Forgot password\" page). If you did not ask, ignore "
      "this mail: your password stays as it is.\n";
  for (const auto& address : to) {
    QS_TRY_STATUS(mailer_(address, "Qiusuo: reset the password of @" + handle, text));
  }
  return {};
}

Result<IssuedReset> Lab::IssuePasswordReset(const Caller& caller, const std::string& handle) {
  if (!caller.steward) {
    return PermissionDenied(
        "only a steward issues reset codes; to reset your own password ask for a mailed code");
  }
  IssuedReset issued{handle, std::string(kResetPrefix) + crypto::RandomHex(32), 0};
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const Member member = QS_TRY(RequireMember(tx, handle));
    if (mailer_ && !QS_TRY(tx.ProvenEmails(member.id)).empty()) {
      return FailedPrecondition("@" + handle +
                                " has a proven address: they ask for a mailed code themselves "
                                "(`qiusuo reset-password request`), so nobody else holds it");
    }
    const UnixSeconds now = clock_.Now();
    issued.expires_at = now + config_.reset_code_ttl_s;
    return tx.PutPasswordReset(
        {member.id, crypto::Sha256Hex(issued.code), caller.id, now, issued.expires_at});
  }));
  return issued;
}

Result<Member> Lab::ResetPassword(const std::string& handle, const std::string& code,
                                  const std::string& new_password, const std::string& remote) {
  QS_TRY_STATUS(ValidatePassword("new_password", new_password));
  const UnixSeconds now = clock_.Now();
  QS_TRY_STATUS(CheckPairAndRemote(handle, remote, now));
  const std::string code_hash = crypto::Sha256Hex(code);
  auto wrong = [&] {
    FailPairAndRemote(handle, remote, now);
    return InvalidArgument("code", "this reset code is wrong, used or expired; ask for a new one");
  };
  std::optional<Member> member;
  std::optional<PasswordReset> reset;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    member = QS_TRY(tx.FindMemberByHandle(handle));
    if (member) reset = QS_TRY(tx.FindPasswordReset(member->id));
    return {};
  }));
  if (!reset || now >= reset->expires_at || !SameDigest(reset->code_hash, code_hash)) {
    return wrong();
  }
  const std::string new_hash = QS_TRY(crypto::HashPassword(new_password, config_.password_cost));
  bool used = false;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    // Once: a second use of the same code, even a concurrent one, finds it gone.
    auto again = QS_TRY(tx.FindPasswordReset(member->id));
    if (!again || !SameDigest(again->code_hash, code_hash)) return {};
    QS_TRY(tx.DeletePasswordReset(member->id));
    QS_TRY_STATUS(tx.SetPasswordHash(member->id, new_hash));
    QS_TRY(tx.RevokeMemberTokens(member->id, std::nullopt, now));
    used = true;
    return {};
  }));
  if (!used) return wrong();
  limiter_.Clear(PairKey(handle, remote));
  limiter_.Clear("h:" + handle);
  return *member;
}

Result<std::vector<TokenRecord>> Lab::ListSessions(const Caller& caller,
                                                   const std::string& handle) {
  return Read(store_, [&](Tx& tx) -> Result<std::vector<TokenRecord>> {
    const Member member = QS_TRY(RequireMember(tx, handle));
    if (member.id != caller.id && !caller.steward) {
      return PermissionDenied("only @" + handle + " and the stewards see @" + handle +
                              "'s sessions");
    }
    std::vector<TokenRecord> live;
    const UnixSeconds now = clock_.Now();
    for (auto& t : QS_TRY(tx.ListTokens(member.id))) {
      const auto expires = ExpiresAt(t);
      if (!t.revoked_at && !(expires && now >= *expires)) live.push_back(std::move(t));
    }
    return live;
  });
}

Result<std::int64_t> Lab::EndSessions(const Caller& caller, const std::string& handle) {
  std::int64_t ended = 0;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const Member member = QS_TRY(RequireMember(tx, handle));
    const bool own = member.id == caller.id;
    if (!own && !caller.steward) {
      return PermissionDenied("only @" + handle + " and the stewards end @" + handle +
                              "'s sessions");
    }
    ended = QS_TRY(tx.RevokeMemberTokens(
        member.id, own ? std::optional<TokenId>(caller.token) : std::nullopt, clock_.Now()));
    return {};
  }));
  return ended;
}

Status Lab::LoginLimiter::Check(const std::string& key, int max_failures, int window_s,
                                UnixSeconds now, std::string_view what) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return {};
  auto& times = it->second;
  while (!times.empty() && times.front() <= now - window_s) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return {};
  }
  if (static_cast<int>(times.size()) >= max_failures) {
    const auto wait = times.front() + window_s - now;
    return qiusuo::Fail(ErrorCode::kResourceExhausted,
                        std::string(what) + "; try again in " + std::to_string(wait) + " s");
  }
  return {};
}

void Lab::LoginLimiter::Fail(const std::string& key, UnixSeconds now) {
  std::lock_guard lock(mu_);
  if (failures_.size() > 100000) failures_.clear();  // bounded memory under a flood
  failures_[key].push_back(now);
}

void Lab::LoginLimiter::Clear(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

// ---- members ----------------------------------------------------------------

Result<Member> Lab::GetMember(const Caller&, const std::string& handle) {
  return Read(store_, [&](Tx& tx) { return RequireMember(tx, handle); });
}

Result<Listing<Member>> Lab::ListMembers(const Caller&, Page page) {
  page = ClampPage(page);
  auto items = QS_TRY(Read(store_, [&](Tx& tx) {
    return tx.ListMembers({page.limit + 1, page.before});
  }));
  return ToListing(std::move(items), page.limit, [](const Member& m) { return m.id.value; });
}

Result<Member> Lab::UpdateProfile(const Caller& caller, MemberProfile profile) {
  profile = QS_TRY(NormalizeProfile(std::move(profile)));
  Member out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY_STATUS(tx.UpdateProfile(caller.id, profile));
    auto m = QS_TRY(tx.FindMember(caller.id));
    if (!m) return NotFound("your account no longer exists");
    out = *m;
    return {};
  }));
  return out;
}

// ---- ideas ------------------------------------------------------------------

Result<Idea> Lab::PostIdea(const Caller& caller, const std::string& title,
                           const std::string& pitch) {
  QS_TRY_STATUS(ValidateTitle("title", title));
  QS_TRY_STATUS(CheckText("pitch", pitch));
  Idea out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const UnixSeconds now = clock_.Now();
    QS_TRY_STATUS(CheckRate("ideas", QS_TRY(tx.CountIdeasSince(caller.id, now - 3599)),
                            config_.limits.ideas_per_hour, "limit_ideas_per_hour"));
    const IdeaId id = QS_TRY(tx.InsertIdea(caller.id, TrimCopy(title), pitch, now));
    out = *QS_TRY(tx.FindIdea(id));
    QS_TRY_STATUS(Remember(tx, caller.handle, caller.handle, "conceptualization", std::nullopt,
                           "idea:" + std::to_string(id.value), "posted the idea: " + out.title,
                           now));
    return {};
  }));
  return out;
}

Result<Idea> Lab::GetIdea(const Caller&, IdeaId id) {
  return Read(store_, [&](Tx& tx) -> Result<Idea> {
    auto idea = QS_TRY(tx.FindIdea(id));
    if (!idea) return NotFound("there is no idea " + std::to_string(id.value));
    return std::move(*idea);
  });
}

Result<Listing<Idea>> Lab::ListIdeas(const Caller&, const std::string& query, Page page) {
  page = ClampPage(page);
  if (query.size() > kMaxTitle) return InvalidArgument("q", "a search is at most 200 bytes");
  auto items = QS_TRY(Read(store_, [&](Tx& tx) {
    return tx.ListIdeas(TrimCopy(query), {page.limit + 1, page.before});
  }));
  return ToListing(std::move(items), page.limit, [](const Idea& i) { return i.id.value; });
}

Result<Idea> Lab::BackIdea(const Caller& caller, IdeaId id, bool back) {
  Idea out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto idea = QS_TRY(tx.FindIdea(id));
    if (!idea) return NotFound("there is no idea " + std::to_string(id.value));
    if (idea->author == caller.id) {
      return FailedPrecondition("you cannot back your own idea; others' backing is the signal");
    }
    if (back) {
      if (QS_TRY(tx.InsertBacking(BackingTarget::kIdea, id.value, caller.id, clock_.Now()))) {
        QS_TRY_STATUS(Remember(tx, caller.handle, caller.handle, "backing", std::nullopt,
                               "idea:" + std::to_string(id.value),
                               "backed the idea: " + idea->title, clock_.Now()));
      }
    } else {
      QS_TRY(tx.DeleteBacking(BackingTarget::kIdea, id.value, caller.id));
    }
    out = *QS_TRY(tx.FindIdea(id));
    return {};
  }));
  return out;
}

Result<Idea> Lab::EditIdea(const Caller& caller, IdeaId id, std::optional<std::string> title,
                           std::optional<std::string> pitch) {
  if (!title && !pitch) return InvalidArgument("title", "give a new title, a new pitch or both");
  if (title) QS_TRY_STATUS(ValidateTitle("title", *title));
  if (pitch) QS_TRY_STATUS(CheckText("pitch", *pitch));
  Idea out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto idea = QS_TRY(tx.FindIdea(id));
    if (!idea) return NotFound("there is no idea " + std::to_string(id.value));
    if (idea->author != caller.id) {
      return PermissionDenied("only @" + idea->author_handle + ", who posted it, edits this idea");
    }
    QS_TRY_STATUS(
        tx.UpdateIdea(id, title ? TrimCopy(*title) : idea->title, pitch ? *pitch : idea->pitch));
    out = *QS_TRY(tx.FindIdea(id));
    return {};
  }));
  return out;
}

// ---- projects ---------------------------------------------------------------

Result<ProjectView> Lab::StartProject(const Caller& caller, StartProjectRequest req) {
  req.looking_for = QS_TRY(NormalizeLabels("looking_for", req.looking_for));
  ProjectView out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (req.idea) {
      auto idea = QS_TRY(tx.FindIdea(*req.idea));
      if (!idea)
        return InvalidArgument("idea_id", "there is no idea " + std::to_string(req.idea->value));
      if (TrimCopy(req.title).empty()) req.title = idea->title;
      if (req.pitch.empty()) req.pitch = idea->pitch;
    }
    QS_TRY_STATUS(ValidateTitle("title", req.title));
    QS_TRY_STATUS(CheckText("pitch", req.pitch));
    const UnixSeconds now = clock_.Now();
    QS_TRY_STATUS(CheckRate("projects", QS_TRY(tx.CountProjectsSince(caller.id, now - 3599)),
                            config_.limits.projects_per_hour, "limit_projects_per_hour"));
    Project p;
    p.title = TrimCopy(req.title);
    p.pitch = req.pitch;
    p.idea = req.idea;
    p.initiator = caller.id;
    p.looking_for = req.looking_for;
    p.created_at = now;
    const ProjectId id = QS_TRY(tx.InsertProject(p));
    // The initiator is a member by their own act of starting the project.
    QS_TRY_STATUS(tx.PutMembership({id, caller.id, caller.handle, MembershipState::kActive,
                                    caller.id, "started the project", now}));
    out = QS_TRY(LoadView(tx, id));
    QS_TRY_STATUS(Remember(tx, caller.handle, caller.handle, "project-administration", id.value,
                           "project:" + std::to_string(id.value), "started the project: " + p.title,
                           now));
    return {};
  }));
  return out;
}

Result<ProjectView> Lab::GetProject(const Caller&, ProjectId id) {
  return Read(store_, [&](Tx& tx) { return LoadView(tx, id); });
}

Result<Listing<ProjectView>> Lab::ListProjects(const Caller&, Page page) {
  page = ClampPage(page);
  std::vector<ProjectView> views;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    auto projects = QS_TRY(tx.ListProjects({page.limit + 1, page.before}));
    std::vector<ProjectId> ids;
    ids.reserve(projects.size());
    for (const auto& p : projects) ids.push_back(p.id);
    auto memberships = QS_TRY(tx.ListMemberships(ids));
    for (auto& p : projects) {
      ProjectView v{std::move(p), {}};
      for (const auto& m : memberships) {
        if (m.project == v.project.id) v.memberships.push_back(m);
      }
      views.push_back(std::move(v));
    }
    return {};
  }));
  return ToListing(std::move(views), page.limit,
                   [](const ProjectView& v) { return v.project.id.value; });
}

Result<ProjectView> Lab::SetLookingFor(const Caller& caller, ProjectId id,
                                       const std::vector<std::string>& roles) {
  const auto normalized = QS_TRY(NormalizeLabels("looking_for", roles));
  ProjectView out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(RequireProject(tx, id));
    if (!QS_TRY(IsActiveMember(tx, id, caller.id))) {
      return PermissionDenied("only active members say what a project is looking for");
    }
    QS_TRY_STATUS(tx.UpdateLookingFor(id, normalized));
    out = QS_TRY(LoadView(tx, id));
    return {};
  }));
  return out;
}

Result<ProjectView> Lab::BackProject(const Caller& caller, ProjectId id, bool back) {
  ProjectView out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(RequireProject(tx, id));
    if (back && QS_TRY(IsActiveMember(tx, id, caller.id))) {
      return FailedPrecondition("members count already; backing is for people outside the project");
    }
    if (back) {
      if (QS_TRY(tx.InsertBacking(BackingTarget::kProject, id.value, caller.id, clock_.Now()))) {
        QS_TRY_STATUS(Remember(tx, caller.handle, caller.handle, "backing", id.value,
                               "project:" + std::to_string(id.value), "backed the project",
                               clock_.Now()));
      }
    } else {
      QS_TRY(tx.DeleteBacking(BackingTarget::kProject, id.value, caller.id));
    }
    out = QS_TRY(LoadView(tx, id));
    return {};
  }));
  return out;
}

Result<Membership> Lab::ActOnMembership(const Caller& caller, ProjectId project, MembershipAct act,
                                        const std::string& handle, const std::string& message) {
  QS_TRY_STATUS(ValidateText("message", message, 2000));
  Membership out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(RequireProject(tx, project));
    const Member subject = QS_TRY(RequireMember(tx, handle.empty() ? caller.handle : handle));
    auto current = QS_TRY(tx.FindMembership(project, subject.id));
    const Standing standing{subject.id == caller.id,
                            QS_TRY(IsActiveMember(tx, project, caller.id))};
    std::optional<MembershipState> state;
    if (current) state = current->state;
    const MembershipState next = QS_TRY(NextMembershipState(state, act, standing));
    Membership m{project,     subject.id, subject.handle,
                 next,        caller.id,  message.empty() && current ? current->message : message,
                 clock_.Now()};
    QS_TRY_STATUS(tx.PutMembership(m));
    out = *QS_TRY(tx.FindMembership(project, subject.id));
    if (next == MembershipState::kActive && state != MembershipState::kActive) {
      QS_TRY_STATUS(Remember(tx, caller.handle, subject.handle, "joined", project.value,
                             "project:" + std::to_string(project.value),
                             "joined the project by their own accept", m.updated_at));
    }
    return {};
  }));
  return out;
}

Result<Inbox> Lab::GetInbox(const Caller& caller) {
  Inbox out;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    out.awaiting = QS_TRY(tx.ListAwaitingAnswer(caller.id, kInboxLimit));
    out.asked = QS_TRY(tx.ListAskedBy(caller.id, kInboxLimit));
    return {};
  }));
  return out;
}

// ---- tasks ------------------------------------------------------------------

Result<Task> Lab::AddTask(const Caller& caller, ProjectId project, const std::string& title,
                          const std::string& description) {
  QS_TRY_STATUS(ValidateTitle("title", title));
  QS_TRY_STATUS(CheckText("description", description));
  Task out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    QS_TRY(RequireProject(tx, project));
    if (!QS_TRY(IsActiveMember(tx, project, caller.id))) {
      return PermissionDenied("only active members add tasks to a project; apply to join first");
    }
    Task t;
    t.project = project;
    t.title = TrimCopy(title);
    t.description = description;
    t.created_by = caller.id;
    t.created_at = t.updated_at = clock_.Now();
    const TaskId id = QS_TRY(tx.InsertTask(t));
    out = *QS_TRY(tx.FindTask(id));
    return {};
  }));
  return out;
}

Result<std::vector<Task>> Lab::ListTasks(const Caller&, ProjectId project) {
  return Read(store_, [&](Tx& tx) -> Result<std::vector<Task>> {
    QS_TRY(RequireProject(tx, project));
    return tx.ListTasks(project);
  });
}

Result<Listing<Task>> Lab::ListTasksPage(const Caller&, ProjectId project, PageAfter page) {
  page.limit = std::clamp(page.limit, 1, kMaxPageSize);
  auto items = QS_TRY(Read(store_, [&](Tx& tx) -> Result<std::vector<Task>> {
    QS_TRY(RequireProject(tx, project));
    return tx.ListTasksPage(project, {page.limit + 1, std::max<std::int64_t>(0, page.after)});
  }));
  return ToListing(std::move(items), page.limit, [](const Task& t) { return t.id.value; });
}

Result<Listing<TokenRecord>> Lab::ListTokensPage(const Caller& caller, Page page) {
  page = ClampPage(page);
  auto items = QS_TRY(Read(store_, [&](Tx& tx) {
    return tx.ListTokensPage(caller.id, {page.limit + 1, page.before});
  }));
  return ToListing(std::move(items), page.limit, [](const TokenRecord& t) { return t.id.value; });
}

Status Lab::AllowEntry(const Caller& caller) {
  return entry_rate_.Take(caller.id.value, clock_.Now(), config_.limits.entries_per_hour,
                          "ledger entries", "limit_entries_per_hour");
}

Status Lab::CheckText(std::string_view field, std::string_view text) const {
  QS_TRY_STATUS(CheckSize(field, text.size(), config_.limits.text_bytes, "limit_text_bytes"));
  return ValidateText(field, text, config_.limits.text_bytes);
}

Result<Task> Lab::ActOnTask(const Caller& caller, TaskId id, TaskAct act) {
  Task out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto task = QS_TRY(tx.FindTask(id));
    if (!task) return NotFound("there is no task " + std::to_string(id.value));
    const bool member = QS_TRY(IsActiveMember(tx, task->project, caller.id));
    const Task next = QS_TRY(ApplyTaskAct(*task, act, caller.id, member, clock_.Now()));
    QS_TRY_STATUS(tx.UpdateTask(next));
    out = *QS_TRY(tx.FindTask(id));
    if (act == TaskAct::kClaim || act == TaskAct::kDone) {
      QS_TRY_STATUS(
          Remember(tx, caller.handle, caller.handle,
                   act == TaskAct::kClaim ? "task-claimed" : "investigation", task->project.value,
                   "task:" + std::to_string(id.value),
                   (act == TaskAct::kClaim ? "claimed the task: " : "did the task: ") + task->title,
                   next.updated_at));
    }
    return {};
  }));
  return out;
}

}  // namespace qiusuo
