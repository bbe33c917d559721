#include "ledger/ledger.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace qiusuo::ledger {
namespace {

using json = nlohmann::json;

void AppendString(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void AppendInt(std::string& out, std::int64_t v) { out += std::to_string(v); }

void AppendOptInt(std::string& out, const std::optional<std::int64_t>& v) {
  if (v)
    AppendInt(out, *v);
  else
    out += "null";
}

constexpr std::string_view kHashPrefix = R"({"hash":")";
constexpr std::string_view kEntryKey = R"(","entry":)";

}  // namespace

std::string Encode(const Contribution& c) {
  std::string out;
  out.reserve(256 + c.note.size() + c.evidence.size());
  out += R"({"v":1,"seq":)";
  AppendInt(out, c.seq);
  out += R"(,"at":)";
  AppendInt(out, c.at);
  out += R"(,"prev":)";
  AppendString(out, c.prev);
  out += R"(,"actor":)";
  AppendString(out, c.actor);
  out += R"(,"contributor":)";
  AppendString(out, c.contributor);
  out += R"(,"kind":)";
  AppendString(out, c.kind);
  out += R"(,"project":)";
  AppendOptInt(out, c.project);
  out += R"(,"quantity":)";
  AppendInt(out, c.quantity_milli);
  out += R"(,"unit":)";
  AppendString(out, c.unit);
  out += R"(,"evidence":)";
  AppendString(out, c.evidence);
  out += R"(,"note":)";
  AppendString(out, c.note);
  out += R"(,"self":)";
  out += c.self ? "true" : "false";
  out += R"(,"corrects":)";
  AppendOptInt(out, c.corrects);
  out += '}';
  return out;
}

namespace {

// A strict reader of exactly what Encode writes: fixed keys in a fixed order, so a
// verifier reads a million entries without building a JSON document for each.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (!s_.substr(pos_).starts_with(lit)) return false;
    pos_ += lit.size();
    return true;
  }

  bool Int(std::int64_t& out) {
    const char* begin = s_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(begin, s_.data() + s_.size(), out);
    if (ec != std::errc() || ptr == begin) return false;
    pos_ += static_cast<std::size_t>(ptr - begin);
    return true;
  }

  bool OptInt(std::optional<std::int64_t>& out) {
    if (Literal("null")) {
      out.reset();
      return true;
    }
    std::int64_t v = 0;
    if (!Int(v)) return false;
    out = v;
    return true;
  }

  bool Bool(bool& out) {
    if (Literal("true")) return out = true, true;
    if (Literal("false")) return out = false, true;
    return false;
  }

  bool String(std::string& out) {
    out.clear();
    if (!Literal("\"")) return false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      if (e == '"' || e == '\\') {
        out += e;
      } else if (e == 'u' && pos_ + 4 <= s_.size() && s_.substr(pos_, 2) == "00") {
        unsigned value = 0;
        const auto [ptr, ec] =
            std::from_chars(s_.data() + pos_ + 2, s_.data() + pos_ + 4, value, 16);
        if (ec != std::errc() || ptr != s_.data() + pos_ + 4) return false;
        out += static_cast<char>(value);
        pos_ += 4;
      } else {
        return false;
      }
    }
    return false;
  }

  bool AtEnd() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Contribution> Decode(std::string_view bytes) {
  Contribution c;
  Reader r(bytes);
  const bool read =
      r.Literal(R"({"v":1,"seq":)") && r.Int(c.seq) && r.Literal(R"(,"at":)") && r.Int(c.at) &&
      r.Literal(R"(,"prev":)") && r.String(c.prev) && r.Literal(R"(,"actor":)") &&
      r.String(c.actor) && r.Literal(R"(,"contributor":)") && r.String(c.contributor) &&
      r.Literal(R"(,"kind":)") && r.String(c.kind) && r.Literal(R"(,"project":)") &&
      r.OptInt(c.project) && r.Literal(R"(,"quantity":)") && r.Int(c.quantity_milli) &&
      r.Literal(R"(,"unit":)") && r.String(c.unit) && r.Literal(R"(,"evidence":)") &&
      r.String(c.evidence) && r.Literal(R"(,"note":)") && r.String(c.note) &&
      r.Literal(R"(,"self":)") && r.Bool(c.self) && r.Literal(R"(,"corrects":)") &&
      r.OptInt(c.corrects) && r.Literal("}") && r.AtEnd();
  if (!read) return InvalidArgument("entry", "not an entry in the v1 encoding");
  // Whatever was read must be written back byte for byte: one form per entry.
  if (Encode(c) != bytes) return InvalidArgument("entry", "not in canonical form");
  return c;
}

std::string CheckpointMessage(const Checkpoint& cp) {
  return "qiusuo-ledger-checkpoint-v1\n" + std::to_string(cp.tree_size) + "\n" + Hex(cp.root) +
         "\n" + std::to_string(cp.at) + "\n";
}

void SignCheckpoint(Checkpoint& cp, std::string_view secret_key) {
  cp.signature = crypto::Sign(CheckpointMessage(cp), secret_key);
}

bool VerifyCheckpoint(const Checkpoint& cp, std::string_view public_key) {
  return crypto::VerifySignature(CheckpointMessage(cp), cp.signature, public_key);
}

std::string ExportLine(std::string_view entry_bytes, const Hash& leaf) {
  std::string out;
  out.reserve(entry_bytes.size() + 96);
  out += kHashPrefix;
  out += Hex(leaf);
  out += kEntryKey;
  out += entry_bytes;
  out += '}';
  return out;
}

