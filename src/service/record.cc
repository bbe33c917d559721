#include "service/record.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/validate.h"

namespace qiusuo {
namespace {

constexpr int kChunk = 10000;

Result<std::vector<Contribution>> DecodeRows(const std::vector<LedgerRow>& rows) {
  std::vector<Contribution> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    auto c = ledger::Decode(row.entry);
    if (!c) return Internal("ledger entry " + std::to_string(row.seq) + " does not decode");
    out.push_back(std::move(*c));
  }
  return out;
}

// Every entry matching `query` (its after_seq and filters), however many.
Result<std::vector<Contribution>> AllEntries(Tx& tx, LedgerQuery query) {
  std::vector<Contribution> out;
  query.limit = kChunk;
  while (true) {
    auto rows = QS_TRY(tx.ListLedger(query));
    auto decoded = QS_TRY(DecodeRows(rows));
    out.insert(out.end(), std::make_move_iterator(decoded.begin()),
               std::make_move_iterator(decoded.end()));
    if (static_cast<int>(rows.size()) < kChunk) break;
    query.after_seq = rows.back().seq;
  }
  return out;
}

std::string RoundEvidence(std::int64_t round) { return "round:" + std::to_string(round); }

}  // namespace

Result<std::int64_t> AppendContribution(Tx& tx, Contribution c) {
  const auto last = QS_TRY(tx.LastLedgerRow());
  c.seq = last ? last->seq + 1 : 1;
  c.prev = last ? last->leaf_hash : "";
  const std::string bytes = ledger::Encode(c);
  const ledger::Hash leaf = ledger::LeafHash(bytes);
  QS_TRY_STATUS(tx.AppendLedger(
      {c.seq, bytes, ledger::Hex(leaf), c.contributor, c.kind, c.project, c.evidence, c.at}));
  return c.seq;
}

Result<crypto::SigningKey> LoadLedgerKey(const std::string& path, bool create_if_missing) {
  std::ifstream in(path);
  if (!in) {
    if (!create_if_missing) return NotFound("there is no ledger key at " + path);
    crypto::SigningKey key = crypto::NewSigningKey();
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      ::chmod(tmp.c_str(), 0600);
      out << crypto::ToHex(key.secret_key) << "\n";
      if (!out) return Fail(ErrorCode::kUnavailable, "cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      return Fail(ErrorCode::kUnavailable, "cannot write " + path);
    return key;
  }
  std::string hex;
  in >> hex;
  auto secret = crypto::FromHex(hex);
  if (!secret || secret->size() != 64)
    return Internal(path + " does not hold an Ed25519 secret key (128 hex digits)");
  // libsodium's secret key is seed || public key.
  return crypto::SigningKey{secret->substr(32), *secret};
}

Ledger::Ledger(Store& store, const Clock& clock, crypto::SigningKey key, Mailer mailer)
    : store_(store), clock_(clock), key_(std::move(key)), mailer_(std::move(mailer)) {}

namespace {
Result<std::string> NormalizeEmail(std::string email) {
  if (email.starts_with("email:")) email = email.substr(6);
  std::transform(email.begin(), email.end(), email.begin(), ::tolower);
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.size() > 254 ||
      email.find_first_of(" \t\r\n<>\"") != std::string::npos) {
    return InvalidArgument("email", "'" + email + "' is not an email address");
  }
  return email;
}
constexpr UnixSeconds kClaimLifetime = UnixSeconds{24} * 3600;
}  // namespace

Status Ledger::ClaimIdentity(const Caller& caller, const std::string& raw) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  if (!mailer_) {
    return Fail(ErrorCode::kUnavailable,
                "this lab sends no mail, so emails cannot be proven; the operator sets "
                "mail_command in qiusuo.toml");
  }
  const std::string code = crypto::RandomHex(4);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (auto owner = QS_TRY(tx.IdentityOwner(email))) {
      return FailedPrecondition(*owner == caller.id ? "you proved " + email + " already"
                                                    : email + " is proven by another member");
    }
    const UnixSeconds now = clock_.Now();
    return tx.PutIdentityClaim(
        {email, caller.id, crypto::Sha256Hex(code), now, now + kClaimLifetime, std::nullopt});
  }));
  return mailer_(email, "Your Qiusuo identity code",
                 "@" + caller.handle + " asked to claim " + email +
                     " in the lab's contribution ledger.\n\nIf that was you, run:\n\n"
                     "  qiusuo identity confirm " +
                     email + " " + code +
                     "\n\nThe code expires in 24 hours. If it was not you, ignore this email.\n");
}

