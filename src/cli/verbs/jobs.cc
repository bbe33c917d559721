// Jobs: submit (a command or a #QIUSUO script), queue, job show/list/note, logs, cancel.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/parse.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"

namespace qiusuo::cli {
namespace {

namespace fs = std::filesystem;

struct JobOptions {
  // submit
  std::int64_t project = 0;
  int gpus = 0;
  std::string name, time_limit, workdir;
  std::vector<std::string> env, command;
  // the others
  std::int64_t id = 0;
  int limit = 50;
  int queue_limit = 0;
  std::int64_t list_project = 0;
  std::string outcome, note_text;
  bool follow = false, stderr_stream = false;
};

void PrintJob(const json& j) {
  std::cout << "job " << j["id"] << "  " << j["name"].get<std::string>() << "\n"
            << "state:     " << j["state"].get<std::string>()
            << (j["stopping"].get<std::string>().empty()
                    ? ""
                    : " (stopping: " + j["stopping"].get<std::string>() + ")")
            << "\n"
            << "owner:     @" << j["owner"].get<std::string>() << " in project #" << j["project_id"]
            << "\n"
            << "gpus:      " << j["gpus"];
  if (!j["gpu_ids"].empty()) std::cout << " (devices " << Join(j["gpu_ids"], ",") << ")";
  std::cout << "\nrestarts:  " << j["restarts"] << "\n"
            << "exit code: " << (j["exit_code"].is_null() ? "-" : j["exit_code"].dump()) << "\n";
  if (!j["reason"].get<std::string>().empty())
    std::cout << "reason:    " << j["reason"].get<std::string>() << "\n";
  std::cout << "command:   " << Join(j["argv"], " ") << "\n"
            << "workdir:   " << j["workdir"].get<std::string>() << "\n"
            << "submitted: " << j["submitted_at"].get<std::string>() << "   started: "
            << (j["started_at"].is_null() ? "-" : j["started_at"].get<std::string>())
            << "   finished: "
            << (j["finished_at"].is_null() ? "-" : j["finished_at"].get<std::string>()) << "\n";
  if (j.contains("notes")) {
    for (const auto& n : j["notes"]) {
      std::cout << "note (" << n["outcome"].get<std::string>() << ", @"
                << n["author"].get<std::string>() << "): " << n["text"].get<std::string>() << "\n";
    }
  }
}

void PrintQueue(const json& q) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : q["items"]) {
    const std::string state = j["state"];
    rows.push_back(
        {std::to_string(j["id"].get<std::int64_t>()), state, "#" + j["project_id"].dump(),
         "@" + j["owner"].get<std::string>(), j["gpus"].dump(), j["name"],
         state == "running"
             ? "on " + Join(j["gpu_ids"], ",") +
                   (j["restarts"].get<int>() ? " (restart " + j["restarts"].dump() + ")" : "") +
                   (j["waiting_reason"].get<std::string>().empty()
                        ? ""
                        : "; " + j["waiting_reason"].get<std::string>())
             : j["waiting_reason"].get<std::string>()});
  }
  if (rows.empty()) {
    std::cout << "The queue is empty.\n";
    return;
  }
  PrintTable(std::cout, {"ID", "STATE", "PROJECT", "OWNER", "GPUS", "NAME", "WHY / WHERE"}, rows,
             70);
}

void PrintJobs(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : list["items"]) {
    rows.push_back(
        {std::to_string(j["id"].get<std::int64_t>()), j["state"], "#" + j["project_id"].dump(),
         "@" + j["owner"].get<std::string>(), j["gpus"].dump(), j["name"],
         j["exit_code"].is_null() ? "-" : j["exit_code"].dump(), Ago(j["submitted_at"])});
  }
  PrintTable(std::cout, {"ID", "STATE", "PROJECT", "OWNER", "GPUS", "NAME", "EXIT", "SUBMITTED"},
             rows);
}

// The job to submit: the command line's flags, else a script's #QIUSUO lines.
Result<json> SubmitBody(JobOptions& o, const CLI::App& submit) {
  std::vector<std::string> command = o.command;
  if (command.size() == 1 && fs::is_regular_file(command[0])) {
    const fs::path script = fs::absolute(command[0]);
    std::ifstream in(script);
    const ScriptDirectives d = QS_TRY(ParseScriptDirectives(in, script.string()));
    if (d.project && !submit.count("--project")) o.project = *d.project;
    if (d.gpus && !submit.count("--gpus")) o.gpus = *d.gpus;
    if (d.name && o.name.empty()) o.name = *d.name;
    if (d.time_limit && o.time_limit.empty()) o.time_limit = *d.time_limit;
    o.env.insert(o.env.end(), d.env.begin(), d.env.end());
    command = {"sh", script.string()};
    if (::access(script.c_str(), X_OK) == 0) command = {script.string()};
  }
  if (o.project <= 0)
    return InvalidArgument("project", "say which project: --project ID (see qiusuo project list)");
  if (!submit.count("--gpus") && o.gpus == 0) o.gpus = 1;
  json body = {{"project_id", o.project},
               {"gpus", o.gpus},
               {"argv", command},
               {"workdir", o.workdir.empty() ? fs::current_path().string()
                                             : fs::absolute(o.workdir).string()}};
  if (!o.name.empty()) body["name"] = o.name;
  if (!o.time_limit.empty()) body["time_limit_s"] = QS_TRY(ParseDuration(o.time_limit));
  json env = json::object();
  for (const auto& kv : o.env) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) return InvalidArgument("env", "--env takes K=V, not '" + kv + "'");
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  body["env"] = env;
  return body;
}

}  // namespace

