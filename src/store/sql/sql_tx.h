#pragma once
// The one implementation of Tx over SQL, shared by the SQLite and PostgreSQL stores:
// every query is written once, in the SQL both dialects speak. A backend provides
//   Stmt(Conn&, const char* sql)   a prepared statement (the SQL is a static string,
//                                  `?` for parameters), with Bind(...), BindDouble,
//                                  BindNull, Step() -> Result<bool>, Run(), Changes(),
//                                  and Int/Double/IsNull/OptInt/Text column reads;
//   Stmt(Conn&, std::string, OneOff)  a statement built at run time, not cached;
//   Dialect::kIdList               a subquery yielding the ids of a JSON array bound
//                                  to one `?`;
//   Dialect::kColumns              a table's column names in order, for its name;
//   Dialect::ResetIds(table)       SQL that moves an identity past copied-in ids, or "".
// Include it only from a backend's .cc.

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "store/text_list.h"

namespace qiusuo::sql {

struct OneOff {};

// kLabTables only: table names are spliced into SQL, so no other name gets through.
inline Status CheckLabTable(std::string_view table) {
  for (const auto t : kLabTables) {
    if (t == table) return {};
  }
  return Internal("'" + std::string(table) + "' is not a table of a lab");
}

inline std::string_view TargetName(BackingTarget t) {
  return t == BackingTarget::kIdea ? "idea" : "project";
}

template <class Stmt>
Member ReadMember(const Stmt& s) {
  Member m;
  m.id = MemberId(s.Int(0));
  m.handle = s.Text(1);
  m.name = s.Text(2);
  m.emails = SplitList(s.Text(3));
  m.skills = SplitList(s.Text(4));
  m.interests = SplitList(s.Text(5));
  m.steward = s.Int(6) != 0;
  m.joined_at = s.Int(7);
  return m;
}

// Backers' handles for a set of targets, in backing order.
// An id set as a JSON array, for `IN (Dialect::kIdList)`: one prepared, parameterised
// statement whatever the set's size.
template <typename Range, typename Value>
std::string JsonArray(const Range& items, Value value) {
  std::string json = "[";
  for (const auto& item : items) {
    if (json.size() > 1) json += ',';
    json += std::to_string(value(item));
  }
  return json + "]";
}

template <class Stmt, class Dialect, class Conn>
Result<std::unordered_map<std::int64_t, std::vector<std::string>>> LoadBackers(
    Conn& c, BackingTarget target, const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, std::vector<std::string>> out;
  if (ids.empty()) return out;
  // One query for the whole page.
  const std::string json = JsonArray(ids, [](std::int64_t id) { return id; });
  static const std::string sql =
      std::string(
          "SELECT b.target_id, m.handle FROM backings b JOIN members m ON m.id = b.member_id "
          "WHERE b.target = ? AND b.target_id IN (") +
      Dialect::kIdList + ") ORDER BY b.created_at, m.handle";
  Stmt s(c, sql.c_str());
  s.Bind(TargetName(target)).Bind(json);
  while (QS_TRY(s.Step())) out[s.Int(0)].push_back(s.Text(1));
  return out;
}

template <class Conn, class Stmt, class Dialect>
class SqlTx final : public Tx {
 public:
  explicit SqlTx(Conn& conn) : c_(conn) {}

  Result<std::vector<std::string>> TableColumns(std::string_view table) override {
    QS_TRY_STATUS(CheckLabTable(table));
    Stmt s(c_, Dialect::kColumns);
    s.Bind(table);
    std::vector<std::string> out;
    while (QS_TRY(s.Step())) out.push_back(s.Text(0));
    return out;
  }

  Result<std::int64_t> CountRows(std::string_view table) override {
    QS_TRY_STATUS(CheckLabTable(table));
    Stmt s(c_, "SELECT COUNT(*) FROM " + std::string(table), OneOff{});
    QS_TRY(s.Step());
    return s.Int(0);
  }

  Status ScanTable(std::string_view table,
                   const std::function<Status(const RawRow&)>& fn) override {
    const auto columns = QS_TRY(TableColumns(table));
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
    // Primary-key order: the first column for every table of a lab but the
    // composite-key ones, whose key columns come first too.
    Stmt s(c_, "SELECT " + list + " FROM " + std::string(table) + " ORDER BY 1, 2, 3", OneOff{});
    RawRow row(columns.size());
    while (QS_TRY(s.Step())) {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const int col = static_cast<int>(i);
        row[i] = s.IsNull(col) ? std::nullopt : std::optional<std::string>(s.Text(col));
      }
      QS_TRY_STATUS(fn(row));
    }
    return {};
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const std::vector<RawRow>& rows) override {
    QS_TRY_STATUS(CheckLabTable(table));
    if (rows.empty()) return {};
    std::string list;
    std::string marks;
    for (const auto& c : columns) {
      list += (list.empty() ? "" : ", ") + c;
      marks += marks.empty() ? "?" : ", ?";
    }
    // Many rows per statement: one round trip per batch, not per row.
    constexpr std::size_t kBatch = 200;
    for (std::size_t first = 0; first < rows.size(); first += kBatch) {
      const std::size_t n = std::min(kBatch, rows.size() - first);
      std::string sql = "INSERT INTO " + std::string(table) + "(" + list + ") VALUES ";
      for (std::size_t r = 0; r < n; ++r) sql += (r ? ", (" : "(") + marks + ")";
      Stmt s(c_, sql, OneOff{});
      for (std::size_t r = first; r < first + n; ++r) {
        if (rows[r].size() != columns.size()) return Internal("a row does not fit its columns");
        for (const auto& v : rows[r]) s.Bind(v);
      }
      QS_TRY_STATUS(s.Run());
    }
    if (std::find(columns.begin(), columns.end(), "id") != columns.end()) {
      if (const std::string reset = Dialect::ResetIds(table); !reset.empty()) {
        Stmt s(c_, reset, OneOff{});
        QS_TRY_STATUS(s.Run());
      }
    }
    return {};
  }

  Result<MemberId> InsertMember(const NewMember& m) override {
    Stmt s(c_,
           "INSERT INTO members(handle, name, emails, skills, interests, steward, password_hash, "
           "joined_at) VALUES(?,?,?,?,?,?,?,?) RETURNING id");
    s.Bind(m.handle)
        .Bind(m.profile.name)
        .Bind(JoinList(m.profile.emails))
        .Bind(JoinList(m.profile.skills))
        .Bind(JoinList(m.profile.interests))
        .Bind(std::int64_t{m.steward})
        .Bind(m.password_hash)
        .Bind(m.now);
    auto id = InsertedId(s);
    if (!id) {
      if (id.error().code == ErrorCode::kAlreadyExists) {
        return AlreadyExists("the handle '" + m.handle + "' is taken; pick another", "handle");
      }
      return std::unexpected(id.error());
    }
    return MemberId(*id);
  }

  Result<std::optional<Member>> FindMember(MemberId id) override {
    Stmt s(c_,
           "SELECT id, handle, name, emails, skills, interests, steward, joined_at "
           "FROM members WHERE id = ?");
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<Member>();
    return std::optional<Member>(ReadMember(s));
  }