Result<Contribution> Ledger::ConfirmIdentity(const Caller& caller, const std::string& raw,
                                             const std::string& code) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  Contribution c;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const auto claim = QS_TRY(tx.FindIdentityClaim(email, caller.id));
    const UnixSeconds now = clock_.Now();
    if (!claim || claim->confirmed_at || now > claim->expires_at ||
        claim->code_hash != crypto::Sha256Hex(code)) {
      return PermissionDenied("that code does not prove " + email +
                              " (wrong, used or expired); ask for a new one with "
                              "`qiusuo identity claim " +
                              email + "`");
    }
    if (QS_TRY(tx.IdentityOwner(email))) return FailedPrecondition(email + " is proven already");
    QS_TRY_STATUS(tx.ConfirmIdentityClaim(email, caller.id, now));
    auto member = QS_TRY(tx.FindMember(caller.id));
    if (member &&
        std::find(member->emails.begin(), member->emails.end(), email) == member->emails.end()) {
      MemberProfile profile{member->name, member->emails, member->skills, member->interests};
      profile.emails.push_back(email);
      QS_TRY_STATUS(tx.UpdateProfile(caller.id, profile));
    }
    c.at = now;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "identity-merge";
    c.evidence = "email:" + email;
    c.note =
        "proved " + email + " with a code sent to it; its entries are @" + caller.handle + "'s";
    c.self = true;
    c.seq = QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return Entry(caller, c.seq);
}

Result<Contribution> Ledger::Thank(const Caller& caller, ThankRequest req) {
  Contribution c;
  c.at = clock_.Now();
  c.actor = caller.handle;
  c.contributor = req.contributor;
  c.kind = req.kind;
  if (req.project) c.project = req.project->value;
  c.quantity_milli = req.quantity_milli;
  c.unit = req.unit;
  c.evidence = req.evidence;
  c.note = req.note;
  c.corrects = req.corrects;
  c.self = c.contributor == MemberContributor(caller.handle);
  QS_TRY_STATUS(ValidateContribution(c));
  if (c.note.empty()) return InvalidArgument("note", "say what they did, for everyone to read");
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (c.contributor.starts_with("@") &&
        !QS_TRY(tx.FindMemberByHandle(std::string_view(c.contributor).substr(1)))) {
      return NotFound("there is no member " + c.contributor +
                      "; someone outside the lab is email:ADDRESS");
    }
    if (req.project && !QS_TRY(tx.FindProject(*req.project)))
      return NotFound("there is no project " + std::to_string(req.project->value));
    if (c.corrects) {
      auto rows = QS_TRY(tx.ListLedger({*c.corrects - 1, 1, "", std::nullopt, ""}));
      if (rows.empty() || rows[0].seq != *c.corrects)
        return NotFound("there is no entry " + std::to_string(*c.corrects) + " to correct");
    }
    c.seq = QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return Entry(caller, c.seq);
}

Result<std::vector<Contribution>> Ledger::Entries(const Caller&, const LedgerQuery& query) {
  LedgerQuery q = query;
  q.limit = std::clamp(q.limit, 1, 1000);
  auto rows = QS_TRY(Read(store_, [&](Tx& tx) { return tx.ListLedger(q); }));
  return DecodeRows(rows);
}

Result<Contribution> Ledger::Entry(const Caller&, std::int64_t seq) {
  auto rows = QS_TRY(Read(store_, [&](Tx& tx) { return tx.ListLedger({seq - 1, 1, "", {}, ""}); }));
  if (rows.empty() || rows[0].seq != seq)
    return NotFound("there is no ledger entry " + std::to_string(seq));
  return ledger::Decode(rows[0].entry);
}