void AddJobVerbs(CLI::App& app, Context& ctx) {
  JobOptions& o = ctx.Keep<JobOptions>();
  Client& client = ctx.client();
  auto* submit = app.add_subcommand(
      "submit",
      "submit a job: qiusuo submit --project P --gpus 4 -- python train.py, or a script "
      "with #QIUSUO directive lines (as #SBATCH); prints the job id");
  submit->add_option("--project,-p", o.project, "project id (you must be a member)");
  submit->add_option("--gpus,-g", o.gpus, "GPUs, all at once (any number up to the whole cluster)");
  submit->add_option("--name,-n", o.name, "a name (default: the program's)");
  submit->add_option("--time-limit,-t", o.time_limit, "e.g. 30m, 2h, 1d, 1:30:00");
  submit->add_option("--workdir", o.workdir, "absolute directory to run in (default: here)");
  submit->add_option("--env", o.env, "K=V for the job's environment (repeatable)");
  submit->add_option("command", o.command, "the command, after --, or a script file")->required();
  submit->callback(ctx.Run([&o, &client, &ctx, submit]() -> Status {
    const json body = QS_TRY(SubmitBody(o, *submit));
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/jobs", body)),
            [](const json& j) { std::cout << j["id"] << "\n"; });
    return {};
  }));

  auto* queue =
      app.add_subcommand("queue", "waiting and running jobs, with why each waiting job waits");
  queue->add_option("--limit", o.queue_limit, "show the first N in line (0: the whole queue)")
      ->capture_default_str();
  queue->callback(ctx.Run([&]() -> Status {
    if (o.queue_limit < 0) return InvalidArgument("--limit", "--limit is 0 or more");
    // The server sends the queue a page at a time; the whole line is what one asks for.
    ctx.Out(QS_TRY(AllPages(client, "/api/v1/queue", static_cast<std::size_t>(o.queue_limit))),
            PrintQueue);
    return {};
  }));

  auto* job = app.add_subcommand("job", "one job: show, list, record what it taught");
  job->require_subcommand(1);
  auto* job_show = job->add_subcommand("show", "state, GPUs, restarts, exit code, notes");
  job_show->add_option("ID", o.id, "job id")->required();
  job_show->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/jobs/" + std::to_string(o.id))), PrintJob);
    return {};
  }));
  auto* job_list = job->add_subcommand("list", "jobs, newest first");
  job_list->add_option("--project", o.list_project, "only this project's");
  job_list->add_option("--limit", o.limit, "how many")->capture_default_str();
  job_list->callback(ctx.Run([&]() -> Status {
    ctx.Out(
        QS_TRY(client.Call(
            "GET", "/api/v1/jobs?limit=" + std::to_string(o.limit) +
                       (o.list_project > 0 ? "&project=" + std::to_string(o.list_project) : ""))),
        PrintJobs);
    return {};
  }));
  auto* job_note = job->add_subcommand(
      "note",
      "record what a run taught: qiusuo job note ID --outcome negative \"what we learned\"");
  job_note->add_option("ID", o.id, "job id")->required();
  job_note->add_option("TEXT", o.note_text, "what was learned")->required();
  job_note->add_option("--outcome", o.outcome, "success, failure or negative")->required();
  job_note->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/jobs/" + std::to_string(o.id) + "/notes",
                               {{"outcome", o.outcome}, {"text", o.note_text}})),
            [&](const json&) { std::cout << "Recorded on job " << o.id << ".\n"; });
    return {};
  }));

  auto* logs =
      app.add_subcommand("logs", "a job's output (stdout, or --stderr); -f follows it live");
  logs->add_option("ID", o.id, "job id")->required();
  logs->add_flag("-f,--follow", o.follow, "keep printing until the job ends");
  logs->add_flag("--stderr", o.stderr_stream, "the error stream instead of stdout");
  logs->callback(ctx.Run([&]() -> Status {
    std::int64_t offset = 0;
    while (true) {
      const json chunk =
          QS_TRY(client.Call("GET", "/api/v1/jobs/" + std::to_string(o.id) +
                                        "/logs?stream=" + (o.stderr_stream ? "stderr" : "stdout") +
                                        "&offset=" + std::to_string(offset)));
      std::cout << chunk["data"].get<std::string>() << std::flush;
      if (!std::cout) return {};  // the reader went away (`... | head`): done
      const std::int64_t next = chunk["next_offset"];
      if (!o.follow || chunk["done"].get<bool>()) break;
      if (next == offset) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      offset = next;
    }
    return {};
  }));

  auto* cancel = app.add_subcommand("cancel", "cancel a job (yours; stewards may cancel any)");
  cancel->add_option("ID", o.id, "job id")->required();
  cancel->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/jobs/" + std::to_string(o.id) + "/cancel")),
            [](const json& j) {
              std::cout << "job " << j["id"] << " "
                        << (j["state"] == "cancelled" ? "cancelled" : "is being cancelled") << "\n";
            });
    return {};
  }));
}

}  // namespace qiusuo::cli
