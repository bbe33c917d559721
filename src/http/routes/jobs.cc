// Compute: submit, list, read, cancel and annotate jobs, their output, the queue,
// the cluster and its utilization, and boosts.
#include <charconv>

#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {

std::vector<Route> JobRoutes() {
  return {
      {"POST", "/api/v1/jobs", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         auto body = QS_TRY(Body::Parse(
             c.req.body, {"project_id", "name", "gpus", "time_limit_s", "workdir", "env", "argv"}));
         SubmitRequest req;
         auto project = QS_TRY(body.OptInt("project_id", 1, Body::kMaxCount));
         if (!project) return InvalidArgument("project_id", "project_id is required");
         req.project = ProjectId(*project);
         req.name = QS_TRY(body.String("name", false));
         auto gpus = QS_TRY(body.OptInt("gpus", 0, 1'000'000));
         if (!gpus) return InvalidArgument("gpus", "gpus is required");
         req.gpus = static_cast<int>(*gpus);
         req.time_limit_s = QS_TRY(body.OptInt("time_limit_s", 1, Body::kMaxUnixSeconds));
         req.workdir = QS_TRY(body.String("workdir", true));
         req.argv = QS_TRY(body.Strings("argv"));
         req.env = QS_TRY(body.StringMap("env"));
         return Reply{201, ToJson(QS_TRY(compute->Submit(c.caller, std::move(req))))};
       }},
      {"GET", "/api/v1/jobs", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         std::optional<ProjectId> project;
         if (auto it = c.req.query.find("project");
             it != c.req.query.end() && !it->second.empty()) {
           project = ProjectId(QS_TRY(IdParam(it->second, "project")));
         }
         auto listing = QS_TRY(compute->ListJobs(c.caller, project, QS_TRY(PageParams(c.req))));
         return Reply{200, ListJson(listing)};
       }},
      {"GET", "/api/v1/jobs/{id}", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         const JobId id(QS_TRY(IdParam(c.params[0], "job")));
         const Job job = QS_TRY(compute->GetJob(c.caller, id));
         const auto notes = QS_TRY(compute->Notes(c.caller, id));
         JsonWriter w;
         w.BeginObject();
         WriteJobFields(w, job);
         w.Key("notes").BeginArray();
         for (const auto& n : notes) {
           w.BeginObject()
               .Field("author", n.author_handle)
               .Field("outcome", JobOutcomeName(n.outcome))
               .Field("text", n.text)
               .Field("created_at", Time(n.created_at))
               .EndObject();
         }
         w.EndArray().EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/jobs/{id}/cancel", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         QS_TRY(Body::Parse(c.req.body, {}));
         return Reply{
             200,
             ToJson(QS_TRY(compute->Cancel(c.caller, JobId(QS_TRY(IdParam(c.params[0], "job"))))))};
       }},
      {"GET", "/api/v1/jobs/{id}/logs", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         const JobId id(QS_TRY(IdParam(c.params[0], "job")));
         bool err = false;
         if (auto it = c.req.query.find("stream"); it != c.req.query.end()) {
           if (it->second != "stdout" && it->second != "stderr") {
             return InvalidArgument("stream", "stream is stdout or stderr");
           }
           err = it->second == "stderr";
         }
         std::int64_t offset = 0;
         if (auto it = c.req.query.find("offset"); it != c.req.query.end() && !it->second.empty()) {
           const auto [ptr, ec] =
               std::from_chars(it->second.data(), it->second.data() + it->second.size(), offset);
           if (ec != std::errc() || ptr != it->second.data() + it->second.size() || offset < 0)
             return InvalidArgument("offset", "offset is a byte offset, 0 or more");
         }
         const LogChunk chunk = QS_TRY(compute->ReadLog(c.caller, id, err, offset, 1 << 20));
         JsonWriter w;
         w.BeginObject()
             .Field("data", ValidUtf8(chunk.data))
             .Field("next_offset", chunk.next_offset)
             .Field("done", chunk.done)
             .EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/jobs/{id}/notes", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         auto body = QS_TRY(Body::Parse(c.req.body, {"outcome", "text"}));
         const JobId id(QS_TRY(IdParam(c.params[0], "job")));
         const auto outcome = ParseJobOutcome(QS_TRY(body.String("outcome", true)));
         if (!outcome) return InvalidArgument("outcome", "outcome is success, failure or negative");
         QS_TRY_STATUS(compute->AddNote(c.caller, id, *outcome, QS_TRY(body.String("text", true))));
         JsonWriter w;
         w.BeginObject().Field("job_id", id.value).Field("recorded", true).EndObject();
         return Reply{201, w.Take()};
       }},
      {"GET", "/api/v1/queue", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         // Oldest first, as the line forms: the cursor is the last job of the page before.
         const Page page = QS_TRY(PageParams(c.req));
         const auto listing = QS_TRY(compute->QueuePage(c.caller, {page.limit, page.before}));
         const auto& queue = listing.items;
         const auto next = listing.next_before;
         return Reply{200, ListJson(queue, next, [](JsonWriter& w, const QueueEntry& e) {
                        w.BeginObject();
                        WriteJobFields(w, e.job);
                        w.Field("waiting_reason", e.reason).EndObject();
                      })};
       }},
      {"GET", "/api/v1/cluster/utilization", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         auto number = [&](const char* key, int fallback) -> Result<int> {
           auto it = c.req.query.find(key);
           if (it == c.req.query.end() || it->second.empty()) return fallback;
           int n = 0;
           const auto [ptr, ec] =
               std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
           if (ec != std::errc() || ptr != it->second.data() + it->second.size())
             return InvalidArgument(key, std::string(key) + " is a whole number");
           return n;
         };
         const int hours = QS_TRY(number("hours", 24));
         const UtilizationView v =
             QS_TRY(compute->Utilization(c.caller, hours, QS_TRY(number("buckets", 24))));
         auto optional = [](JsonWriter& w, const std::optional<double>& x) {
           if (x)
             w.Double(*x);
           else
             w.Null();
         };
         JsonWriter w;
         w.BeginObject().Field("bucket_s", v.bucket_s).Key("buckets").BeginArray();
         for (const auto& b : v.buckets) optional(w, b);
         w.EndArray().Field("from", Time(v.from)).Key("mean");
         optional(w, v.mean);
         w.Field("to", Time(v.to)).EndObject();
         return Reply{200, w.Take()};
       }},
      {"GET", "/api/v1/cluster", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         const ClusterView view = QS_TRY(compute->Cluster(c.caller));
         JsonWriter w;
         w.BeginObject().Key("gpus").BeginArray();
         for (int g : view.gpus) {
           w.BeginObject().Field("index", static_cast<std::int64_t>(g)).Key("job");
           if (auto it = view.gpu_jobs.find(g); it != view.gpu_jobs.end()) {
             w.BeginObject()
                 .Field("id", it->second.id.value)
                 .Field("project_id", it->second.project.value)
                 .Field("owner", it->second.owner_handle)
                 .Field("name", it->second.name)
                 .EndObject();
           } else {
             w.Null();
           }
           w.EndObject();
         }
         w.EndArray()
             .Field("pending", static_cast<std::int64_t>(view.pending))
             .Key("projects")
             .BeginArray();
         for (const auto& p : view.projects) {
           w.BeginObject()
               .Field("id", p.project)
               .Field("title", p.title)
               .Key("weight")
               .Double(p.share.weight)
               .Key("entitlement")
               .Double(p.share.entitlement)
               .Key("demand")
               .Double(p.share.demand)
               .Field("allocated", static_cast<std::int64_t>(p.share.allocated))
               .Key("decayed_gpu_hours")
               .Double(p.share.usage / 3600.0)
               .Key("boosts")
               .BeginArray();
           for (const auto& b : p.boosts) Write(w, b);
           w.EndArray().EndObject();
         }
         w.EndArray().Key("nodes").BeginArray();
         for (const auto& node : view.nodes) {
           w.BeginObject().Field("name", node.name).Key("gpus").BeginArray();
           for (int g : node.gpus) w.Int(g);
           w.EndArray()
               .Field("schedulable", node.schedulable)
               .Field("state", node.state)
               .Field("reason", node.reason)
               .EndObject();
         }
         w.EndArray().EndObject();
         return Reply{200, w.Take()};
       }},
      {"POST", "/api/v1/projects/{id}/boosts", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         auto body = QS_TRY(Body::Parse(c.req.body, {"factor", "expires_at", "reason"}));
         const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
         const auto factor = QS_TRY(body.Number("factor", 0, 1e6));
         const auto until = QS_TRY(body.OptInt("expires_at", 0, Body::kMaxUnixSeconds));
         if (!until) return InvalidArgument("expires_at", "expires_at (Unix seconds) is required");
         auto boost = QS_TRY(
             compute->Boost(c.caller, pid, factor, *until, QS_TRY(body.String("reason", true))));
         return Reply{201, ToJson(boost)};
       }},
      {"GET", "/api/v1/boosts", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         const auto boosts = QS_TRY(compute->Boosts(c.caller));
         return Reply{200, ListJson(boosts, std::nullopt,
                                    [](JsonWriter& w, const ProjectBoost& b) { Write(w, b); })};
       }},
  };
}

}  // namespace qiusuo::http