Status ForEachLeaf(Store& store, std::int64_t after, std::int64_t upto,
                   const std::function<void(const ledger::Hash&)>& leaf) {
  constexpr std::int64_t kLeafChunk = std::int64_t{kChunk} * 10;
  while (upto == 0 || after < upto) {
    const auto limit = upto == 0 ? kLeafChunk : std::min(kLeafChunk, upto - after);
    const auto hashes = QS_TRY(
        Read(store, [&](Tx& tx) { return tx.LedgerLeafHashes(after, static_cast<int>(limit)); }));
    for (const auto& hex : hashes) {
      const auto h = ledger::ParseHash(hex);
      if (!h) return Internal("a stored leaf hash is not 64 hex digits");
      leaf(*h);
    }
    after += static_cast<std::int64_t>(hashes.size());
    if (static_cast<std::int64_t>(hashes.size()) < limit) break;
  }
  if (upto != 0 && after < upto)
    return NotFound("the ledger has only " + std::to_string(after) + " entries");
  return {};
}

Status Ledger::LoadUpTo(std::int64_t size) {
  const auto have = static_cast<std::int64_t>(tree_.size());
  if (have >= size) return {};
  return ForEachLeaf(store_, have, size, [&](const ledger::Hash& h) { tree_.Append(h); });
}

Result<ledger::Checkpoint> Ledger::Checkpoint() {
  const auto state = QS_TRY(
      Read(store_, [&](Tx& tx) -> Result<std::pair<std::int64_t, std::optional<StoredCheckpoint>>> {
        const auto last = QS_TRY(tx.LastLedgerRow());
        return std::make_pair(last ? last->seq : 0, QS_TRY(tx.LatestCheckpoint()));
      }));
  const auto& [size, latest] = state;
  ledger::Checkpoint cp;
  if (latest && latest->tree_size == size) {
    const auto root = ledger::ParseHash(latest->root);
    const auto signature = crypto::FromHex(latest->signature);
    if (!root || !signature) return Internal("the stored checkpoint is corrupt");
    cp.tree_size = latest->tree_size;
    cp.root = *root;
    cp.at = latest->at;
    cp.signature = *signature;
    return cp;
  }
  {
    std::lock_guard lock(mu_);
    QS_TRY_STATUS(LoadUpTo(size));
    cp.root = tree_.RootOf(static_cast<std::size_t>(size));
  }
  cp.tree_size = size;
  cp.at = clock_.Now();
  ledger::SignCheckpoint(cp, key_.secret_key);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) {
    return tx.InsertCheckpoint(
        {cp.tree_size, ledger::Hex(cp.root), cp.at, crypto::ToHex(cp.signature)});
  }));
  return cp;
}

Status Ledger::Export(const std::function<void(std::string_view)>& sink) {
  const ledger::Checkpoint cp = QS_TRY(Checkpoint());
  QS_TRY_STATUS(ExportRange(0, cp.tree_size, sink));
  sink(ledger::CheckpointLine(cp, key_.public_key));
  return {};
}

Status Ledger::ExportRange(std::int64_t after, std::int64_t upto,
                           const std::function<void(std::string_view)>& sink) {
  while (after < upto) {
    auto rows = QS_TRY(Read(store_, [&](Tx& tx) {
      return tx.ListLedger(
          {after, static_cast<int>(std::min<std::int64_t>(kChunk, upto - after)), "", {}, ""});
    }));
    if (rows.empty()) break;
    for (const auto& row : rows) {
      auto leaf = ledger::ParseHash(row.leaf_hash);
      if (!leaf) return Internal("a stored leaf hash is not 64 hex digits");
      sink(ledger::ExportLine(row.entry, *leaf));
    }
    after = rows.back().seq;
  }
  return {};
}

Result<std::vector<ledger::Hash>> Ledger::InclusionProof(std::int64_t seq, std::int64_t tree_size) {
  if (seq < 1 || seq > tree_size)
    return InvalidArgument("seq", "an entry between 1 and the tree size");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(tree_size));
  return tree_.InclusionProof(static_cast<std::size_t>(seq - 1),
                              static_cast<std::size_t>(tree_size));
}

