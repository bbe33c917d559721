#include "http/views.h"

#include <cmath>

namespace qiusuo::http {

std::string Time(UnixSeconds t) { return FormatRfc3339(t); }

void Write(JsonWriter& w, const MemberView& v) {
  const Member& m = v.member;
  w.BeginObject()
      .Field("handle", m.handle)
      .Field("name", m.name)
      .Field("skills", m.skills)
      .Field("interests", m.interests)
      .Field("steward", m.steward)
      .Field("joined_at", Time(m.joined_at));
  if (v.with_private) w.Field("emails", m.emails);
  w.EndObject();
}

void Write(JsonWriter& w, const Idea& i) {
  w.BeginObject()
      .Field("id", i.id.value)
      .Field("title", i.title)
      .Field("pitch", i.pitch)
      .Field("author", i.author_handle)
      .Field("backers", i.backers)
      .Field("backer_count", static_cast<std::int64_t>(i.backers.size()))
      .Field("created_at", Time(i.created_at))
      .EndObject();
}

void Write(JsonWriter& w, const ProjectView& v) {
  const Project& p = v.project;
  w.BeginObject()
      .Field("id", p.id.value)
      .Field("title", p.title)
      .Field("pitch", p.pitch)
      .OptInt("idea_id", p.idea ? std::optional<std::int64_t>(p.idea->value) : std::nullopt)
      .Field("initiator", p.initiator_handle)
      .Field("looking_for", p.looking_for)
      .Key("members")
      .BeginArray();
  for (const auto& m : v.memberships) {
    if (m.state == MembershipState::kActive) w.String(m.handle);
  }
  w.EndArray().Key("memberships").BeginArray();
  for (const auto& m : v.memberships) {
    w.BeginObject()
        .Field("handle", m.handle)
        .Field("state", MembershipStateName(m.state))
        .Field("message", m.message)
        .Field("updated_at", Time(m.updated_at))
        .EndObject();
  }
  w.EndArray().Field("backers", p.backers).Field("created_at", Time(p.created_at)).EndObject();
}

void Write(JsonWriter& w, const Membership& m) {
  w.BeginObject()
      .Field("project_id", m.project.value)
      .Field("handle", m.handle)
      .Field("state", MembershipStateName(m.state))
      .Field("message", m.message)
      .Field("updated_at", Time(m.updated_at))
      .EndObject();
}

namespace {

void WriteInboxList(JsonWriter& w, std::string_view key, const InboxList& list) {
  w.Key(key).BeginObject().Key("items").BeginArray();
  for (const auto& e : list.entries) {
    const Membership& m = e.membership;
    w.BeginObject()
        .Field("project_id", m.project.value)
        .Field("project_title", e.project_title)
        .Field("handle", m.handle)
        .Field("state", MembershipStateName(m.state))
        .Field("message", m.message)
        .Field("acted_by", e.acted_by_handle)
        .Field("updated_at", Time(m.updated_at))
        .EndObject();
  }
  w.EndArray().Field("total", list.total).EndObject();
}

}  // namespace

void Write(JsonWriter& w, const Inbox& inbox) {
  w.BeginObject();
  WriteInboxList(w, "awaiting", inbox.awaiting);
  WriteInboxList(w, "asked", inbox.asked);
  w.Field("limit", std::int64_t{kInboxLimit}).EndObject();
}

void Write(JsonWriter& w, const Task& t) {
  w.BeginObject()
      .Field("id", t.id.value)
      .Field("project_id", t.project.value)
      .Field("title", t.title)
      .Field("description", t.description)
      .Field("state", TaskStateName(t.state))
      .Key("holder");
  if (t.holder)
    w.String(t.holder_handle);
  else
    w.Null();
  w.Field("created_at", Time(t.created_at)).Field("updated_at", Time(t.updated_at)).EndObject();
}

std::string ValidUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    const std::size_t len = c < 0x80           ? 1
                            : (c >> 5) == 0x6  ? 2
                            : (c >> 4) == 0xE  ? 3
                            : (c >> 3) == 0x1E ? 4
                                               : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 0x2;
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

void WriteOptTime(JsonWriter& w, std::string_view key, const std::optional<UnixSeconds>& t) {
  w.Key(key);
  if (t)
    w.String(Time(*t));
  else
    w.Null();
}

void WriteJobFields(JsonWriter& w, const Job& j) {
  w.Field("id", j.id.value)
      .Field("project_id", j.project.value)
      .Field("owner", j.owner_handle)
      .Field("name", j.name)
      .Field("gpus", static_cast<std::int64_t>(j.gpus))
      .OptInt("time_limit_s", j.time_limit_s)
      .Field("workdir", j.workdir)
      .Field("argv", j.argv)
      .Key("env")
      .BeginObject();
  for (const auto& [k, v] : j.env) w.Field(k, v);
  w.EndObject()
      .Field("state", JobStateName(j.state))
      .Field("restarts", static_cast<std::int64_t>(j.run))
      .Key("gpu_ids")
      .BeginArray();
  for (int g : j.gpu_ids) w.Int(g);
  w.EndArray()
      .OptInt("exit_code", j.exit_code)
      .Field("reason", j.reason)
      .Field("stopping", JobStopName(j.stopping))
      .Field("submitted_at", Time(j.submitted_at));
  WriteOptTime(w, "started_at", j.started_at);
  WriteOptTime(w, "finished_at", j.finished_at);
  // GPU-hours to two decimals: 0.04 for 8 GPUs over 20 s.
  w.Key("gpu_hours_used").Double(std::round(static_cast<double>(j.attained_gpu_s) / 36.0) / 100.0);
}

void Write(JsonWriter& w, const Job& j) {
  w.BeginObject();
  WriteJobFields(w, j);
  w.EndObject();
}

void Write(JsonWriter& w, const ProjectBoost& b) {
  w.BeginObject()
      .Field("project_id", b.project.value)
      .Key("factor")
      .Double(b.factor)
      .Field("expires_at", Time(b.expires_at))
      .Field("reason", b.reason)
      .Field("granted_by", b.granted_by_handle)
      .Field("created_at", Time(b.created_at))
      .EndObject();
}

void Write(JsonWriter& w, const Contribution& e) {
  w.BeginObject()
      .Field("seq", e.seq)
      .Field("at", Time(e.at))
      .Field("actor", e.actor)
      .Field("contributor", e.contributor)
      .Field("kind", e.kind)
      .OptInt("project_id", e.project)
      .Key("quantity")
      .Double(static_cast<double>(e.quantity_milli) / 1000.0)
      .Field("unit", e.unit)
      .Field("evidence", e.evidence)
      .Field("note", e.note)
      .Field("self", e.self)
      .OptInt("corrects", e.corrects)
      .Field("prev", e.prev)
      .EndObject();
}

std::string HashList(const std::vector<ledger::Hash>& hashes) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& h : hashes) w.String(ledger::Hex(h));
  w.EndArray();
  return w.Take();
}

