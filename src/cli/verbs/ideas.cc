// Ideas: post, find, edit your own, back.
#include <iostream>
#include <optional>

#include "cli/input.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "http/message.h"

namespace qiusuo::cli {
namespace {

struct IdeaOptions {
  int limit = 50;
  std::string cursor, search, title, pitch, pitch_file;
  std::int64_t id = 0;
  std::optional<std::string> new_title, new_pitch;  // for edit: only what is given changes
};

void PrintIdeas(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : list["items"]) {
    rows.push_back({std::to_string(i["id"].get<std::int64_t>()), i["title"],
                    "@" + i["author"].get<std::string>(),
                    std::to_string(i["backer_count"].get<int>()), Date(i["created_at"])});
  }
  if (rows.empty()) {
    std::cout << "No ideas yet. Post one: qiusuo idea post --title \"...\"\n";
    return;
  }
  PrintTable(std::cout, {"ID", "TITLE", "AUTHOR", "BACKERS", "POSTED"}, rows);
  if (!list["next_cursor"].is_null()) {
    std::cout << "(more: --cursor " << list["next_cursor"].get<std::string>() << ")\n";
  }
}

void PrintIdea(const json& i) {
  std::cout << "#" << i["id"] << "  " << i["title"].get<std::string>() << "\n"
            << "by @" << i["author"].get<std::string>() << " on " << Date(i["created_at"]) << "\n"
            << "backers: " << (i["backers"].empty() ? "none yet" : Join(i["backers"])) << "\n\n"
            << i["pitch"].get<std::string>() << "\n";
}

}  // namespace

void AddIdeaVerbs(CLI::App& app, Context& ctx) {
  IdeaOptions& o = ctx.Keep<IdeaOptions>();
  Client& client = ctx.client();
  auto* idea = app.add_subcommand("idea", "post, find and back ideas");
  idea->require_subcommand(1);
  auto* idea_list = idea->add_subcommand("list", "list ideas, newest first");
  idea_list->add_option("--search,-s", o.search, "words in the title or pitch");
  idea_list->add_option("--limit", o.limit, "how many")->capture_default_str();
  idea_list->add_option("--cursor", o.cursor, "continue after a previous page");
  idea_list->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/ideas?q=" + http::UrlEncode(o.search) +
                                          "&limit=" + std::to_string(o.limit) +
                                          "&cursor=" + http::UrlEncode(o.cursor))),
            PrintIdeas);
    return {};
  }));
  auto* idea_post = idea->add_subcommand("post", "post an idea; prints its id");
  idea_post->add_option("--title,-t", o.title, "one line")->required();
  idea_post->add_option("--pitch,-p", o.pitch, "the pitch, in markdown");
  idea_post->add_option("--pitch-file", o.pitch_file, "read the pitch from a file ('-' for stdin)");
  idea_post->callback(ctx.Run([&]() -> Status {
    if (!o.pitch_file.empty()) o.pitch = QS_TRY(ReadFile(o.pitch_file));
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/ideas", {{"title", o.title}, {"pitch", o.pitch}})),
            [](const json& i) { std::cout << i["id"] << "\n"; });
    return {};
  }));
  auto* idea_show = idea->add_subcommand("show", "one idea with its pitch and backers");
  idea_show->add_option("ID", o.id, "idea id")->required();
  idea_show->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/ideas/" + std::to_string(o.id))), PrintIdea);
    return {};
  }));
  auto* idea_edit = idea->add_subcommand("edit", "change the title or pitch of an idea you posted");
  idea_edit->add_option("ID", o.id, "idea id")->required();
  idea_edit->add_option("--title,-t", o.new_title, "the new title");
  auto* edit_pitch = idea_edit->add_option("--pitch,-p", o.new_pitch, "the new pitch, in markdown");
  idea_edit
      ->add_option("--pitch-file", o.pitch_file, "read the new pitch from a file ('-' for stdin)")
      ->excludes(edit_pitch);
  idea_edit->callback(ctx.Run([&]() -> Status {
    if (!o.pitch_file.empty()) o.new_pitch = QS_TRY(ReadFile(o.pitch_file));
    if (!o.new_title && !o.new_pitch) {
      return InvalidArgument("title", "say what to change: --title, --pitch or --pitch-file");
    }
    json body = json::object();
    if (o.new_title) body["title"] = *o.new_title;
    if (o.new_pitch) body["pitch"] = *o.new_pitch;
    ctx.Out(QS_TRY(client.Call("PATCH", "/api/v1/ideas/" + std::to_string(o.id), body)), PrintIdea);
    return {};
  }));
  for (bool back : {true, false}) {
    auto* cmd = idea->add_subcommand(back ? "back" : "unback",
                                     back ? "back an idea (public)" : "stop backing an idea");
    cmd->add_option("ID", o.id, "idea id")->required();
    cmd->callback(ctx.Run([&o, &client, &ctx, back]() -> Status {
      ctx.Out(QS_TRY(client.Call(back ? "PUT" : "DELETE",
                                 "/api/v1/ideas/" + std::to_string(o.id) + "/backing")),
              [](const json& i) {
                std::cout << "#" << i["id"] << " now has " << i["backer_count"]
                          << " backer(s): " << Join(i["backers"]) << "\n";
              });
      return {};
    }));
  }
}

}  // namespace qiusuo::cli
