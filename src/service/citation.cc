#include "service/citation.h"

namespace qiusuo {

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

}  // namespace qiusuo