std::string RoundJson(const RoundView& v) {
  JsonWriter w;
  const RewardRound& r = v.round;
  w.BeginObject()
      .Field("id", r.id)
      .Field("title", r.settings.title)
      .Field("pool", FormatMinor(r.settings.pool_minor))
      .Field("pool_minor", r.settings.pool_minor)
      .Field("currency", r.settings.currency)
      .Field("period_from", Time(r.settings.period_from))
      .Field("period_to", Time(r.settings.period_to))
      .Key("alpha")
      .Double(static_cast<double>(r.settings.alpha_milli) / 1000.0)
      .Field("rules", static_cast<std::int64_t>(r.settings.rules))
      .Field("cap_per_kind", r.settings.cap_per_kind)
      .Field("state", RoundStateName(r.state))
      .Field("opened_by", r.opened_by)
      .Field("created_at", Time(r.created_at))
      .Key("payout")
      .BeginArray();
  for (const auto& p : v.payout) {
    w.BeginObject()
        .Field("handle", p.handle)
        .Field("amount", FormatMinor(p.amount_minor))
        .Field("amount_minor", p.amount_minor)
        .Key("record_weight")
        .Double(static_cast<double>(p.record_milli) / 1000.0)
        .Field("points_received", p.points)
        .EndObject();
  }
  w.EndArray().Key("points").BeginArray();
  for (const auto& [giver, receiver, n, note] : v.points) {
    w.BeginObject()
        .Field("from", giver)
        .Field("to", receiver)
        .Field("points", n)
        .Field("note", note)
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace qiusuo::http
