// The record: the contribution ledger (entries, checkpoint, export, proofs), each
// member's record, a project's authors, imported commits, claimed identities.
#include <cmath>
#include <ctime>
#include <limits>

#include "crypto/crypto.h"
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {

std::vector<Route> LedgerRoutes() {
  return {
      {"GET", "/api/v1/ledger/key", false,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         JsonWriter w;
         w.BeginObject()
             .Field("algorithm", "ed25519")
             .Field("public_key", crypto::ToHex(record->public_key()))
             .EndObject();
         return Reply{200, w.Take()};
       }},
      {"GET", "/api/v1/ledger/checkpoint", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const ledger::Checkpoint cp = QS_TRY(record->Checkpoint());
         JsonWriter w;
         w.BeginObject()
             .Field("at", cp.at)
             .Field("root", ledger::Hex(cp.root))
             .Field("signature", crypto::ToHex(cp.signature))
             .Field("tree_size", cp.tree_size)
             .EndObject();
         return Reply{200, w.Take()};
       }},
      {"GET", "/api/v1/ledger/kinds", true,
       [](Lab&, const Ctx&) -> Result<Reply> {
         JsonWriter w;
         w.BeginObject().Key("items").BeginArray();
         for (const auto& k : ContributionKinds()) {
           w.BeginObject()
               .Field("name", k.name)
               .Field("source", k.source)
               .Field("credit_role", k.credit_role)
               .Key("weight")
               .Double(k.weight)
               .Key("weight_per_unit")
               .Double(k.weight_per_unit)
               .Field("description", k.description)
               .Field("member_recordable", MemberMayRecord(k.name))
               .EndObject();
         }
         w.EndArray().EndObject();
         return Reply{200, w.Take()};
       }},
      {"GET", "/api/v1/ledger/entries", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         LedgerQuery q;
         q.after_seq = QS_TRY(IntQuery(c.req, "after", 0));
         // Clamped before it narrows to int: ?limit=4294967297 is 1000, not 1.
         q.limit = static_cast<int>(
             std::clamp<std::int64_t>(QS_TRY(IntQuery(c.req, "limit", 100)), 1, 1000));
         if (auto it = c.req.query.find("contributor"); it != c.req.query.end())
           q.contributor = it->second;
         if (auto it = c.req.query.find("evidence"); it != c.req.query.end())
           q.evidence = it->second;
         if (auto it = c.req.query.find("project"); it != c.req.query.end() && !it->second.empty())
           q.project = QS_TRY(IdParam(it->second, "project"));
         const auto entries = QS_TRY(record->Entries(c.caller, q));
         JsonWriter w;
         w.BeginObject().Key("items").BeginArray();
         for (const auto& e : entries) Write(w, e);
         const bool more =
             static_cast<int>(entries.size()) == std::clamp(q.limit, 1, 1000) && !entries.empty();
         w.EndArray()
             .OptInt("next_after", more ? std::optional(entries.back().seq) : std::nullopt)
             .EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/ledger/entries", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         QS_TRY_STATUS(lab.AllowEntry(c.caller));  // limit_entries_per_hour
         auto body =
             QS_TRY(Body::Parse(c.req.body, {"contributor", "kind", "project_id", "quantity",
                                             "unit", "evidence", "note", "corrects"}));
         ThankRequest req;
         req.contributor = QS_TRY(body.String("contributor", true));
         req.kind = QS_TRY(body.String("kind", true));
         if (auto p = QS_TRY(body.OptInt("project_id", 1, Body::kMaxCount)))
           req.project = ProjectId(*p);
         if (body.Has("quantity")) {
           // Checked before the integer form, so a huge number is refused, not wrapped.
           const double quantity = QS_TRY(body.Number("quantity", 0, 1e9));
           req.quantity_milli = static_cast<std::int64_t>(std::llround(quantity * 1000));
         }
         req.unit = QS_TRY(body.String("unit", false));
         req.evidence = QS_TRY(body.String("evidence", false));
         req.note = QS_TRY(body.String("note", true));
         req.corrects =
             QS_TRY(body.OptInt("corrects", 1, std::numeric_limits<std::int64_t>::max()));
         const Contribution e = QS_TRY(record->Thank(c.caller, std::move(req)));
         JsonWriter w;
         Write(w, e);
         return Reply{201, w.Take()};
       }},
      {"GET", "/api/v1/ledger/entries/{seq}", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const std::int64_t seq = QS_TRY(IdParam(c.params[0], "entry"));
         const Contribution e = QS_TRY(record->Entry(c.caller, seq));
         JsonWriter w;
         Write(w, e);
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/ledger/entries/{seq}/confirm", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const std::int64_t seq = QS_TRY(IdParam(c.params[0], "entry"));
         auto body = QS_TRY(Body::Parse(c.req.body, {"note"}));
         const Contribution e =
             QS_TRY(record->Confirm(c.caller, seq, QS_TRY(body.String("note", false))));
         JsonWriter w;
         Write(w, e);
         return Reply{201, w.Take()};
       }},
      {"GET", "/api/v1/ledger/export", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         std::string out;
         auto append = [&](std::string_view line) {
           out += line;
           out += '\n';
         };
         // Paged (after, upto): entry lines only, at most kExportPage of them; the
         // client adds the checkpoint it fetched. Whole: small ledgers only.
         constexpr std::int64_t kExportPage = 50'000;
         if (c.req.query.contains("upto")) {
           const std::int64_t after = QS_TRY(IntQuery(c.req, "after", 0));
           const std::int64_t upto = QS_TRY(IntQuery(c.req, "upto", 0));
           const std::int64_t limit = std::clamp<std::int64_t>(
               QS_TRY(IntQuery(c.req, "limit", kExportPage)), 1, kExportPage);
           if (after < 0 || upto < after)
             return InvalidArgument("upto", "0 <= after <= upto, sequence numbers");
           QS_TRY_STATUS(record->ExportRange(after, std::min(upto, after + limit), append));
           return Reply{200, std::move(out), "application/x-ndjson"};
         }
         if (QS_TRY(record->Checkpoint()).tree_size > kExportPage) {
           return Fail(ErrorCode::kTooLarge,
                       "the ledger is too large for one answer; page it with ?after=N&upto=SIZE "
                       "(as `qiusuo ledger export` does)");
         }
         QS_TRY_STATUS(record->Export(append));
         return Reply{200, std::move(out), "application/x-ndjson"};
       }},
      {"GET", "/api/v1/ledger/proof/inclusion", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const std::int64_t seq = QS_TRY(IntQuery(c.req, "seq", 0));
         std::int64_t size = QS_TRY(IntQuery(c.req, "tree_size", 0));
         if (size == 0) size = QS_TRY(record->Checkpoint()).tree_size;
         const auto proof = QS_TRY(record->InclusionProof(seq, size));
         const ledger::Hash leaf = QS_TRY(record->LeafHashOf(seq));
         return Reply{200, "{\"seq\":" + std::to_string(seq) +
                               ",\"tree_size\":" + std::to_string(size) + ",\"leaf_hash\":\"" +
                               ledger::Hex(leaf) + "\",\"audit_path\":" + HashList(proof) + "}"};
       }},
      {"GET", "/api/v1/ledger/proof/consistency", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const std::int64_t first = QS_TRY(IntQuery(c.req, "first", 0));
         std::int64_t second = QS_TRY(IntQuery(c.req, "second", 0));
         if (second == 0) second = QS_TRY(record->Checkpoint()).tree_size;
         const auto proof = QS_TRY(record->ConsistencyProof(first, second));
         return Reply{200, "{\"first\":" + std::to_string(first) + ",\"second\":" +
                               std::to_string(second) + ",\"proof\":" + HashList(proof) + "}"};
       }},
      {"GET", "/api/v1/members/{handle}/record", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const RecordProfile p = QS_TRY(record->Profile(c.caller, c.params[0]));
         JsonWriter w;
         w.BeginObject().Field("contributor", p.contributor).Key("first");
         if (p.timeline.empty())
           w.Null();
         else
           w.String(Time(p.timeline.front().at));
         w.Key("latest");
         if (p.timeline.empty())
           w.Null();
         else
           w.String(Time(p.timeline.back().at));
         auto totals = [&](const char* key, const std::vector<ProfileTotal>& list) {
           w.Key(key).BeginArray();
           for (const auto& t : list) {
             w.BeginObject()
                 .Field("key", t.key)
                 .Field("entries", t.entries)
                 .Key("quantity")
                 .Double(static_cast<double>(t.quantity_milli) / 1000.0)
                 .Field("unit", t.unit)
                 .EndObject();
           }
           w.EndArray();
         };
         totals("by_kind", p.by_kind);
         totals("by_project", p.by_project);
         w.Key("corrected").BeginArray();
         for (auto seq : p.corrected) w.Int(seq);
         w.EndArray().Key("timeline").BeginArray();
         for (const auto& e : p.timeline) Write(w, e);
         w.EndArray().EndObject();
         return Reply{200, w.Take()};
       }},
      {"GET", "/api/v1/projects/{id}/authors", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         Record* record = QS_TRY(NeedRecord(c));
         const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
         const std::int64_t from = QS_TRY(IntQuery(c.req, "from", 0));
         const std::int64_t to =
             QS_TRY(IntQuery(c.req, "to", std::numeric_limits<std::int32_t>::max()));
         const auto authors = QS_TRY(record->Authors(c.caller, pid, from, to));
         const std::string title = QS_TRY(lab.GetProject(c.caller, pid)).project.title;
         const UnixSeconds until = c.req.query.contains("to") ? to : std::time(nullptr);
         auto format = c.req.query.find("format");
         if (format != c.req.query.end() && format->second == "cff")
           return Reply{200, CitationCff(title, authors, until), "text/yaml; charset=utf-8"};
         if (format != c.req.query.end() && format->second == "bibtex")
           return Reply{200, BibTeX(pid.value, title, authors, until),
                        "text/x-bibtex; charset=utf-8"};
         JsonWriter w;
         w.BeginObject()
             .Field("project_id", pid.value)
             .Field("title", title)
             .Key("authors")
             .BeginArray();
         for (const auto& a : authors) {
           w.BeginObject()
               .Field("contributor", a.contributor)
               .Field("name", a.name)
               .Key("weight")
               .Double(static_cast<double>(a.weight_milli) / 1000.0)
               .Field("roles", a.roles)
               .EndObject();
         }
         w.EndArray().EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/projects/{id}/commits", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Identities* identities = QS_TRY(NeedIdentities(c));
         const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
         auto body = QS_TRY(Body::Parse(c.req.body, {"commits"}));
         const auto items = body.Items("commits");
         if (!items) return InvalidArgument("commits", "commits is an array of commit objects");
         std::vector<CommitRecord> commits;
         commits.reserve(items->size());
         for (const Body& item : *items) {
           auto sha = item.String("sha", true);
           auto at = item.OptInt("at");
           auto lines = item.OptInt("lines");
           auto author_name = item.String("author_name", false);
           auto author_email = item.String("author_email", false);
           auto headline = item.String("headline", false);
           if (!item.IsObject() || !sha || !at || !*at || !lines || !*lines || !author_name ||
               !author_email || !headline) {
             return InvalidArgument("commits",
                                    "each commit has sha, author_name, author_email, at (Unix "
                                    "seconds), lines and headline");
           }
           commits.push_back({*sha, *author_name, *author_email, **at, **lines, *headline});
         }
         const ImportResult r = QS_TRY(identities->ImportCommits(c.caller, pid, commits));
         JsonWriter w;
         w.BeginObject()
             .Field("members", r.members)
             .Field("recorded", r.recorded)
             .Field("skipped", r.skipped)
             .EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/me/identities", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Identities* identities = QS_TRY(NeedIdentities(c));
         auto body = QS_TRY(Body::Parse(c.req.body, {"email"}));
         const std::string email = QS_TRY(body.String("email", true));
         QS_TRY_STATUS(identities->Claim(c.caller, email));
         JsonWriter w;
         w.BeginObject().Field("sent_to", email).EndObject();
         return Reply{202, w.Take()};
       }},
      {"POST", "/api/v1/me/identities/confirm", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Identities* identities = QS_TRY(NeedIdentities(c));
         auto body = QS_TRY(Body::Parse(c.req.body, {"email", "code"}));
         const Contribution e = QS_TRY(identities->Confirm(
             c.caller, QS_TRY(body.String("email", true)), QS_TRY(body.String("code", true))));
         JsonWriter w;
         Write(w, e);
         return Reply{201, w.Take()};
       }},
  };
}

}  // namespace qiusuo::http