Result<std::vector<ledger::Hash>> Ledger::ConsistencyProof(std::int64_t first,
                                                           std::int64_t second) {
  if (first < 1 || first > second) return InvalidArgument("first", "0 < first <= second");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(second));
  return tree_.ConsistencyProof(static_cast<std::size_t>(first), static_cast<std::size_t>(second));
}

Result<ledger::Hash> Ledger::LeafHashOf(std::int64_t seq) {
  if (seq < 1) return InvalidArgument("seq", "entries start at 1");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(seq));
  return tree_.Leaf(static_cast<std::size_t>(seq - 1));
}

Result<RecordProfile> Ledger::Profile(const Caller&, const std::string& handle) {
  RecordProfile p;
  p.contributor = MemberContributor(handle);
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindMemberByHandle(handle))) return NotFound("there is no member @" + handle);
    p.timeline = QS_TRY(AllEntries(tx, {0, kChunk, p.contributor, std::nullopt, ""}));
    // Identities this member proved: their entries are part of the record too.
    for (const auto& [identity, member] : IdentityMerges(p.timeline)) {
      if (member != p.contributor) continue;
      auto theirs = QS_TRY(AllEntries(tx, {0, kChunk, identity, std::nullopt, ""}));
      p.timeline.insert(p.timeline.end(), std::make_move_iterator(theirs.begin()),
                        std::make_move_iterator(theirs.end()));
    }
    std::sort(p.timeline.begin(), p.timeline.end(),
              [](const Contribution& a, const Contribution& b) { return a.seq < b.seq; });
    return {};
  }));
  // Corrections may come from anyone; look for those that point at this timeline.
  std::set<std::int64_t> mine;
  for (const auto& e : p.timeline) mine.insert(e.seq);
  std::set<std::int64_t> corrected;
  for (const auto& e : p.timeline) {
    if (e.corrects && mine.contains(*e.corrects)) corrected.insert(*e.corrects);
  }
  p.corrected.assign(corrected.begin(), corrected.end());
  std::map<std::string, ProfileTotal> kinds;
  std::map<std::string, ProfileTotal> projects;
  for (const auto& e : p.timeline) {
    if (corrected.contains(e.seq)) continue;
    auto& k = kinds[e.kind];
    k.key = e.kind;
    ++k.entries;
    k.quantity_milli += e.quantity_milli;
    if (k.unit.empty()) k.unit = e.unit;
    if (e.project) {
      auto& pr = projects[std::to_string(*e.project)];
      pr.key = std::to_string(*e.project);
      ++pr.entries;
    }
  }
  for (auto& [k, v] : kinds) p.by_kind.push_back(v);
  for (auto& [k, v] : projects) p.by_project.push_back(v);
  std::sort(p.by_kind.begin(), p.by_kind.end(), [](const auto& a, const auto& b) {
    return a.entries > b.entries || (a.entries == b.entries && a.key < b.key);
  });
  return p;
}

