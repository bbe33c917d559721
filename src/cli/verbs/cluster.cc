// The cluster as everyone sees it, and boosts granted in the open.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/parse.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"

namespace qiusuo::cli {
namespace {

struct BoostOptions {
  std::int64_t id = 0;
  double factor = 0;
  std::string until, reason;
};

// One line per machine: its state as the cluster says it (and why, when it takes no
// new runs), how many of its GPUs Qiusuo has given to jobs, and those jobs.
void PrintNodes(const json& c) {
  std::map<std::int64_t, std::int64_t> gpu_job;  // GPU number -> the job on it
  for (const auto& g : c["gpus"]) {
    if (!g["job"].is_null()) gpu_job[g["index"].get<std::int64_t>()] = g["job"]["id"];
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& node : c.value("nodes", json::array())) {
    std::string state = node["state"].get<std::string>();
    const std::string reason = node["reason"].get<std::string>();
    if (!node["schedulable"].get<bool>() && !reason.empty()) state += ": " + reason;
    int busy = 0;
    std::vector<std::int64_t> jobs;
    for (const auto& g : node["gpus"]) {
      const auto it = gpu_job.find(g.get<std::int64_t>());
      if (it == gpu_job.end()) continue;
      ++busy;
      if (std::find(jobs.begin(), jobs.end(), it->second) == jobs.end()) jobs.push_back(it->second);
    }
    std::string job_list;
    for (const std::int64_t id : jobs)
      job_list += (job_list.empty() ? "" : " ") + std::to_string(id);
    rows.push_back({node["name"].get<std::string>(), state,
                    std::to_string(busy) + "/" + std::to_string(node["gpus"].size()) + " busy",
                    job_list.empty() ? "-" : job_list});
  }
  if (rows.empty()) return;
  PrintTable(std::cout, {"NODE", "STATE", "GPUS", "JOBS"}, rows, 60);
  std::cout << "\n";
}

void PrintCluster(const json& c) {
  PrintNodes(c);
  std::cout << c["gpus"].size() << " GPUs, " << c["pending"] << " job(s) waiting\n";
  std::vector<std::vector<std::string>> gpus;
  for (const auto& g : c["gpus"]) {
    const json& j = g["job"];
    gpus.push_back(
        {"GPU " + g["index"].dump(),
         j.is_null() ? "idle" : "job " + j["id"].dump() + " " + j["name"].get<std::string>(),
         j.is_null() ? "" : "@" + j["owner"].get<std::string>(),
         j.is_null() ? "" : "#" + j["project_id"].dump()});
  }
  PrintTable(std::cout, {"GPU", "RUNNING", "OWNER", "PROJECT"}, gpus);
  std::vector<std::vector<std::string>> projects;
  for (const auto& p : c["projects"]) {
    std::string boosts;
    for (const auto& b : p["boosts"]) {
      boosts += (boosts.empty() ? "" : "; ") + Fixed1(b["factor"].get<double>()) + "x until " +
                b["expires_at"].get<std::string>().substr(0, 10) + ": " +
                b["reason"].get<std::string>();
    }
    projects.push_back({"#" + p["id"].dump() + " " + p["title"].get<std::string>(),
                        Fixed1(p["weight"].get<double>()), Fixed1(p["entitlement"].get<double>()),
                        p["allocated"].dump(), Fixed1(p["demand"].get<double>()),
                        Fixed1(p["decayed_gpu_hours"].get<double>()),
                        boosts.empty() ? "-" : boosts});
  }
  std::cout << "\n";
  if (projects.empty()) {
    std::cout << "No project has jobs yet.\n";
    return;
  }
  PrintTable(std::cout,
             {"PROJECT", "WEIGHT", "SHARE", "USING", "ASKING", "DECAYED GPU-H", "BOOSTS"}, projects,
             50);
}

void PrintBoosts(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& b : list["items"]) {
    rows.push_back({"#" + b["project_id"].dump(), Fixed1(b["factor"].get<double>()) + "x",
                    b["expires_at"].get<std::string>(), "@" + b["granted_by"].get<std::string>(),
                    b["reason"]});
  }
  if (rows.empty()) {
    std::cout << "No live boosts.\n";
    return;
  }
  PrintTable(std::cout, {"PROJECT", "FACTOR", "UNTIL", "BY", "REASON"}, rows, 60);
}

}  // namespace

void AddClusterVerbs(CLI::App& app, Context& ctx) {
  BoostOptions& o = ctx.Keep<BoostOptions>();
  Client& client = ctx.client();
  app.add_subcommand("cluster",
                     "GPUs and who runs what; projects' weight, entitlement, use and boosts")
      ->callback(ctx.Run([&]() -> Status {
        ctx.Out(QS_TRY(client.Call("GET", "/api/v1/cluster")), PrintCluster);
        return {};
      }));

  auto* boost = app.add_subcommand(
      "boost", "stewards: boost a project in the open (a weight factor, an expiry, a reason)");
  boost->add_option("ID", o.id, "project id")->required();
  boost->add_option("--factor", o.factor, "weight multiplier, e.g. 2")->required();
  boost
      ->add_option("--until", o.until,
                   "expiry: 2026-12-31 (through that day, UTC) or 2026-12-31T18:00:00Z")
      ->required();
  boost->add_option("--reason", o.reason, "why, for everyone to read")->required();
  boost->callback(ctx.Run([&]() -> Status {
    const std::int64_t expires = QS_TRY(ParseUntil(o.until));
    ctx.Out(
        QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(o.id) + "/boosts",
                           {{"factor", o.factor}, {"expires_at", expires}, {"reason", o.reason}})),
        [](const json& b) {
          std::cout << "project #" << b["project_id"] << " boosted "
                    << Fixed1(b["factor"].get<double>()) << "x until "
                    << b["expires_at"].get<std::string>() << "\n";
        });
    return {};
  }));
  app.add_subcommand("boosts", "live boosts, with who granted them and why")
      ->callback(ctx.Run([&]() -> Status {
        ctx.Out(QS_TRY(client.Call("GET", "/api/v1/boosts")), PrintBoosts);
        return {};
      }));
}

}  // namespace qiusuo::cli