std::string CheckpointLine(const Checkpoint& cp, std::string_view public_key) {
  return json{{"checkpoint",
               {{"tree_size", cp.tree_size},
                {"root", Hex(cp.root)},
                {"at", cp.at},
                {"signature", crypto::ToHex(cp.signature)},
                {"public_key", crypto::ToHex(public_key)}}}}
      .dump();
}

VerifyReport VerifyExport(std::istream& in, const std::optional<std::string>& pinned_key,
                          const std::function<void(std::int64_t)>& progress,
                          const std::function<void(Contribution&&)>& on_entry) {
  VerifyReport report;
  auto fail = [&](std::int64_t seq, std::string why) {
    report.bad_seq = seq;
    report.message = "entry " + std::to_string(seq) + ": " + std::move(why);
    return report;
  };
  std::vector<Hash> leaves;
  std::string line;
  bool have_checkpoint = false;
  std::string prev_hex;
  while (std::getline(in, line)) {
    if (line.starts_with(R"({"checkpoint")")) {
      const json doc = json::parse(line, nullptr, false);
      try {
        const json& c = doc.at("checkpoint");
        // Found by fuzz/fuzz_ledger_export: get<int64_t> of 1e41 is an undefined cast.
        auto whole = [&](const char* key) {
          const json& v = c.at(key);
          if (!v.is_number_integer() ||
              (v.is_number_unsigned() &&
               v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
            throw std::runtime_error("not a whole number");
          }
          return v.get<std::int64_t>();
        };
        report.checkpoint.tree_size = whole("tree_size");
        report.checkpoint.at = whole("at");
        auto root = ParseHash(c.at("root").get<std::string>());
        auto sig = crypto::FromHex(c.at("signature").get<std::string>());
        auto key = crypto::FromHex(c.at("public_key").get<std::string>());
        if (!root || !sig || !key) throw std::runtime_error("bad hex");
        report.checkpoint.root = *root;
        report.checkpoint.signature = *sig;
        report.public_key = *key;
      } catch (const std::exception&) {
        report.message = "the checkpoint line is malformed";
        return report;
      }
      have_checkpoint = true;
      break;
    }
    const std::int64_t seq = static_cast<std::int64_t>(leaves.size()) + 1;
    constexpr std::size_t kHead = kHashPrefix.size() + 64 + kEntryKey.size();
    if (line.size() < kHead + 2 || !line.starts_with(kHashPrefix) ||
        line.compare(kHashPrefix.size() + 64, kEntryKey.size(), kEntryKey) != 0 ||
        line.back() != '}') {
      return fail(seq, "the line is not {\"hash\":...,\"entry\":...}");
    }
    const auto stated = ParseHash(std::string_view(line).substr(kHashPrefix.size(), 64));
    if (!stated) return fail(seq, "its hash is not 64 hex digits");
    const std::string_view bytes = std::string_view(line).substr(kHead, line.size() - kHead - 1);
    auto entry = Decode(bytes);
    if (!entry) return fail(seq, entry.error().message);
    if (entry->seq != seq) return fail(seq, "its sequence number is " + std::to_string(entry->seq));
    const Hash leaf = LeafHash(bytes);
    if (leaf != *stated) return fail(seq, "its bytes do not match its hash");
    if (entry->prev != prev_hex) return fail(seq, "it does not link to the entry before it");
    prev_hex = Hex(leaf);
    leaves.push_back(leaf);
    if (on_entry) on_entry(std::move(*entry));
    if (progress && leaves.size() % 65536 == 0) progress(static_cast<std::int64_t>(leaves.size()));
  }
  report.entries = static_cast<std::int64_t>(leaves.size());
  if (!have_checkpoint) {
    report.message = "no checkpoint: the file is cut short or is not a ledger export";
    return report;
  }
  const Checkpoint& cp = report.checkpoint;
  if (cp.tree_size < 0 || cp.tree_size > report.entries) {
    report.message = "the checkpoint covers " + std::to_string(cp.tree_size) +
                     " entries but the file has " + std::to_string(report.entries);
    return report;
  }
  const std::string& key = pinned_key ? *pinned_key : report.public_key;
  if (pinned_key && *pinned_key != report.public_key) {
    report.message = "the checkpoint was signed with another key than the one given";
    return report;
  }
  if (!VerifyCheckpoint(cp, key)) {
    report.message = "the checkpoint's signature does not verify";
    return report;
  }
  const Hash root =
      RootOf(std::span<const Hash>(leaves).first(static_cast<std::size_t>(cp.tree_size)));
  if (root != cp.root) {
    // The chain held link by link, so the entries were rewritten consistently from
    // some point on; only the signed root can tell, and it cannot say where.
    report.bad_seq = cp.tree_size;
    report.message = "the entries do not add up to the signed root: entries up to " +
                     std::to_string(cp.tree_size) + " were rewritten";
    return report;
  }
  report.ok = true;
  report.message = std::to_string(report.entries) + " entries verified; checkpoint of " +
                   std::to_string(cp.tree_size) + " entries signed by " +
                   crypto::ToHex(key).substr(0, 16) + "...";
  if (cp.tree_size < report.entries) {
    report.message += "; the last " + std::to_string(report.entries - cp.tree_size) +
                      " are not yet covered by a checkpoint";
  }
  return report;
}

}  // namespace qiusuo::ledger