Result<ImportResult> Ledger::ImportCommits(const Caller& caller, ProjectId project,
                                           const std::vector<CommitRecord>& commits) {
  for (const auto& c : commits) {
    if (c.sha.size() != 40 || c.sha.find_first_not_of("0123456789abcdef") != std::string::npos)
      return InvalidArgument("sha", "a commit id is 40 lowercase hex digits, not '" + c.sha + "'");
    if (c.lines < 0) return InvalidArgument("lines", "lines changed are not negative");
    QS_TRY_STATUS(ValidateText("headline", c.headline, 1000));
  }
  ImportResult out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindProject(project)))
      return NotFound("there is no project " + std::to_string(project.value));
    const auto m = QS_TRY(tx.FindMembership(project, caller.id));
    if (!m || m->state != MembershipState::kActive)
      return PermissionDenied("members of the project import its history; apply to join first");
    // Members by the emails on their profiles (lowercase).
    std::map<std::string, std::string> by_email;
    for (Page page{200, 0};;) {
      const auto members = QS_TRY(tx.ListMembers(page));
      for (const auto& member : members) {
        for (std::string e : member.emails) {
          std::transform(e.begin(), e.end(), e.begin(), ::tolower);
          by_email.emplace(e, member.handle);
        }
      }
      if (static_cast<int>(members.size()) < page.limit) break;
      page.before = members.back().id.value;
    }
    for (const auto& c : commits) {
      const std::string evidence = "commit:" + c.sha;
      if (!QS_TRY(tx.ListLedger({0, 1, "", project.value, evidence})).empty()) {
        ++out.skipped;
        continue;
      }
      std::string email = c.author_email;
      std::transform(email.begin(), email.end(), email.begin(), ::tolower);
      Contribution e;
      e.at = c.at;
      e.actor = caller.handle;
      if (auto it = by_email.find(email); it != by_email.end()) {
        e.contributor = MemberContributor(it->second);
        ++out.members;
      } else {
        e.contributor = "email:" + email;
      }
      e.self = e.contributor == MemberContributor(caller.handle);
      e.kind = "software";
      e.project = project.value;
      e.quantity_milli = c.lines * 1000;
      e.unit = "lines";
      e.evidence = evidence;
      e.note = c.headline;
      QS_TRY(AppendContribution(tx, std::move(e)));
      ++out.recorded;
    }
    return {};
  }));
  return out;
}

Result<std::vector<Author>> Ledger::Authors(const Caller&, ProjectId project, UnixSeconds from,
                                            UnixSeconds to) {
  std::vector<Contribution> entries;
  std::map<std::string, std::string> names;
  std::map<std::string, std::string> merges;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindProject(project)))
      return NotFound("there is no project " + std::to_string(project.value));
    entries = QS_TRY(AllEntries(tx, {0, kChunk, "", project.value, ""}));
    // Identity merges are lab-wide entries; fold them in so authors are members.
    const auto all = QS_TRY(AllEntries(tx, {0, kChunk, "", std::nullopt, ""}));
    merges = IdentityMerges(all);
    for (auto& e : entries) e.contributor = Resolve(merges, e.contributor);
    for (const auto& e : entries) {
      if (!e.contributor.starts_with("@") || names.contains(e.contributor)) continue;
      auto m = QS_TRY(tx.FindMemberByHandle(std::string_view(e.contributor).substr(1)));
      names[e.contributor] = m && !m->name.empty() ? m->name : e.contributor.substr(1);
    }
    return {};
  }));
  std::set<std::int64_t> corrected;
  for (const auto& e : entries) {
    if (e.corrects) corrected.insert(*e.corrects);
  }
  const RewardWeights weights = DefaultRewardWeights();
  std::map<std::string, Author> authors;
  std::map<std::string, std::set<std::size_t>> roles;  // by position in the kind table
  const auto kinds = ContributionKinds();
  for (const auto& e : entries) {
    if (corrected.contains(e.seq) || e.at < from || e.at >= to) continue;
    const ContributionKind* kind = FindContributionKind(e.kind);
    if (!kind || kind->credit_role.empty()) continue;  // an author list is made of roles
    auto& a = authors[e.contributor];
    if (a.contributor.empty()) {
      a.contributor = e.contributor;
      a.name = names.contains(e.contributor) ? names[e.contributor] : e.contributor.substr(6);
      a.first = e.at;
    }
    const auto& w = weights.at(e.kind);
    a.weight_milli += w.per_entry_milli + w.per_unit_milli * e.quantity_milli / 1000;
    roles[e.contributor].insert(static_cast<std::size_t>(kind - kinds.data()));
  }
  std::vector<Author> out;
  out.reserve(authors.size());
  for (auto& [id, a] : authors) {
    std::set<std::string_view> seen;
    for (std::size_t k : roles[id]) {
      if (seen.insert(kinds[k].credit_role).second) a.roles.emplace_back(kinds[k].credit_role);
    }
    out.push_back(std::move(a));
  }
  // Most weight first; then who came first; then by id, so the order is stable.
  std::sort(out.begin(), out.end(), [](const Author& a, const Author& b) {
    if (a.weight_milli != b.weight_milli) return a.weight_milli > b.weight_milli;
    if (a.first != b.first) return a.first < b.first;
    return a.contributor < b.contributor;
  });
  return out;
}

