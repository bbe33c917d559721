// Projects: started by anyone, joined only by consent (apply/accept, invite/accept).
#include <iostream>

#include "cli/input.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "http/message.h"

namespace qiusuo::cli {
namespace {

struct ProjectOptions {
  int limit = 50;
  std::string cursor, title, pitch, pitch_file, looking_for, message, handle;
  std::int64_t id = 0, from_idea = 0;
};

void PrintProjects(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : list["items"]) {
    rows.push_back({std::to_string(p["id"].get<std::int64_t>()), p["title"],
                    "@" + p["initiator"].get<std::string>(), Join(p["members"]),
                    Join(p["looking_for"]), std::to_string(p["backers"].size())});
  }
  if (rows.empty()) {
    std::cout << "No projects yet. Start one: qiusuo project start --title \"...\"\n";
    return;
  }
  PrintTable(std::cout, {"ID", "TITLE", "INITIATOR", "MEMBERS", "LOOKING FOR", "BACKERS"}, rows,
             40);
  if (!list["next_cursor"].is_null()) {
    std::cout << "(more: --cursor " << list["next_cursor"].get<std::string>() << ")\n";
  }
}

void PrintProject(const json& p, const json& tasks) {
  std::cout << "#" << p["id"] << "  " << p["title"].get<std::string>() << "\n"
            << "initiator:   @" << p["initiator"].get<std::string>() << "\n"
            << "members:     " << Join(p["members"]) << "\n"
            << "looking for: " << (p["looking_for"].empty() ? "-" : Join(p["looking_for"])) << "\n"
            << "backers:     " << (p["backers"].empty() ? "-" : Join(p["backers"])) << "\n";
  if (!p["idea_id"].is_null()) std::cout << "from idea:   #" << p["idea_id"] << "\n";
  std::vector<std::vector<std::string>> pending;
  for (const auto& m : p["memberships"]) {
    const std::string state = m["state"];
    if (state == "applied" || state == "invited") {
      pending.push_back(
          {"@" + m["handle"].get<std::string>(), state, m["message"], Date(m["updated_at"])});
    }
  }
  if (!pending.empty()) {
    std::cout << "\nopen requests:\n";
    PrintTable(std::cout, {"WHO", "STATE", "MESSAGE", "SINCE"}, pending);
  }
  std::cout << "\n" << p["pitch"].get<std::string>() << "\n\ntasks:\n";
  PrintTasks(tasks);
}

void PrintMembership(const json& m) {
  std::cout << "@" << m["handle"].get<std::string>() << " is now " << m["state"].get<std::string>()
            << " in project #" << m["project_id"] << "\n";
}

}  // namespace

