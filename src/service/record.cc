#include "service/record.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/validate.h"

namespace qiusuo {
namespace {

// Entries are read this many at a time.
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

}  // namespace

Result<std::vector<Contribution>> AllEntries(RecordTx& tx, LedgerQuery query) {
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

Result<Contribution> ReadEntry(RecordTx& tx, std::int64_t seq) {
  auto rows = QS_TRY(tx.ListLedger({seq - 1, 1, "", {}, ""}));
  if (rows.empty() || rows[0].seq != seq)
    return NotFound("there is no ledger entry " + std::to_string(seq));
  return ledger::Decode(rows[0].entry);
}

Result<std::int64_t> AppendContribution(RecordTx& tx, Contribution c) {
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

Record::Record(Store& store, const Clock& clock, crypto::SigningKey key)
    : store_(store), clock_(clock), key_(std::move(key)) {}

namespace {

// The largest quantity one entry may carry, in thousandths: a billion units (hours,
// lines, ...), so that weights times quantities stay far from overflow.
constexpr std::int64_t kMaxQuantityMilli = std::int64_t{1'000'000'000} * 1000;

std::string KindList() {
  std::string out;
  for (auto k : MemberRecordableKinds()) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// The number after "prefix:" in an evidence reference, when it is one.
std::optional<std::int64_t> ReferenceId(std::string_view evidence, std::string_view prefix) {
  if (!evidence.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = evidence.substr(prefix.size());
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  return std::stoll(std::string(digits));
}

// Checks what other parts of the lab trust in a posted entry's evidence: the lab's
// own references (rounds, identities) are written only by its acts, and a
// reference to an idea, task, job, project or entry names one that exists.
Status CheckEvidence(Tx& tx, const std::string& evidence) {
  for (std::string_view reserved : {"round:", "email:"}) {
    if (evidence.starts_with(reserved)) {
      return InvalidArgument("evidence", "'" + std::string(reserved) +
                                             "...' evidence is written only by the lab's own "
                                             "acts (reward rounds, proven identities); "
                                             "point at the work with url:, idea:, task:, job:, "
                                             "project: or entry:");
    }
  }
  struct Ref {
    std::string_view prefix;
    std::string_view what;
  };
  for (const Ref& ref : {Ref{"idea:", "idea"}, Ref{"task:", "task"}, Ref{"job:", "job"},
                         Ref{"project:", "project"}, Ref{"entry:", "ledger entry"}}) {
    if (!evidence.starts_with(ref.prefix)) continue;
    const auto id = ReferenceId(evidence, ref.prefix);
    bool found = false;
    if (id) {
      if (ref.prefix == "idea:") found = QS_TRY(tx.FindIdea(IdeaId(*id))).has_value();
      if (ref.prefix == "task:") found = QS_TRY(tx.FindTask(TaskId(*id))).has_value();
      if (ref.prefix == "job:") found = QS_TRY(tx.FindJob(JobId(*id))).has_value();
      if (ref.prefix == "project:") found = QS_TRY(tx.FindProject(ProjectId(*id))).has_value();
      if (ref.prefix == "entry:") {
        const auto rows = QS_TRY(tx.ListLedger({*id - 1, 1, "", std::nullopt, ""}));
        found = !rows.empty() && rows[0].seq == *id;
      }
    }
    if (!found) {
      return InvalidArgument("evidence", "'" + evidence + "' names no " + std::string(ref.what) +
                                             "; write " + std::string(ref.prefix) +
                                             "N with the number of one that exists");
    }
  }
  return {};
}

// Normalizes an email contributor: lowercase, one address.
Result<std::string> EmailContributor(const std::string& contributor) {
  std::string email = contributor.substr(6);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.size() > 254 ||
      email.find('@', at + 1) != std::string::npos ||
      email.find_first_of(" \t\r\n<>\"(),;:") != std::string::npos) {
    return InvalidArgument("contributor",
                           "'" + contributor + "' is not email:ADDRESS with one email address");
  }
  return "email:" + email;
}

}  // namespace

Result<Contribution> Record::Thank(const Caller& caller, ThankRequest req) {
  if (!MemberMayRecord(req.kind) && FindContributionKind(req.kind)) {
    return InvalidArgument("kind", "'" + req.kind +
                                       "' is recorded only by the lab's own act, never posted; "
                                       "a member records one of: " +
                                       KindList());
  }
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
  QS_TRY_STATUS(ValidateContribution(c));
  if (c.contributor.starts_with("email:")) c.contributor = QS_TRY(EmailContributor(c.contributor));
  if (c.quantity_milli > kMaxQuantityMilli)
    return InvalidArgument("quantity", "a quantity is at most 1e9 units");
  if (c.quantity_milli > 0 && c.unit.empty())
    return InvalidArgument("unit", "a quantity needs its unit, like hours or lines");
  if (c.note.empty()) return InvalidArgument("note", "say what they did, for everyone to read");
  const std::string me = MemberContributor(caller.handle);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (c.contributor.starts_with("@") &&
        !QS_TRY(tx.FindMemberByHandle(std::string_view(c.contributor).substr(1)))) {
      return NotFound("there is no member " + c.contributor +
                      "; someone outside the lab is email:ADDRESS");
    }
    // An address the caller proved is the caller: their own work, marked self.
    c.self = c.contributor == me;
    if (c.contributor.starts_with("email:")) {
      const auto owner = QS_TRY(tx.IdentityOwner(std::string_view(c.contributor).substr(6)));
      c.self = owner && *owner == caller.id;
    }
    if (req.project && !QS_TRY(tx.FindProject(*req.project)))
      return NotFound("there is no project " + std::to_string(req.project->value));
    QS_TRY_STATUS(CheckEvidence(tx, c.evidence));
    if (c.corrects) {
      auto rows = QS_TRY(tx.ListLedger({*c.corrects - 1, 1, "", std::nullopt, ""}));
      if (rows.empty() || rows[0].seq != *c.corrects)
        return NotFound("there is no entry " + std::to_string(*c.corrects) + " to correct");
      const Contribution target = QS_TRY(ledger::Decode(rows[0].entry));
      if (!MemberMayRecord(target.kind)) {
        return InvalidArgument("corrects", "entry " + std::to_string(target.seq) + " (" +
                                               target.kind +
                                               ") is the lab's own record; it is corrected by "
                                               "the lab's acts, not by a posted entry");
      }
      bool about_me = target.contributor == me;
      if (target.contributor.starts_with("email:")) {
        const auto owner = QS_TRY(tx.IdentityOwner(std::string_view(target.contributor).substr(6)));
        about_me = owner && *owner == caller.id;
      }
      if (target.actor != caller.handle && !about_me) {
        return PermissionDenied("entry " + std::to_string(target.seq) +
                                " is corrected by who recorded it or who it is about; thank "
                                "or ask them instead");
      }
    }
    c.seq = QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return Entry(caller, c.seq);
}

Result<Contribution> Record::Confirm(const Caller& caller, std::int64_t seq,
                                     const std::string& note) {
  QS_TRY_STATUS(ValidateText("note", note, 4000));
  std::int64_t written = 0;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const Contribution target = QS_TRY(ReadEntry(tx, seq));
    if (!MemberMayRecord(target.kind)) {
      return InvalidArgument("entry", "entry " + std::to_string(seq) + " (" + target.kind +
                                          ") is the lab's own record; members confirm the work "
                                          "members record");
    }
    const std::string me = MemberContributor(caller.handle);
    std::string beneficiary = target.contributor;
    if (beneficiary.starts_with("email:")) {
      if (const auto owner = QS_TRY(tx.IdentityOwner(std::string_view(beneficiary).substr(6)))) {
        if (*owner == caller.id) beneficiary = me;
      }
    }
    if (beneficiary == me || target.actor == caller.handle) {
      return PermissionDenied("you cannot confirm entry " + std::to_string(seq) +
                              ": it is yours; another member confirms it");
    }
    const std::string evidence = "entry:" + std::to_string(seq);
    for (const auto& row : QS_TRY(AllEntries(tx, {0, 0, me, std::nullopt, evidence}))) {
      if (row.kind == "confirmation")
        return AlreadyExists("you confirmed entry " + std::to_string(seq) + " already");
    }
    Contribution c;
    c.at = clock_.Now();
    c.actor = caller.handle;
    c.contributor = me;
    c.kind = "confirmation";
    c.project = target.project;
    c.evidence = evidence;
    c.note =
        note.empty() ? "confirmed entry " + std::to_string(seq) + " (" + target.kind + ")" : note;
    written = QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return Entry(caller, written);
}

Result<std::vector<Contribution>> Record::Entries(const Caller&, const LedgerQuery& query) {
  LedgerQuery q = query;
  q.limit = std::clamp(q.limit, 1, 1000);
  auto rows = QS_TRY(Read(store_, [&](Tx& tx) { return tx.ListLedger(q); }));
  return DecodeRows(rows);
}

Result<Contribution> Record::Entry(const Caller&, std::int64_t seq) {
  return Read(store_, [&](Tx& tx) { return ReadEntry(tx, seq); });
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

Status Record::LoadUpTo(std::int64_t size) {
  const auto have = static_cast<std::int64_t>(tree_.size());
  if (have >= size) return {};
  return ForEachLeaf(store_, have, size, [&](const ledger::Hash& h) { tree_.Append(h); });
}

Result<ledger::Checkpoint> Record::Checkpoint() {
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

Status Record::Export(const std::function<void(std::string_view)>& sink) {
  const ledger::Checkpoint cp = QS_TRY(Checkpoint());
  QS_TRY_STATUS(ExportRange(0, cp.tree_size, sink));
  sink(ledger::CheckpointLine(cp, key_.public_key));
  return {};
}

Status Record::ExportRange(std::int64_t after, std::int64_t upto,
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

Result<std::vector<ledger::Hash>> Record::InclusionProof(std::int64_t seq, std::int64_t tree_size) {
  if (seq < 1 || seq > tree_size)
    return InvalidArgument("seq", "an entry between 1 and the tree size");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(tree_size));
  return tree_.InclusionProof(static_cast<std::size_t>(seq - 1),
                              static_cast<std::size_t>(tree_size));
}

Result<std::vector<ledger::Hash>> Record::ConsistencyProof(std::int64_t first,
                                                           std::int64_t second) {
  if (first < 1 || first > second) return InvalidArgument("first", "0 < first <= second");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(second));
  return tree_.ConsistencyProof(static_cast<std::size_t>(first), static_cast<std::size_t>(second));
}

Result<ledger::Hash> Record::LeafHashOf(std::int64_t seq) {
  if (seq < 1) return InvalidArgument("seq", "entries start at 1");
  std::lock_guard lock(mu_);
  QS_TRY_STATUS(LoadUpTo(seq));
  return tree_.Leaf(static_cast<std::size_t>(seq - 1));
}

Result<RecordProfile> Record::Profile(const Caller&, const std::string& handle) {
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

Result<std::vector<Author>> Record::Authors(const Caller&, ProjectId project, UnixSeconds from,
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

}  // namespace qiusuo