// ---- reward rounds ----

std::string EncodeRoundSettings(const RewardSettings& s) {
  std::string out = "title " + s.title + "\npool_minor " + std::to_string(s.pool_minor) +
                    "\ncurrency " + s.currency + "\nperiod_from " + std::to_string(s.period_from) +
                    "\nperiod_to " + std::to_string(s.period_to) + "\nalpha_milli " +
                    std::to_string(s.alpha_milli) + "\n";
  for (const auto& [kind, w] : s.weights) {
    out += "weight " + kind + " " + std::to_string(w.per_entry_milli) + " " +
           std::to_string(w.per_unit_milli) + "\n";
  }
  return out;
}

Result<RewardSettings> DecodeRoundSettings(std::string_view text) {
  RewardSettings s;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) return InvalidArgument("settings", "a line without a value");
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    try {
      if (key == "title")
        s.title = value;
      else if (key == "pool_minor")
        s.pool_minor = std::stoll(value);
      else if (key == "currency")
        s.currency = value;
      else if (key == "period_from")
        s.period_from = std::stoll(value);
      else if (key == "period_to")
        s.period_to = std::stoll(value);
      else if (key == "alpha_milli")
        s.alpha_milli = std::stoll(value);
      else if (key == "weight") {
        std::istringstream w(value);
        std::string kind;
        KindWeight kw;
        w >> kind >> kw.per_entry_milli >> kw.per_unit_milli;
        s.weights[kind] = kw;
      } else {
        return InvalidArgument("settings", "unknown setting '" + key + "'");
      }
    } catch (const std::exception&) {
      return InvalidArgument("settings", "'" + key + "' is not a number");
    }
  }
  return s;
}

Result<RewardRound> Ledger::OpenRound(const Caller& caller, RewardSettings settings) {
  if (!caller.steward) return PermissionDenied("only stewards fund and open reward rounds");
  if (settings.weights.empty()) settings.weights = DefaultRewardWeights();
  QS_TRY_STATUS(ValidateTitle("title", settings.title));
  QS_TRY_STATUS(ValidateRewardSettings(settings));
  RewardRound round;
  round.settings = settings;
  round.state = "open";
  round.opened_by = caller.handle;
  round.created_at = clock_.Now();
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    round.id = QS_TRY(tx.InsertRewardRound(round, caller.id));
    Contribution c;
    c.at = round.created_at;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "reward-round";
    c.quantity_milli = settings.pool_minor * 1000;
    c.unit = "minor units of " + settings.currency;
    c.evidence = RoundEvidence(round.id);
    c.note = EncodeRoundSettings(settings);
    QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return round;
}

Status Ledger::GivePoints(
    const Caller& caller, std::int64_t round_id,
    const std::vector<std::tuple<std::string, std::int64_t, std::string>>& points) {
  std::int64_t total = 0;
  std::set<std::string> seen;
  for (const auto& [handle, n, note] : points) {
    if (handle == caller.handle)
      return InvalidArgument("points", "points go to others, never to yourself");
    if (n <= 0) return InvalidArgument("points", "give each person a positive number of points");
    if (!seen.insert(handle).second)
      return InvalidArgument("points", "@" + handle + " is listed twice");
    QS_TRY_STATUS(ValidateText("note", note, 1000));
    total += n;
  }
  if (total > 100)
    return InvalidArgument(
        "points", "you have 100 points to spread; these add up to " + std::to_string(total));
  return store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(round_id));
    if (!round) return NotFound("there is no reward round " + std::to_string(round_id));
    if (round->state != "open")
      return FailedPrecondition("round " + std::to_string(round_id) + " is closed");
    std::vector<std::tuple<MemberId, std::int64_t, std::string>> rows;
    rows.reserve(points.size());
    for (const auto& [handle, n, note] : points) {
      auto m = QS_TRY(tx.FindMemberByHandle(handle));
      if (!m) return NotFound("there is no member @" + handle);
      rows.emplace_back(m->id, n, note);
    }
    return tx.PutRewardPoints(round_id, caller.id, rows);
  });
}