  Result<std::optional<Member>> FindMemberByHandle(std::string_view handle) override {
    Stmt s(c_,
           "SELECT id, handle, name, emails, skills, interests, steward, joined_at "
           "FROM members WHERE handle = ?");
    s.Bind(handle);
    if (!QS_TRY(s.Step())) return std::optional<Member>();
    return std::optional<Member>(ReadMember(s));
  }

  Result<std::optional<std::string>> PasswordHash(MemberId id) override {
    Stmt s(c_, "SELECT password_hash FROM members WHERE id = ?");
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<std::string>();
    return std::optional<std::string>(s.Text(0));
  }

  Result<std::vector<Member>> ListMembers(Page page) override {
    Stmt s(c_,
           "SELECT id, handle, name, emails, skills, interests, steward, joined_at "
           "FROM members WHERE (CAST(? AS BIGINT) = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    s.Bind(page.before).Bind(page.before).Bind(std::int64_t{page.limit});
    std::vector<Member> out;
    while (QS_TRY(s.Step())) out.push_back(ReadMember(s));
    return out;
  }

  Result<std::int64_t> CountMembers() override {
    Stmt s(c_, "SELECT COUNT(*) FROM members");
    QS_TRY(s.Step());
    return s.Int(0);
  }

  Status UpdateProfile(MemberId id, const MemberProfile& p) override {
    Stmt s(c_, "UPDATE members SET name = ?, emails = ?, skills = ?, interests = ? WHERE id = ?");
    s.Bind(p.name)
        .Bind(JoinList(p.emails))
        .Bind(JoinList(p.skills))
        .Bind(JoinList(p.interests))
        .Bind(id.value);
    return s.Run();
  }

  Result<TokenId> InsertToken(MemberId member, std::string_view token_hash, std::string_view name,
                              UnixSeconds now) override {
    Stmt s(c_,
           "INSERT INTO tokens(member_id, token_hash, name, created_at, last_used_at) "
           "VALUES(?,?,?,?,?) RETURNING id");
    s.Bind(member.value).Bind(token_hash).Bind(name).Bind(now).Bind(now);
    return TokenId(QS_TRY(InsertedId(s)));
  }

  Result<std::optional<TokenRecord>> FindLiveToken(std::string_view token_hash) override {
    Stmt s(c_,
           "SELECT id, member_id, name, created_at, session, last_used_at FROM tokens "
           "WHERE token_hash = ? AND revoked_at IS NULL");
    s.Bind(token_hash);
    if (!QS_TRY(s.Step())) return std::optional<TokenRecord>();
    return std::optional<TokenRecord>(TokenRecord{TokenId(s.Int(0)), MemberId(s.Int(1)), s.Text(2),
                                                  s.Int(3), std::nullopt, s.Int(4) != 0, s.Int(5)});
  }

  Result<std::vector<TokenRecord>> ListTokens(MemberId member) override {
    Stmt s(c_,
           "SELECT id, member_id, name, created_at, revoked_at, session, last_used_at "
           "FROM tokens WHERE member_id = ? ORDER BY id");
    s.Bind(member.value);
    std::vector<TokenRecord> out;
    while (QS_TRY(s.Step())) {
      out.push_back({TokenId(s.Int(0)), MemberId(s.Int(1)), s.Text(2), s.Int(3), s.OptInt(4),
                     s.Int(5) != 0, s.Int(6)});
    }
    return out;
  }

  Result<bool> RevokeToken(MemberId member, TokenId id, UnixSeconds now) override {
    Stmt s(c_,
           "UPDATE tokens SET revoked_at = ? "
           "WHERE id = ? AND member_id = ? AND revoked_at IS NULL");
    s.Bind(now).Bind(id.value).Bind(member.value);
    QS_TRY_STATUS(s.Run());
    return s.Changes() > 0;
  }

  Result<TokenId> InsertSession(MemberId member, std::string_view token_hash,
                                UnixSeconds now) override {
    Stmt s(c_,
           "INSERT INTO tokens(member_id, token_hash, name, created_at, session, last_used_at) "
           "VALUES(?,?,'login',?,1,?) RETURNING id");
    s.Bind(member.value).Bind(token_hash).Bind(now).Bind(now);
    return TokenId(QS_TRY(InsertedId(s)));
  }

  Status TouchToken(TokenId id, UnixSeconds now) override {
    Stmt s(c_, "UPDATE tokens SET last_used_at = ? WHERE id = ?");
    s.Bind(now).Bind(id.value);
    return s.Run();
  }

  Result<std::int64_t> RevokeMemberTokens(MemberId member, std::optional<TokenId> keep,
                                          UnixSeconds now) override {
    Stmt s(c_,
           "UPDATE tokens SET revoked_at = ? "
           "WHERE member_id = ? AND revoked_at IS NULL AND id <> ?");
    s.Bind(now).Bind(member.value).Bind(keep ? keep->value : std::int64_t{0});
    QS_TRY_STATUS(s.Run());
    return static_cast<std::int64_t>(s.Changes());
  }

  Status SetPasswordHash(MemberId id, std::string_view password_hash) override {
    Stmt s(c_, "UPDATE members SET password_hash = ? WHERE id = ?");
    s.Bind(password_hash).Bind(id.value);
    QS_TRY_STATUS(s.Run());
    if (s.Changes() == 0) return NotFound("there is no member " + std::to_string(id.value));
    return {};
  }

  Status PutKnownClient(const KnownClient& k) override {
    Stmt s(c_,
           "INSERT INTO known_clients(client_hash, member_id, created_at, last_seen_at) "
           "VALUES(?,?,?,?) ON CONFLICT(client_hash) DO UPDATE SET "
           "member_id = excluded.member_id, last_seen_at = excluded.last_seen_at");
    s.Bind(k.client_hash).Bind(k.member.value).Bind(k.created_at).Bind(k.last_seen_at);
    return s.Run();
  }

  Result<std::optional<KnownClient>> FindKnownClient(std::string_view client_hash) override {
    Stmt s(c_,
           "SELECT client_hash, member_id, created_at, last_seen_at FROM known_clients "
           "WHERE client_hash = ?");
    s.Bind(client_hash);
    if (!QS_TRY(s.Step())) return std::optional<KnownClient>();
    return std::optional<KnownClient>(
        KnownClient{s.Text(0), MemberId(s.Int(1)), s.Int(2), s.Int(3)});
  }

  Status PutPasswordReset(const PasswordReset& r) override {
    Stmt s(c_,
           "INSERT INTO password_resets(member_id, code_hash, issued_by, created_at, expires_at) "
           "VALUES(?,?,?,?,?) ON CONFLICT(member_id) DO UPDATE SET "
           "code_hash = excluded.code_hash, issued_by = excluded.issued_by, "
           "created_at = excluded.created_at, expires_at = excluded.expires_at");
    s.Bind(r.member.value).Bind(r.code_hash);
    if (r.issued_by) {
      s.Bind(r.issued_by->value);
    } else {
      s.BindNull();
    }
    s.Bind(r.created_at).Bind(r.expires_at);
    return s.Run();
  }

  Result<std::optional<PasswordReset>> FindPasswordReset(MemberId member) override {
    Stmt s(c_,
           "SELECT member_id, code_hash, issued_by, created_at, expires_at "
           "FROM password_resets WHERE member_id = ?");
    s.Bind(member.value);
    if (!QS_TRY(s.Step())) return std::optional<PasswordReset>();
    PasswordReset r{MemberId(s.Int(0)), s.Text(1), std::nullopt, s.Int(3), s.Int(4)};
    if (auto by = s.OptInt(2)) r.issued_by = MemberId(*by);
    return std::optional<PasswordReset>(std::move(r));
  }

  Result<bool> DeletePasswordReset(MemberId member) override {
    Stmt s(c_, "DELETE FROM password_resets WHERE member_id = ?");
    s.Bind(member.value);
    QS_TRY_STATUS(s.Run());
    return s.Changes() > 0;
  }

  Result<std::vector<std::string>> ProvenEmails(MemberId member) override {
    Stmt s(c_,
           "SELECT email FROM identity_claims "
           "WHERE member_id = ? AND confirmed_at IS NOT NULL ORDER BY email");
    s.Bind(member.value);
    std::vector<std::string> out;
    while (QS_TRY(s.Step())) out.push_back(s.Text(0));
    return out;
  }

  Status InsertSignupInvite(const SignupInvite& inv) override {
    Stmt s(c_,
           "INSERT INTO signup_invites(code_hash, created_by, created_at, expires_at) "
           "VALUES(?,?,?,?)");
    s.Bind(inv.code_hash).Bind(inv.created_by.value).Bind(inv.created_at).Bind(inv.expires_at);
    return s.Run();
  }

  Result<std::optional<SignupInvite>> FindSignupInvite(std::string_view code_hash) override {
    Stmt s(c_,
           "SELECT code_hash, created_by, created_at, expires_at, used_by "
           "FROM signup_invites WHERE code_hash = ?");
    s.Bind(code_hash);
    if (!QS_TRY(s.Step())) return std::optional<SignupInvite>();
    SignupInvite inv{s.Text(0), MemberId(s.Int(1)), s.Int(2), s.Int(3), std::nullopt};
    if (auto used = s.OptInt(4)) inv.used_by = MemberId(*used);
    return std::optional<SignupInvite>(inv);
  }

  Status UseSignupInvite(std::string_view code_hash, MemberId used_by) override {
    Stmt s(c_, "UPDATE signup_invites SET used_by = ? WHERE code_hash = ? AND used_by IS NULL");
    s.Bind(used_by.value).Bind(code_hash);
    QS_TRY_STATUS(s.Run());
    if (s.Changes() == 0) {
      return FailedPrecondition("this invitation code has been used already");
    }
    return {};
  }

  Result<IdeaId> InsertIdea(MemberId author, std::string_view title, std::string_view pitch,
                            UnixSeconds now) override {
    Stmt s(c_,
           "INSERT INTO ideas(author_id, title, pitch, created_at) VALUES(?,?,?,?) RETURNING id");
    s.Bind(author.value).Bind(title).Bind(pitch).Bind(now);
    return IdeaId(QS_TRY(InsertedId(s)));
  }

  Result<std::optional<Idea>> FindIdea(IdeaId id) override {
    Stmt s(c_,
           "SELECT i.id, i.author_id, m.handle, i.title, i.pitch, i.created_at "
           "FROM ideas i JOIN members m ON m.id = i.author_id WHERE i.id = ?");
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<Idea>();
    std::vector<Idea> ideas{ReadIdea(s)};
    QS_TRY_STATUS(FillIdeaBackers(ideas));
    return std::optional<Idea>(std::move(ideas[0]));
  }

  Result<std::vector<Idea>> ListIdeas(std::string_view query, Page page) override {
    Stmt s(c_,
           "SELECT i.id, i.author_id, m.handle, i.title, i.pitch, i.created_at "
           "FROM ideas i JOIN members m ON m.id = i.author_id "
           "WHERE (CAST(? AS BIGINT) = 0 OR i.id < ?) AND (? = '' OR LOWER(i.title) LIKE ? ESCAPE "
           "'\\' "
           "OR LOWER(i.pitch) LIKE ? ESCAPE '\\') ORDER BY i.id DESC LIMIT ?");
    const std::string pattern = LikePattern(query);
    s.Bind(page.before)
        .Bind(page.before)
        .Bind(query)
        .Bind(pattern)
        .Bind(pattern)
        .Bind(std::int64_t{page.limit});
    std::vector<Idea> out;
    while (QS_TRY(s.Step())) out.push_back(ReadIdea(s));
    QS_TRY_STATUS(FillIdeaBackers(out));
    return out;
  }

  Status UpdateIdea(IdeaId id, std::string_view title, std::string_view pitch) override {
    Stmt s(c_, "UPDATE ideas SET title = ?, pitch = ? WHERE id = ?");
    s.Bind(title).Bind(pitch).Bind(id.value);
    QS_TRY_STATUS(s.Run());
    if (s.Changes() == 0) return NotFound("there is no idea " + std::to_string(id.value));
    return {};
  }

  Result<bool> InsertBacking(BackingTarget target, std::int64_t target_id, MemberId member,
                             UnixSeconds now) override {
    Stmt s(c_,
           "INSERT INTO backings(target, target_id, member_id, created_at) VALUES(?,?,?,?) "
           "ON CONFLICT DO NOTHING");
    s.Bind(TargetName(target)).Bind(target_id).Bind(member.value).Bind(now);
    QS_TRY_STATUS(s.Run());
    return s.Changes() > 0;
  }

  Result<bool> DeleteBacking(BackingTarget target, std::int64_t target_id,
                             MemberId member) override {
    Stmt s(c_, "DELETE FROM backings WHERE target = ? AND target_id = ? AND member_id = ?");
    s.Bind(TargetName(target)).Bind(target_id).Bind(member.value);
    QS_TRY_STATUS(s.Run());
    return s.Changes() > 0;
  }

  Result<ProjectId> InsertProject(const Project& p) override {
    Stmt s(c_,
           "INSERT INTO projects(title, pitch, idea_id, initiator_id, looking_for, created_at) "
           "VALUES(?,?,?,?,?,?) RETURNING id");
    std::optional<std::int64_t> idea;
    if (p.idea) idea = p.idea->value;
    s.Bind(p.title)
        .Bind(p.pitch)
        .Bind(idea)
        .Bind(p.initiator.value)
        .Bind(JoinList(p.looking_for))
        .Bind(p.created_at);
    return ProjectId(QS_TRY(InsertedId(s)));
  }

  Result<std::optional<Project>> FindProject(ProjectId id) override {
    Stmt s(c_,
           "SELECT p.id, p.title, p.pitch, p.idea_id, p.initiator_id, m.handle, "
           "p.looking_for, p.created_at FROM projects p "
           "JOIN members m ON m.id = p.initiator_id WHERE p.id = ?");
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<Project>();
    std::vector<Project> projects{ReadProject(s)};
    QS_TRY_STATUS(FillProjectBackers(projects));
    return std::optional<Project>(std::move(projects[0]));
  }

  Result<std::vector<Project>> ListProjects(Page page) override {
    Stmt s(c_,
           "SELECT p.id, p.title, p.pitch, p.idea_id, p.initiator_id, m.handle, "
           "p.looking_for, p.created_at FROM projects p "
           "JOIN members m ON m.id = p.initiator_id "
           "WHERE (CAST(? AS BIGINT) = 0 OR p.id < ?) ORDER BY p.id DESC LIMIT ?");
    s.Bind(page.before).Bind(page.before).Bind(std::int64_t{page.limit});
    std::vector<Project> out;
    while (QS_TRY(s.Step())) out.push_back(ReadProject(s));
    QS_TRY_STATUS(FillProjectBackers(out));
    return out;
  }

  Status UpdateLookingFor(ProjectId id, const std::vector<std::string>& roles) override {
    Stmt s(c_, "UPDATE projects SET looking_for = ? WHERE id = ?");
    s.Bind(JoinList(roles)).Bind(id.value);
    return s.Run();
  }

  Result<std::optional<Membership>> FindMembership(ProjectId project, MemberId member) override {
    Stmt s(c_,
           "SELECT ms.project_id, ms.member_id, m.handle, ms.state, ms.acted_by, ms.message, "
           "ms.updated_at FROM memberships ms JOIN members m ON m.id = ms.member_id "
           "WHERE ms.project_id = ? AND ms.member_id = ?");
    s.Bind(project.value).Bind(member.value);
    if (!QS_TRY(s.Step())) return std::optional<Membership>();
    return std::optional<Membership>(QS_TRY(ReadMembership(s)));
  }

  Status PutMembership(const Membership& m) override {
    Stmt s(c_,
           "INSERT INTO memberships(project_id, member_id, state, acted_by, message, updated_at) "
           "VALUES(?,?,?,?,?,?) ON CONFLICT(project_id, member_id) DO UPDATE SET "
           "state = excluded.state, acted_by = excluded.acted_by, "
           "message = excluded.message, updated_at = excluded.updated_at");
    s.Bind(m.project.value)
        .Bind(m.member.value)
        .Bind(MembershipStateName(m.state))
        .Bind(m.acted_by.value)
        .Bind(m.message)
        .Bind(m.updated_at);
    return s.Run();
  }

  Result<std::vector<Membership>> ListMemberships(std::span<const ProjectId> projects) override {
    std::vector<Membership> out;
    if (projects.empty()) return out;
    const std::string json = JsonArray(projects, [](ProjectId id) { return id.value; });
    static const std::string sql =
        std::string(
            "SELECT ms.project_id, ms.member_id, m.handle, ms.state, ms.acted_by, ms.message, "
            "ms.updated_at FROM memberships ms JOIN members m ON m.id = ms.member_id "
            "WHERE ms.project_id IN (") +
        Dialect::kIdList + ") ORDER BY ms.project_id, ms.updated_at, m.handle";
    Stmt s(c_, sql.c_str());
    s.Bind(json);
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadMembership(s)));
    return out;
  }

  Result<InboxList> ListAwaitingAnswer(MemberId member, int limit) override {
    static const std::string sql = InboxQuery(
        "(ms.state = 'invited' AND ms.member_id = ?) "
        "OR (ms.state = 'applied' AND ms.member_id <> ? AND EXISTS (SELECT 1 FROM memberships "
        "mine WHERE mine.project_id = ms.project_id AND mine.member_id = ? "
        "AND mine.state = 'active'))");
    Stmt s(c_, sql.c_str());
    s.Bind(member.value).Bind(member.value).Bind(member.value).Bind(std::int64_t{limit});
    return ReadInbox(s);
  }

  Result<InboxList> ListAskedBy(MemberId member, int limit) override {
    static const std::string sql = InboxQuery(
        "(ms.state = 'applied' AND ms.member_id = ?) "
        "OR (ms.state = 'invited' AND ms.acted_by = ? AND ms.member_id <> ?)");
    Stmt s(c_, sql.c_str());
    s.Bind(member.value).Bind(member.value).Bind(member.value).Bind(std::int64_t{limit});
    return ReadInbox(s);
  }

  Result<TaskId> InsertTask(const Task& t) override {
    Stmt s(c_,
           "INSERT INTO tasks(project_id, title, description, state, holder_id, created_by, "
           "created_at, updated_at) VALUES(?,?,?,?,?,?,?,?) RETURNING id");
    s.Bind(t.project.value)
        .Bind(t.title)
        .Bind(t.description)
        .Bind(TaskStateName(t.state))
        .Bind(HolderValue(t))
        .Bind(t.created_by.value)
        .Bind(t.created_at)
        .Bind(t.updated_at);
    return TaskId(QS_TRY(InsertedId(s)));
  }

  Result<std::optional<Task>> FindTask(TaskId id) override {
    Stmt s(c_,
           "SELECT t.id, t.project_id, t.title, t.description, t.state, t.holder_id, "
           "m.handle, t.created_by, t.created_at, t.updated_at FROM tasks t "
           "LEFT JOIN members m ON m.id = t.holder_id WHERE t.id = ?");
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<Task>();
    return std::optional<Task>(QS_TRY(ReadTask(s)));
  }

  static std::string EncodeEnv(const Job& j) {
    std::vector<std::string> items;
    items.reserve(j.env.size());
    for (const auto& [k, v] : j.env) items.push_back(std::string(k).append("=").append(v));
    return EncodeStrings(items);
  }

  static std::string JoinGpus(const std::vector<int>& gpus) {
    std::string out;
    for (std::size_t i = 0; i < gpus.size(); ++i) out += (i ? "," : "") + std::to_string(gpus[i]);
    return out;
  }

  static Result<Job> ReadJob(const Stmt& s) {
    Job j;
    j.id = JobId(s.Int(0));
    j.owner = MemberId(s.Int(1));
    j.owner_handle = s.Text(2);
    j.project = ProjectId(s.Int(3));
    j.name = s.Text(4);
    j.gpus = static_cast<int>(s.Int(5));
    j.time_limit_s = s.OptInt(6);
    j.workdir = s.Text(7);
    for (const auto& kv : DecodeStrings(s.Text(8))) {
      const auto eq = kv.find('=');
      j.env.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
    }
    j.argv = DecodeStrings(s.Text(9));
    const auto state = ParseJobState(s.Text(10));
    if (!state) return Internal("unknown job state '" + s.Text(10) + "' in the database");
    j.state = *state;
    j.run = static_cast<int>(s.Int(11));
    std::stringstream gpus(s.Text(12));
    for (std::string g; std::getline(gpus, g, ',');) {
      j.gpu_ids.push_back(std::atoi(g.c_str()));
    }
    const auto stopping = ParseJobStop(s.Text(13));
    if (!stopping) return Internal("unknown job stop '" + s.Text(13) + "' in the database");
    j.stopping = *stopping;
    if (auto code = s.OptInt(14)) j.exit_code = static_cast<int>(*code);
    j.reason = s.Text(15);
    j.attained_gpu_s = s.Int(16);
    j.submitted_at = s.Int(17);
    j.started_at = s.OptInt(18);
    j.run_started_at = s.OptInt(19);
    j.finished_at = s.OptInt(20);
    j.queued_at = s.Int(21);
    return j;
  }

  static constexpr const char* kJobSelect =
      "SELECT j.id, j.owner_id, m.handle, j.project_id, j.name, j.gpus, j.time_limit_s, j.workdir, "
      "j.env, j.argv, j.state, j.run, j.gpu_ids, j.stopping, j.exit_code, j.reason, "
      "j.attained_gpu_s, j.submitted_at, j.started_at, j.run_started_at, j.finished_at, "
      "j.queued_at FROM jobs j JOIN members m ON m.id = j.owner_id ";

  Result<JobId> InsertJob(const Job& j) override {
    Stmt s(c_,
           "INSERT INTO jobs(owner_id, project_id, name, gpus, time_limit_s, workdir, env, argv, "
           "state, submitted_at, queued_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    s.Bind(j.owner.value)
        .Bind(j.project.value)
        .Bind(j.name)
        .Bind(std::int64_t{j.gpus})
        .Bind(j.time_limit_s)
        .Bind(j.workdir)
        .Bind(EncodeEnv(j))
        .Bind(EncodeStrings(j.argv))
        .Bind(JobStateName(j.state))
        .Bind(j.submitted_at)
        .Bind(j.queued_at ? j.queued_at : j.submitted_at);
    return JobId(QS_TRY(InsertedId(s)));
  }

  Result<std::optional<Job>> FindJob(JobId id) override {
    static const std::string sql = std::string(kJobSelect) + "WHERE j.id = ?";
    Stmt s(c_, sql.c_str());
    s.Bind(id.value);
    if (!QS_TRY(s.Step())) return std::optional<Job>();
    return std::optional<Job>(QS_TRY(ReadJob(s)));
  }

  Status UpdateJob(const Job& j) override {
    Stmt s(c_,
           "UPDATE jobs SET state = ?, run = ?, gpu_ids = ?, stopping = ?, exit_code = ?, "
           "reason = ?, attained_gpu_s = ?, started_at = ?, run_started_at = ?, finished_at = ?, "
           "queued_at = ? WHERE id = ?");
    std::optional<std::int64_t> code;
    if (j.exit_code) code = *j.exit_code;
    s.Bind(JobStateName(j.state))
        .Bind(std::int64_t{j.run})
        .Bind(JoinGpus(j.gpu_ids))
        .Bind(JobStopName(j.stopping))
        .Bind(code)
        .Bind(j.reason)
        .Bind(j.attained_gpu_s)
        .Bind(j.started_at)
        .Bind(j.run_started_at)
        .Bind(j.finished_at)
        .Bind(j.queued_at)
        .Bind(j.id.value);
    return s.Run();
  }

  Result<std::vector<Job>> ListActiveJobs() override {
    static const std::string sql =
        std::string(kJobSelect) +
        "WHERE j.state IN ('pending','running','preempted') ORDER BY j.id";
    Stmt s(c_, sql.c_str());
    std::vector<Job> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadJob(s)));
    return out;
  }

  Result<std::vector<Job>> ListJobs(std::optional<ProjectId> project, Page page) override {
    static const std::string sql =
        std::string(kJobSelect) +
        "WHERE (CAST(? AS BIGINT) = 0 OR j.project_id = ?) AND (CAST(? AS BIGINT) = 0 OR j.id < ?) "
        "ORDER BY j.id DESC LIMIT ?";
    Stmt s(c_, sql.c_str());
    const std::int64_t pid = project ? project->value : 0;
    s.Bind(pid).Bind(pid).Bind(page.before).Bind(page.before).Bind(std::int64_t{page.limit});
    std::vector<Job> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadJob(s)));
    return out;
  }

  Status InsertJobNote(const JobNote& n, MemberId author) override {
    Stmt s(c_,
           "INSERT INTO job_notes(job_id, author_id, outcome, text, created_at) VALUES(?,?,?,?,?)");
    s.Bind(n.job.value)
        .Bind(author.value)
        .Bind(JobOutcomeName(n.outcome))
        .Bind(n.text)
        .Bind(n.created_at);
    return s.Run();
  }

  Result<std::vector<JobNote>> ListJobNotes(JobId job) override {
    Stmt s(c_,
           "SELECT n.id, n.job_id, m.handle, n.outcome, n.text, n.created_at FROM job_notes n "
           "JOIN members m ON m.id = n.author_id WHERE n.job_id = ? ORDER BY n.id");
    s.Bind(job.value);
    std::vector<JobNote> out;
    while (QS_TRY(s.Step())) {
      const auto outcome = ParseJobOutcome(s.Text(3));
      if (!outcome) return Internal("unknown job outcome '" + s.Text(3) + "' in the database");
      out.push_back({s.Int(0), JobId(s.Int(1)), s.Text(2), *outcome, s.Text(4), s.Int(5)});
    }
    return out;
  }

  Status InsertBoost(const ProjectBoost& b, MemberId granted_by) override {
    Stmt s(c_,
           "INSERT INTO boosts(project_id, factor, expires_at, reason, granted_by, created_at) "
           "VALUES(?,?,?,?,?,?)");
    s.Bind(b.project.value)
        .BindDouble(b.factor)
        .Bind(b.expires_at)
        .Bind(b.reason)
        .Bind(granted_by.value)
        .Bind(b.created_at);
    return s.Run();
  }

  Result<std::vector<ProjectBoost>> ListBoosts(UnixSeconds now) override {
    Stmt s(c_,
           "SELECT b.id, b.project_id, b.factor, b.expires_at, b.reason, m.handle, b.created_at "
           "FROM boosts b JOIN members m ON m.id = b.granted_by "
           "WHERE (CAST(? AS BIGINT) = 0 OR b.expires_at > ?) ORDER BY b.id");
    s.Bind(now).Bind(now);
    std::vector<ProjectBoost> out;
    while (QS_TRY(s.Step())) {
      out.push_back(
          {s.Int(0), ProjectId(s.Int(1)), s.Double(2), s.Int(3), s.Text(4), s.Text(5), s.Int(6)});
    }
    return out;
  }

  Result<std::map<std::int64_t, std::pair<int, int>>> ProjectPeople() override {
    std::map<std::int64_t, std::pair<int, int>> out;
    Stmt members(c_,
                 "SELECT p.id, (SELECT COUNT(*) FROM memberships ms WHERE ms.project_id = p.id "
                 "AND ms.state = 'active'), (SELECT COUNT(*) FROM backings b WHERE "
                 "b.target = 'project' AND b.target_id = p.id) FROM projects p");
    while (QS_TRY(members.Step())) {
      out[members.Int(0)] = {static_cast<int>(members.Int(1)), static_cast<int>(members.Int(2))};
    }
    return out;
  }

  // ---- the ledger ----

  static LedgerRow ReadLedgerRow(const Stmt& s) {
    return {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.OptInt(5), s.Text(6), s.Int(7)};
  }

  Result<std::optional<LedgerRow>> LastLedgerRow() override {
    Stmt s(c_,
           "SELECT seq, entry, leaf_hash, contributor, kind, project_id, evidence, at FROM ledger "
           "ORDER BY seq DESC LIMIT 1");
    if (!QS_TRY(s.Step())) return std::optional<LedgerRow>();
    return std::optional<LedgerRow>(ReadLedgerRow(s));
  }

  Status AppendLedger(const LedgerRow& r) override {
    Stmt s(c_,
           "INSERT INTO ledger(seq, entry, leaf_hash, contributor, kind, project_id, evidence, at) "
           "VALUES(?,?,?,?,?,?,?,?)");
    s.Bind(r.seq)
        .Bind(r.entry)
        .Bind(r.leaf_hash)
        .Bind(r.contributor)
        .Bind(r.kind)
        .Bind(r.project)
        .Bind(r.evidence)
        .Bind(r.at);
    return s.Run();
  }

  Result<std::vector<LedgerRow>> ListLedger(const LedgerQuery& q) override {
    Stmt s(c_,
           "SELECT seq, entry, leaf_hash, contributor, kind, project_id, evidence, at FROM ledger "
           "WHERE seq > ? AND (? = '' OR contributor = ?) AND (CAST(? AS BIGINT) IS NULL OR "
           "project_id = ?) "
           "AND (? = '' OR evidence = ?) ORDER BY seq LIMIT ?");
    s.Bind(q.after_seq)
        .Bind(q.contributor)
        .Bind(q.contributor)
        .Bind(q.project)
        .Bind(q.project)
        .Bind(q.evidence)
        .Bind(q.evidence)
        .Bind(std::int64_t{q.limit});
    std::vector<LedgerRow> out;
    while (QS_TRY(s.Step())) out.push_back(ReadLedgerRow(s));
    return out;
  }

  Result<std::vector<std::string>> LedgerLeafHashes(std::int64_t after_seq, int limit) override {
    Stmt s(c_, "SELECT leaf_hash FROM ledger WHERE seq > ? ORDER BY seq LIMIT ?");
    s.Bind(after_seq).Bind(std::int64_t{limit});
    std::vector<std::string> out;
    while (QS_TRY(s.Step())) out.push_back(s.Text(0));
    return out;
  }

  Status InsertCheckpoint(const StoredCheckpoint& cp) override {
    Stmt s(c_,
           "INSERT INTO ledger_checkpoints(tree_size, root, at, signature) VALUES(?,?,?,?) "
           "ON CONFLICT(tree_size) DO NOTHING");
    s.Bind(cp.tree_size).Bind(cp.root).Bind(cp.at).Bind(cp.signature);
    return s.Run();
  }

  Result<std::optional<StoredCheckpoint>> LatestCheckpoint() override {
    Stmt s(c_,
           "SELECT tree_size, root, at, signature FROM ledger_checkpoints "
           "ORDER BY tree_size DESC LIMIT 1");
    if (!QS_TRY(s.Step())) return std::optional<StoredCheckpoint>();
    return std::optional<StoredCheckpoint>(
        StoredCheckpoint{s.Int(0), s.Text(1), s.Int(2), s.Text(3)});
  }

  // ---- utilization ----

  Status InsertGpuSample(const GpuSample& g) override {
    Stmt s(c_, "INSERT INTO gpu_samples(at, busy, total) VALUES(?,?,?) ON CONFLICT(at) DO NOTHING");
    s.Bind(g.at).Bind(std::int64_t{g.busy}).Bind(std::int64_t{g.total});
    return s.Run();
  }

  Result<std::vector<GpuSample>> ListGpuSamples(UnixSeconds since) override {
    Stmt s(c_, "SELECT at, busy, total FROM gpu_samples WHERE at >= ? ORDER BY at");
    s.Bind(since);
    std::vector<GpuSample> out;
    while (QS_TRY(s.Step())) {
      out.push_back({s.Int(0), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2))});
    }
    return out;
  }

  // ---- identity claims ----

  Status PutIdentityClaim(const IdentityClaim& c) override {
    Stmt s(
        c_,
        "INSERT INTO identity_claims(email, member_id, code_hash, created_at, expires_at, "
        "attempts, mails, window_from) "
        "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(email, member_id) DO UPDATE SET code_hash = "
        "excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at, "
        "attempts = excluded.attempts, mails = excluded.mails, "
        "window_from = excluded.window_from");
    s.Bind(c.email)
        .Bind(c.member.value)
        .Bind(c.code_hash)
        .Bind(c.created_at)
        .Bind(c.expires_at)
        .Bind(c.attempts)
        .Bind(c.mails)
        .Bind(c.window_from);
    return s.Run();
  }

  Result<std::optional<IdentityClaim>> FindIdentityClaim(std::string_view email,
                                                         MemberId member) override {
    Stmt s(c_,
           "SELECT email, member_id, code_hash, created_at, expires_at, confirmed_at, attempts, "
           "mails, window_from FROM identity_claims WHERE email = ? AND member_id = ?");
    s.Bind(email).Bind(member.value);
    if (!QS_TRY(s.Step())) return std::optional<IdentityClaim>();
    return std::optional<IdentityClaim>(IdentityClaim{s.Text(0), MemberId(s.Int(1)), s.Text(2),
                                                      s.Int(3), s.Int(4), s.OptInt(5), s.Int(6),
                                                      s.Int(7), s.Int(8)});
  }

  Result<std::optional<MemberId>> IdentityOwner(std::string_view email) override {
    Stmt s(c_,
           "SELECT member_id FROM identity_claims WHERE email = ? AND confirmed_at IS NOT NULL");
    s.Bind(email);
    if (!QS_TRY(s.Step())) return std::optional<MemberId>();
    return std::optional<MemberId>(MemberId(s.Int(0)));
  }

  Status ConfirmIdentityClaim(std::string_view email, MemberId member, UnixSeconds at) override {
    Stmt s(c_, "UPDATE identity_claims SET confirmed_at = ? WHERE email = ? AND member_id = ?");
    s.Bind(at).Bind(email).Bind(member.value);
    return s.Run();
  }

  Result<std::int64_t> MissIdentityClaim(std::string_view email, MemberId member) override {
    Stmt s(c_,
           "UPDATE identity_claims SET attempts = attempts + 1 WHERE email = ? AND member_id = ? "
           "RETURNING attempts");
    s.Bind(email).Bind(member.value);
    if (!QS_TRY(s.Step())) return NotFound("there is no claim of " + std::string(email));
    return s.Int(0);
  }

  Result<std::int64_t> IdentityMailsOfMember(MemberId member, UnixSeconds since) override {
    Stmt s(c_,
           "SELECT COALESCE(SUM(mails), 0) FROM identity_claims "
           "WHERE member_id = ? AND window_from >= ?");
    s.Bind(member.value).Bind(since);
    if (!QS_TRY(s.Step())) return std::int64_t{0};
    return s.Int(0);
  }

  Result<std::int64_t> IdentityMailsToAddress(std::string_view email, UnixSeconds since) override {
    Stmt s(c_,
           "SELECT COALESCE(SUM(mails), 0) FROM identity_claims "
           "WHERE email = ? AND window_from >= ?");
    s.Bind(email).Bind(since);
    if (!QS_TRY(s.Step())) return std::int64_t{0};
    return s.Int(0);
  }

  // ---- reward rounds ----

  static std::string EncodeWeights(const RewardWeights& weights) {
    std::vector<std::string> items;
    items.reserve(weights.size());
    for (const auto& [kind, w] : weights) {
      items.push_back(kind + " " + std::to_string(w.per_entry_milli) + " " +
                      std::to_string(w.per_unit_milli));
    }
    return EncodeStrings(items);
  }

  static RewardWeights DecodeWeights(std::string_view text) {
    RewardWeights out;
    for (const auto& item : DecodeStrings(text)) {
      std::istringstream in(item);
      std::string kind;
      KindWeight w;
      in >> kind >> w.per_entry_milli >> w.per_unit_milli;
      out[kind] = w;
    }
    return out;
  }

  static constexpr const char* kRoundSelect =
      "SELECT r.id, r.title, r.pool_minor, r.currency, r.period_from, r.period_to, "
      "r.alpha_milli, r.weights, r.state, m.handle, r.created_at, r.closed_at, r.payout "
      "FROM reward_rounds r JOIN members m ON m.id = r.opened_by ";

  static Result<RewardRound> ReadRound(const Stmt& s) {
    RewardRound r;
    r.id = s.Int(0);
    r.settings = {
        s.Text(1), s.Int(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6), DecodeWeights(s.Text(7))};
    const auto state = ParseRoundState(s.Text(8));
    if (!state) return Internal("unknown reward round state '" + s.Text(8) + "' in the database");
    r.state = *state;
    r.opened_by = s.Text(9);
    r.created_at = s.Int(10);
    r.closed_at = s.OptInt(11);
    r.payout = s.Text(12);
    return r;
  }

  Result<std::int64_t> InsertRewardRound(const RewardRound& r, MemberId opened_by) override {
    Stmt s(c_,
           "INSERT INTO reward_rounds(title, pool_minor, currency, period_from, period_to, "
           "alpha_milli, weights, state, opened_by, created_at) VALUES(?,?,?,?,?,?,?,'open',?,?) "
           "RETURNING id");
    s.Bind(r.settings.title)
        .Bind(r.settings.pool_minor)
        .Bind(r.settings.currency)
        .Bind(r.settings.period_from)
        .Bind(r.settings.period_to)
        .Bind(r.settings.alpha_milli)
        .Bind(EncodeWeights(r.settings.weights))
        .Bind(opened_by.value)
        .Bind(r.created_at);
    return InsertedId(s);
  }

  Result<std::optional<RewardRound>> FindRewardRound(std::int64_t id) override {
    static const std::string sql = std::string(kRoundSelect) + "WHERE r.id = ?";
    Stmt s(c_, sql.c_str());
    s.Bind(id);
    if (!QS_TRY(s.Step())) return std::optional<RewardRound>();
    return std::optional<RewardRound>(QS_TRY(ReadRound(s)));
  }

  Result<std::vector<RewardRound>> ListRewardRounds() override {
    static const std::string sql = std::string(kRoundSelect) + "ORDER BY r.id DESC";
    Stmt s(c_, sql.c_str());
    std::vector<RewardRound> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadRound(s)));
    return out;
  }

  Status CloseRewardRound(std::int64_t id, UnixSeconds at, const std::string& payout) override {
    Stmt s(c_,
           "UPDATE reward_rounds SET state = 'closed', closed_at = ?, payout = ? "
           "WHERE id = ? AND state = 'open'");
    s.Bind(at).Bind(payout).Bind(id);
    return s.Run();
  }

  Status PutRewardPoints(
      std::int64_t round, MemberId giver,
      const std::vector<std::tuple<MemberId, std::int64_t, std::string>>& points) override {
    Stmt clear(c_, "DELETE FROM reward_points WHERE round_id = ? AND giver_id = ?");
    clear.Bind(round).Bind(giver.value);
    QS_TRY_STATUS(clear.Run());
    for (const auto& [receiver, n, note] : points) {
      Stmt s(c_,
             "INSERT INTO reward_points(round_id, giver_id, receiver_id, points, note) "
             "VALUES(?,?,?,?,?)");
      s.Bind(round).Bind(giver.value).Bind(receiver.value).Bind(n).Bind(note);
      QS_TRY_STATUS(s.Run());
    }
    return {};
  }

  Result<std::vector<std::tuple<std::string, std::string, std::int64_t, std::string>>>
  ListRewardPoints(std::int64_t round) override {
    Stmt s(c_,
           "SELECT g.handle, r.handle, p.points, p.note FROM reward_points p "
           "JOIN members g ON g.id = p.giver_id JOIN members r ON r.id = p.receiver_id "
           "WHERE p.round_id = ? ORDER BY g.handle, r.handle");
    s.Bind(round);
    std::vector<std::tuple<std::string, std::string, std::int64_t, std::string>> out;
    while (QS_TRY(s.Step())) out.emplace_back(s.Text(0), s.Text(1), s.Int(2), s.Text(3));
    return out;
  }

  Status UpdateTask(const Task& t) override {
    Stmt s(c_, "UPDATE tasks SET state = ?, holder_id = ?, updated_at = ? WHERE id = ?");
    s.Bind(TaskStateName(t.state)).Bind(HolderValue(t)).Bind(t.updated_at).Bind(t.id.value);
    return s.Run();
  }

  Result<std::vector<Task>> ListTasks(ProjectId project) override {
    Stmt s(c_,
           "SELECT t.id, t.project_id, t.title, t.description, t.state, t.holder_id, "
           "m.handle, t.created_by, t.created_at, t.updated_at FROM tasks t "
           "LEFT JOIN members m ON m.id = t.holder_id WHERE t.project_id = ? ORDER BY t.id");
    s.Bind(project.value);
    std::vector<Task> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadTask(s)));
    return out;
  }

  Result<std::vector<Task>> ListTasksPage(ProjectId project, PageAfter page) override {
    Stmt s(c_,
           "SELECT t.id, t.project_id, t.title, t.description, t.state, t.holder_id, "
           "m.handle, t.created_by, t.created_at, t.updated_at FROM tasks t "
           "LEFT JOIN members m ON m.id = t.holder_id WHERE t.project_id = ? AND t.id > ? "
           "ORDER BY t.id LIMIT ?");
    s.Bind(project.value).Bind(page.after).Bind(std::int64_t{page.limit});
    std::vector<Task> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadTask(s)));
    return out;
  }

  Result<std::vector<TokenRecord>> ListTokensPage(MemberId member, Page page) override {
    Stmt s(c_,
           "SELECT id, member_id, name, created_at, revoked_at, session, last_used_at FROM tokens "
           "WHERE member_id = ? AND (CAST(? AS BIGINT) = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    s.Bind(member.value).Bind(page.before).Bind(page.before).Bind(std::int64_t{page.limit});
    std::vector<TokenRecord> out;
    while (QS_TRY(s.Step())) {
      out.push_back({TokenId(s.Int(0)), MemberId(s.Int(1)), s.Text(2), s.Int(3), s.OptInt(4),
                     s.Int(5) != 0, s.Int(6)});
    }
    return out;
  }

  Result<std::int64_t> CountIdeasSince(MemberId author, UnixSeconds since) override {
    Stmt s(c_, "SELECT COUNT(*) FROM ideas WHERE author_id = ? AND created_at >= ?");
    s.Bind(author.value).Bind(since);
    QS_TRY(s.Step());
    return s.Int(0);
  }

  Result<std::int64_t> CountProjectsSince(MemberId initiator, UnixSeconds since) override {
    Stmt s(c_, "SELECT COUNT(*) FROM projects WHERE initiator_id = ? AND created_at >= ?");
    s.Bind(initiator.value).Bind(since);
    QS_TRY(s.Step());
    return s.Int(0);
  }

  Result<std::vector<Job>> ListActiveJobsPage(PageAfter page) override {
    static const std::string sql =
        std::string(kJobSelect) +
        "WHERE j.state IN ('pending','running','preempted') AND j.id > ? "
        "ORDER BY j.id LIMIT ?";
    Stmt s(c_, sql.c_str());
    s.Bind(page.after).Bind(std::int64_t{page.limit});
    std::vector<Job> out;
    while (QS_TRY(s.Step())) out.push_back(QS_TRY(ReadJob(s)));
    return out;
  }

  Result<std::int64_t> CountPendingJobs(MemberId owner) override {
    Stmt s(c_, "SELECT COUNT(*) FROM jobs WHERE owner_id = ? AND state = 'pending'");
    s.Bind(owner.value);
    QS_TRY(s.Step());
    return s.Int(0);
  }

 private:
  // The id an `INSERT ... RETURNING id` gave back.
  static Result<std::int64_t> InsertedId(Stmt& s) {
    if (!QS_TRY(s.Step())) return Internal("the insert returned no id");
    return s.Int(0);
  }

  static std::optional<std::int64_t> HolderValue(const Task& t) {
    if (t.holder) return t.holder->value;
    return std::nullopt;
  }

  static std::string LikePattern(std::string_view query) {
    std::string p = "%";
    for (char ch : query) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (c == '%' || c == '_' || c == '\\') p += '\\';
      p += c;
    }
    return p + "%";
  }

  static Idea ReadIdea(const Stmt& s) {
    Idea i;
    i.id = IdeaId(s.Int(0));
    i.author = MemberId(s.Int(1));
    i.author_handle = s.Text(2);
    i.title = s.Text(3);
    i.pitch = s.Text(4);
    i.created_at = s.Int(5);
    return i;
  }

  static Project ReadProject(const Stmt& s) {
    Project p;
    p.id = ProjectId(s.Int(0));
    p.title = s.Text(1);
    p.pitch = s.Text(2);
    if (auto idea = s.OptInt(3)) p.idea = IdeaId(*idea);
    p.initiator = MemberId(s.Int(4));
    p.initiator_handle = s.Text(5);
    p.looking_for = SplitList(s.Text(6));
    p.created_at = s.Int(7);
    return p;
  }

  static Result<Membership> ReadMembership(const Stmt& s) {
    Membership m;
    m.project = ProjectId(s.Int(0));
    m.member = MemberId(s.Int(1));
    m.handle = s.Text(2);
    const auto state = ParseMembershipState(s.Text(3));
    if (!state) return Internal("unknown membership state '" + s.Text(3) + "' in the database");
    m.state = *state;
    m.acted_by = MemberId(s.Int(4));
    m.message = s.Text(5);
    m.updated_at = s.Int(6);
    return m;
  }

  // One inbox list's query: the memberships matching `where`, with their project's
  // title, who acted last, and how many match in all; newest first, LIMIT bound last.
  static std::string InboxQuery(std::string_view where) {
    return "SELECT ms.project_id, ms.member_id, m.handle, ms.state, ms.acted_by, ms.message, "
           "ms.updated_at, p.title, a.handle, COUNT(*) OVER () "
           "FROM memberships ms JOIN members m ON m.id = ms.member_id "
           "JOIN projects p ON p.id = ms.project_id JOIN members a ON a.id = ms.acted_by "
           "WHERE " +
           std::string(where) +
           " ORDER BY ms.updated_at DESC, ms.project_id DESC, m.handle LIMIT ?";
  }

  // The rows of a ListAwaitingAnswer or ListAskedBy query; the window count is the
  // same on every row, and there is none when nothing matched.
  static Result<InboxList> ReadInbox(Stmt& s) {
    InboxList out;
    while (QS_TRY(s.Step())) {
      out.entries.push_back({QS_TRY(ReadMembership(s)), s.Text(7), s.Text(8)});
      out.total = s.Int(9);
    }
    return out;
  }

  static Result<Task> ReadTask(const Stmt& s) {
    Task t;
    t.id = TaskId(s.Int(0));
    t.project = ProjectId(s.Int(1));
    t.title = s.Text(2);
    t.description = s.Text(3);
    const auto state = ParseTaskState(s.Text(4));
    if (!state) return Internal("unknown task state '" + s.Text(4) + "' in the database");
    t.state = *state;
    if (auto holder = s.OptInt(5)) t.holder = MemberId(*holder);
    t.holder_handle = s.Text(6);
    t.created_by = MemberId(s.Int(7));
    t.created_at = s.Int(8);
    t.updated_at = s.Int(9);
    return t;
  }

  Status FillIdeaBackers(std::vector<Idea>& ideas) {
    std::vector<std::int64_t> ids;
    ids.reserve(ideas.size());
    for (const auto& i : ideas) ids.push_back(i.id.value);
    auto backers = QS_TRY((LoadBackers<Stmt, Dialect>(c_, BackingTarget::kIdea, ids)));
    for (auto& i : ideas) i.backers = std::move(backers[i.id.value]);
    return {};
  }

  Status FillProjectBackers(std::vector<Project>& projects) {
    std::vector<std::int64_t> ids;
    ids.reserve(projects.size());
    for (const auto& p : projects) ids.push_back(p.id.value);
    auto backers = QS_TRY((LoadBackers<Stmt, Dialect>(c_, BackingTarget::kProject, ids)));
    for (auto& p : projects) p.backers = std::move(backers[p.id.value]);
    return {};
  }

  Conn& c_;
};

}  // namespace qiusuo::sql
