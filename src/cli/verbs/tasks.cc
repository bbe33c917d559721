// Tasks: claimed by whoever does them, never assigned.
#include <iostream>

#include "cli/print.h"
#include "cli/verbs/verbs.h"

namespace qiusuo::cli {
namespace {

struct TaskOptions {
  std::int64_t id = 0;  // a project's (list, add) or a task's
  std::string title, description;
};

void PrintTask(const json& t) {
  std::cout << "task #" << t["id"] << " \"" << t["title"].get<std::string>() << "\" is "
            << t["state"].get<std::string>();
  if (!t["holder"].is_null()) std::cout << " (held by @" << t["holder"].get<std::string>() << ")";
  std::cout << "\n";
}

}  // namespace

void AddTaskVerbs(CLI::App& app, Context& ctx) {
  TaskOptions& o = ctx.Keep<TaskOptions>();
  Client& client = ctx.client();
  auto* task =
      app.add_subcommand("task", "project tasks: claimed by whoever does them, never assigned");
  task->require_subcommand(1);
  auto* task_list = task->add_subcommand("list", "a project's tasks");
  task_list->add_option("ID", o.id, "project id")->required();
  task_list->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/projects/" + std::to_string(o.id) + "/tasks")),
            PrintTasks);
    return {};
  }));
  auto* task_add =
      task->add_subcommand("add", "add a task to a project you are a member of; prints its id");
  task_add->add_option("ID", o.id, "project id")->required();
  task_add->add_option("--title,-t", o.title, "one line")->required();
  task_add->add_option("--description,-d", o.description, "details");
  task_add->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(o.id) + "/tasks",
                               {{"title", o.title}, {"description", o.description}})),
            [](const json& t) { std::cout << t["id"] << "\n"; });
    return {};
  }));
  struct Action {
    const char* verb;
    const char* help;
  };
  for (const Action a : {Action{"claim", "claim a task for yourself"},
                         Action{"unclaim", "give back a task you hold"},
                         Action{"done", "mark a task you hold (or an open one) done"}}) {
    auto* cmd = task->add_subcommand(a.verb, a.help);
    cmd->add_option("ID", o.id, "task id")->required();
    cmd->callback(ctx.Run([&o, &client, &ctx, verb = std::string(a.verb)]() -> Status {
      ctx.Out(QS_TRY(client.Call("POST", "/api/v1/tasks/" + std::to_string(o.id) + "/" + verb)),
              PrintTask);
      return {};
    }));
  }
}

}  // namespace qiusuo::cli
