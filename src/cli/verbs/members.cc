// People in the lab.
#include <iostream>

#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "http/message.h"

namespace qiusuo::cli {
namespace {

struct MemberOptions {
  int limit = 50;
  std::string cursor, handle, name;
  std::vector<std::string> emails, skills, interests;
};

void PrintMember(const json& m) {
  std::cout << "@" << m["handle"].get<std::string>() << "  " << m["name"].get<std::string>()
            << (m["steward"].get<bool>() ? "  (steward)" : "") << "\n"
            << "skills:    " << Join(m["skills"]) << "\n"
            << "interests: " << Join(m["interests"]) << "\n"
            << "joined:    " << Date(m["joined_at"]) << "\n";
  if (m.contains("emails")) std::cout << "emails:    " << Join(m["emails"]) << "\n";
}

}  // namespace

void AddMemberVerbs(CLI::App& app, Context& ctx) {
  MemberOptions& o = ctx.Keep<MemberOptions>();
  Client& client = ctx.client();
  auto* member = app.add_subcommand("member", "people in the lab");
  member->require_subcommand(1);
  auto* member_list = member->add_subcommand("list", "list members");
  member_list->add_option("--limit", o.limit, "how many")->capture_default_str();
  member_list->add_option("--cursor", o.cursor, "continue after a previous page");
  member_list->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/members?limit=" + std::to_string(o.limit) +
                                          "&cursor=" + http::UrlEncode(o.cursor))),
            [](const json& list) {
              std::vector<std::vector<std::string>> rows;
              for (const auto& m : list["items"]) {
                rows.push_back({"@" + m["handle"].get<std::string>(), m["name"], Join(m["skills"]),
                                Join(m["interests"])});
              }
              PrintTable(std::cout, {"HANDLE", "NAME", "SKILLS", "INTERESTS"}, rows, 40);
            });
    return {};
  }));
  auto* member_show = member->add_subcommand("show", "one member");
  member_show->add_option("HANDLE", o.handle, "their handle")->required();
  member_show->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/members/" + http::UrlEncode(o.handle))),
            PrintMember);
    return {};
  }));
  auto* member_edit = member->add_subcommand(
      "edit", "edit your own name, emails, skills and interests (given lists replace the old)");
  member_edit->add_option("--name", o.name, "your name");
  member_edit->add_option("--email", o.emails, "an email (repeatable)");
  member_edit->add_option("--skill", o.skills, "a skill (repeatable)");
  member_edit->add_option("--interest", o.interests, "an interest (repeatable)");
  member_edit->callback(ctx.Run([&, member_edit]() -> Status {
    json body = json::object();
    if (!o.name.empty()) body["name"] = o.name;
    if (member_edit->count("--email")) body["emails"] = o.emails;
    if (member_edit->count("--skill")) body["skills"] = o.skills;
    if (member_edit->count("--interest")) body["interests"] = o.interests;
    ctx.Out(QS_TRY(client.Call("PATCH", "/api/v1/me", body)), PrintMember);
    return {};
  }));
}

}  // namespace qiusuo::cli