Result<std::vector<Payee>> Ledger::ComputeRound(Tx& tx, const RewardRound& round,
                                                std::int64_t cutoff_seq) {
  std::vector<Contribution> entries = QS_TRY(AllEntries(tx, {0, kChunk, "", std::nullopt, ""}));
  std::erase_if(entries, [&](const Contribution& c) { return c.seq >= cutoff_seq; });
  std::vector<PeerPoints> peer;
  for (const auto& [giver, receiver, n, note] : QS_TRY(tx.ListRewardPoints(round.id)))
    peer.push_back({giver, receiver, n});
  return ComputePayout(round.settings, RecordWeights(entries, round.settings), peer);
}

Result<RoundView> Ledger::Round(const Caller&, std::int64_t id) {
  RoundView view;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(id));
    if (!round) return NotFound("there is no reward round " + std::to_string(id));
    view.round = *round;
    view.points = QS_TRY(tx.ListRewardPoints(id));
    if (round->state == "open") {
      const auto last = QS_TRY(tx.LastLedgerRow());
      view.payout = QS_TRY(ComputeRound(tx, *round, (last ? last->seq : 0) + 1));
    } else {
      // As paid, with its breakdown (the ledger's reward entries say the same).
      std::istringstream in(round->payout);
      Payee p;
      while (in >> p.handle >> p.amount_minor >> p.record_milli >> p.points)
        view.payout.push_back(p);
    }
    return {};
  }));
  return view;
}

Result<std::vector<RewardRound>> Ledger::Rounds(const Caller&) {
  return Read(store_, [](Tx& tx) { return tx.ListRewardRounds(); });
}

Result<RoundView> Ledger::CloseRound(const Caller& caller, std::int64_t id) {
  if (!caller.steward) return PermissionDenied("only stewards close reward rounds");
  RoundView view;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(id));
    if (!round) return NotFound("there is no reward round " + std::to_string(id));
    if (round->state != "open")
      return FailedPrecondition("round " + std::to_string(id) + " is closed already");
    const auto last = QS_TRY(tx.LastLedgerRow());
    const std::int64_t cutoff = (last ? last->seq : 0) + 1;
    view.payout = QS_TRY(ComputeRound(tx, *round, cutoff));
    view.points = QS_TRY(tx.ListRewardPoints(id));
    const UnixSeconds now = clock_.Now();
    // The points as given, then each payment: enough to recompute it from an export.
    for (const auto& [giver, receiver, n, note] : view.points) {
      Contribution c;
      c.at = now;
      c.actor = giver;
      c.contributor = MemberContributor(receiver);
      c.kind = "peer-points";
      c.quantity_milli = n * 1000;
      c.unit = "points";
      c.evidence = RoundEvidence(id);
      c.note = note;
      QS_TRY(AppendContribution(tx, c));
    }
    std::string payout_text;
    for (const auto& p : view.payout) {
      Contribution c;
      c.at = now;
      c.actor = caller.handle;
      c.contributor = MemberContributor(p.handle);
      c.kind = "reward";
      c.quantity_milli = p.amount_minor * 1000;
      c.unit = "minor units of " + round->settings.currency;
      c.evidence = RoundEvidence(id);
      c.note =
          "record " + std::to_string(p.record_milli) + " milli, points " + std::to_string(p.points);
      QS_TRY(AppendContribution(tx, c));
      payout_text += p.handle + " " + std::to_string(p.amount_minor) + " " +
                     std::to_string(p.record_milli) + " " + std::to_string(p.points) + "\n";
    }
    QS_TRY_STATUS(tx.CloseRewardRound(id, now, payout_text));
    view.round = *round;
    view.round.state = "closed";
    view.round.closed_at = now;
    view.round.payout = payout_text;
    return {};
  }));
  return view;
}

