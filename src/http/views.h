#pragma once
// The JSON views of the lab's records, written straight to text with JsonWriter
// (these are the hot path of every listing). A route adds what only it shows; the
// shape of a record is defined once, here, and documented in openapi.json.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/json_writer.h"
#include "ledger/merkle.h"
#include "service/citation.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"

namespace qiusuo::http {

// RFC 3339 text, as every timestamp of the API is sent.
std::string Time(UnixSeconds t);
// The time, or null.
void WriteOptTime(JsonWriter& w, std::string_view key, const std::optional<UnixSeconds>& t);

// Log output may hold any bytes; JSON needs UTF-8, so invalid sequences become U+FFFD.
std::string ValidUtf8(std::string_view in);

struct MemberView {
  const Member& member;
  bool with_private;  // emails are shown to their owner only
};

void Write(JsonWriter& w, const MemberView& v);
void Write(JsonWriter& w, const Idea& i);
void Write(JsonWriter& w, const ProjectView& v);
void Write(JsonWriter& w, const Membership& m);
// {"awaiting": {"items": [...], "total": n}, "asked": {...}, "limit": n}
void Write(JsonWriter& w, const Inbox& inbox);
void Write(JsonWriter& w, const Task& t);
void Write(JsonWriter& w, const Job& j);
// A job's fields, inside an object the caller opens and closes (so routes can add their own).
void WriteJobFields(JsonWriter& w, const Job& j);
void Write(JsonWriter& w, const ProjectBoost& b);
void Write(JsonWriter& w, const Contribution& e);

// A reward round with its payout and points (schema RewardRound).
std::string RoundJson(const RoundView& v);
// ["hex", ...]
std::string HashList(const std::vector<ledger::Hash>& hashes);

template <typename T>
std::string ToJson(const T& value) {
  JsonWriter w;
  Write(w, value);
  return w.Take();
}

// {"items": [...], "next_cursor": "123" | null}
template <typename Items, typename F>
std::string ListJson(const Items& items, std::optional<std::int64_t> next_before, F write_item) {
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray().Key("next_cursor");
  if (next_before)
    w.String(std::to_string(*next_before));
  else
    w.Null();
  w.EndObject();
  return w.Take();
}

template <typename T>
std::string ListJson(const Listing<T>& listing) {
  return ListJson(listing.items, listing.next_before,
                  [](JsonWriter& w, const T& item) { Write(w, item); });
}

}  // namespace qiusuo::http