void AddProjectVerbs(CLI::App& app, Context& ctx) {
  ProjectOptions& o = ctx.Keep<ProjectOptions>();
  Client& client = ctx.client();
  const auto add_id = [&o](CLI::App* cmd) {
    cmd->add_option("ID", o.id, "project id")->required();
  };
  const auto project_path = [&o](const std::string& rest = "") {
    return "/api/v1/projects/" + std::to_string(o.id) + rest;
  };
  auto* project = app.add_subcommand("project", "start, find and join projects (by consent only)");
  project->require_subcommand(1);
  auto* project_list =
      project->add_subcommand("list", "projects with members, open roles and backers");
  project_list->add_option("--limit", o.limit, "how many")->capture_default_str();
  project_list->add_option("--cursor", o.cursor, "continue after a previous page");
  project_list->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/projects?limit=" + std::to_string(o.limit) +
                                          "&cursor=" + http::UrlEncode(o.cursor))),
            PrintProjects);
    return {};
  }));
  auto* project_start =
      project->add_subcommand("start", "start a project (you become its initiator); prints its id");
  project_start->add_option("--idea", o.from_idea,
                            "start from this idea (title and pitch default to it)");
  project_start->add_option("--title,-t", o.title, "one line");
  project_start->add_option("--pitch,-p", o.pitch, "markdown");
  project_start->add_option("--pitch-file", o.pitch_file,
                            "read the pitch from a file ('-' for stdin)");
  project_start->add_option("--looking-for", o.looking_for,
                            "open roles, comma-separated: \"CUDA kernels,data cleaning\"");
  project_start->callback(ctx.Run([&]() -> Status {
    if (!o.pitch_file.empty()) o.pitch = QS_TRY(ReadFile(o.pitch_file));
    json body = {
        {"title", o.title}, {"pitch", o.pitch}, {"looking_for", SplitComma(o.looking_for)}};
    if (o.from_idea > 0) body["idea_id"] = o.from_idea;
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/projects", body)),
            [](const json& p) { std::cout << p["id"] << "\n"; });
    return {};
  }));
  auto* project_show =
      project->add_subcommand("show", "one project: members, open requests, roles, tasks");
  add_id(project_show);
  project_show->callback(ctx.Run([&, project_path]() -> Status {
    const json p = QS_TRY(client.Call("GET", project_path()));
    const json tasks = QS_TRY(AllPages(client, project_path("/tasks")));
    if (ctx.json_output()) {
      json both = p;
      both["tasks"] = tasks["items"];
      std::cout << both.dump(2) << "\n";
    } else {
      PrintProject(p, tasks);
    }
    return {};
  }));
  auto* project_roles =
      project->add_subcommand("looking-for", "set the roles a project is looking for (members)");
  add_id(project_roles);
  project_roles->add_option("ROLES", o.looking_for, "comma-separated; empty clears")->required();
  project_roles->callback(ctx.Run([&, project_path]() -> Status {
    ctx.Out(
        QS_TRY(client.Call("PATCH", project_path(), {{"looking_for", SplitComma(o.looking_for)}})),
        [](const json& p) { std::cout << "looking for: " << Join(p["looking_for"]) << "\n"; });
    return {};
  }));
  for (bool back : {true, false}) {
    auto* cmd = project->add_subcommand(
        back ? "back" : "unback", back ? "back a project (public)" : "stop backing a project");
    add_id(cmd);
    cmd->callback(ctx.Run([&client, &ctx, project_path, back]() -> Status {
      ctx.Out(QS_TRY(client.Call(back ? "PUT" : "DELETE", project_path("/backing"))),
              [](const json& p) {
                std::cout << "#" << p["id"] << " backers: " << Join(p["backers"]) << "\n";
              });
      return {};
    }));
  }
  auto* apply =
      project->add_subcommand("apply", "ask to join; a current member accepts or declines");
  add_id(apply);
  apply->add_option("--message,-m", o.message, "why you want to join");
  apply->callback(ctx.Run([&, project_path]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", project_path("/apply"), {{"message", o.message}})),
            PrintMembership);
    return {};
  }));
  auto* leave = project->add_subcommand("leave", "leave a project (any time)");
  add_id(leave);
  leave->callback(ctx.Run([&, project_path]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", project_path("/leave"))), PrintMembership);
    return {};
  }));
  auto* invite =
      project->add_subcommand("invite", "invite a person (members); they accept or decline");
  add_id(invite);
  invite->add_option("HANDLE", o.handle, "whom")->required();
  invite->add_option("--message,-m", o.message, "a note");
  invite->callback(ctx.Run([&, project_path]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", project_path("/invitations/" + http::UrlEncode(o.handle)),
                               {{"message", o.message}})),
            PrintMembership);
    return {};
  }));
  struct Answer {
    const char* verb;
    const char* help;
  };
  for (const Answer a :
       {Answer{"accept", "accept an application (as a member) or your invitation (HANDLE = you)"},
        Answer{"decline", "decline an application (as a member) or your invitation (HANDLE = you)"},
        Answer{"withdraw",
               "withdraw your application (HANDLE = you) or an invitation (as a member)"}}) {
    auto* cmd = project->add_subcommand(a.verb, a.help);
    add_id(cmd);
    cmd->add_option("HANDLE", o.handle, "whose application or invitation (default: yours)");
    cmd->callback(ctx.Run([&o, &client, &ctx, project_path,
                           verb = std::string(a.verb)]() -> Status {
      if (o.handle.empty()) {
        const json me = QS_TRY(client.Call("GET", "/api/v1/me"));
        o.handle = me["handle"];
      }
      ctx.Out(QS_TRY(client.Call(
                  "POST", project_path("/memberships/" + http::UrlEncode(o.handle) + "/" + verb))),
              PrintMembership);
      return {};
    }));
  }
}

}  // namespace qiusuo::cli