std::string FormatMinor(std::int64_t minor) {
  const bool negative = minor < 0;
  const std::int64_t v = negative ? -minor : minor;
  std::string cents = std::to_string(v % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(v / 100) + "." + cents;
}

namespace {
std::string Year(UnixSeconds t) { return FormatRfc3339(t).substr(0, 4); }
std::string YamlString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}
}  // namespace

std::string CitationCff(const std::string& title, const std::vector<Author>& authors,
                        UnixSeconds to) {
  std::string out =
      "cff-version: 1.2.0\nmessage: \"Authors and CRediT roles derived from the Qiusuo "
      "contribution ledger.\"\ntitle: " +
      YamlString(title) + "\ndate-released: " + FormatRfc3339(to).substr(0, 10) + "\nauthors:\n";
  for (const auto& a : authors) {
    if (a.contributor.starts_with("@")) {
      out += "  - name: " + YamlString(a.name) +
             "\n    alias: " + YamlString(a.contributor.substr(1)) + "\n";
    } else {
      out += "  - name: " + YamlString(a.name) +
             "\n    email: " + YamlString(a.contributor.substr(6)) + "\n";
    }
  }
  out += "# CRediT roles:\n";
  for (const auto& a : authors) {
    std::string roles;
    for (const auto& r : a.roles) roles += (roles.empty() ? "" : "; ") + r;
    out += "#   " + a.name + ": " + roles + "\n";
  }
  return out;
}

std::string BibTeX(std::int64_t project, const std::string& title,
                   const std::vector<Author>& authors, UnixSeconds to) {
  std::string names;
  std::string roles;
  for (const auto& a : authors) {
    names += (names.empty() ? "" : " and ") + a.name;
    std::string r;
    for (const auto& role : a.roles) r += (r.empty() ? "" : ", ") + role;
    roles += (roles.empty() ? "" : "; ") + a.name + " (" + r + ")";
  }
  return "@misc{qiusuo-project-" + std::to_string(project) + "-" + Year(to) + ",\n  title = {" +
         title + "},\n  author = {" + names + "},\n  year = {" + Year(to) +
         "},\n  note = {CRediT roles: " + roles + "}\n}\n";
}

std::string PayoutCsv(const RoundView& view) {
  std::string out = "handle,amount,currency,record_weight,points_received\n";
  for (const auto& p : view.payout) {
    out += p.handle + "," + FormatMinor(p.amount_minor) + "," + view.round.settings.currency + "," +
           std::to_string(p.record_milli / 1000) + "." +
           std::to_string(1000 + p.record_milli % 1000).substr(1) + "," + std::to_string(p.points) +
           "\n";
  }
  return out;
}

Result<Recomputed> RecomputeRound(const std::vector<Contribution>& entries, std::int64_t round) {
  const std::string evidence = RoundEvidence(round);
  Recomputed out;
  std::optional<std::int64_t> cutoff;
  bool opened = false;
  std::vector<PeerPoints> peer;
  for (const auto& e : entries) {
    if (e.evidence != evidence) continue;
    if (e.kind == "reward-round") {
      out.settings = QS_TRY(DecodeRoundSettings(e.note));
      opened = true;
    } else if (e.kind == "peer-points" || e.kind == "reward") {
      if (!cutoff) cutoff = e.seq;
      if (e.kind == "peer-points") {
        peer.push_back({e.actor, e.contributor.substr(1), e.quantity_milli / 1000});
      } else {
        out.recorded.push_back({e.contributor.substr(1), 0, 0, e.quantity_milli / 1000});
      }
    }
  }
  if (!opened) return NotFound("the export has no reward round " + std::to_string(round));
  if (!cutoff)
    return FailedPrecondition("round " + std::to_string(round) + " is not closed in this export");
  std::vector<Contribution> before;
  for (const auto& e : entries) {
    if (e.seq < *cutoff) before.push_back(e);
  }
  out.payout = ComputePayout(out.settings, RecordWeights(before, out.settings), peer);
  return out;
}

}  // namespace qiusuo
