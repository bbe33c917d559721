// The live stream (server-sent events) of the cluster and of one job.
#include <charconv>

#include "http/api.h"
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

// GET /api/v1/events: the cluster as GET /api/v1/cluster shows it, sent again when it
// changes; with ?job=ID also that job (as GET /api/v1/jobs/ID) and its output as it
// grows. Each tick asks the API as the caller would, so a revoked session ends it.
//
// Every event's id is the byte offset in the job's stdout up to which this stream has
// sent it (0 without a job). A browser that reconnects sends the last id it saw as
// Last-Event-ID, and the output resumes there instead of from the start; the
// cluster and the job, being snapshots, are sent again whole.
class LabEvents final : public EventStream {
 public:
  LabEvents(Api& api, const Request& req, std::optional<std::int64_t> job, std::int64_t log_offset)
      : api_(api), job_(job), log_offset_(log_offset) {
    base_.method = "GET";
    base_.authorization = req.authorization;
    base_.cookie = req.cookie;
    base_.remote = req.remote;
  }

  Chunk Next() override {
    Chunk out;
    if (!Emit("cluster", "/api/v1/cluster", last_cluster_, out)) return out;
    if (job_) {
      const std::string path = "/api/v1/jobs/" + std::to_string(*job_);
      if (!Emit("job", path, last_job_, out)) return out;
      while (true) {  // output as it grows, up to 1 MiB a request
        Request r = base_;
        r.path = path + "/logs";
        r.query = {{"offset", std::to_string(log_offset_)}};
        const Response got = api_.Handle(r);
        if (got.status != 200) break;
        const auto chunk = Body::Parse(got.body, {"data", "next_offset", "done"});
        if (!chunk) break;
        const auto text = chunk->String("data", false);
        const auto next = chunk->OptInt("next_offset");
        if (!text || text->empty()) break;
        JsonWriter event;
        event.BeginObject().Field("text", *text).EndObject();
        const std::optional<std::int64_t> offset = next ? *next : std::nullopt;
        if (offset) log_offset_ = *offset;
        Append("log", event.Take(), out);
      }
    }
    return out;
  }

 private:
  // Appends an event when `path` reads differently from last time; false (and the
  // stream done) when the caller may no longer read it.
  bool Emit(const char* event, const std::string& path, std::string& last, Chunk& out) {
    Request r = base_;
    r.path = path;
    Response got = api_.Handle(r);
    if (got.status == 401 || got.status == 403) {
      Append("end", got.body, out);
      out.done = true;
      return false;
    }
    if (got.body != last) {
      Append(event, got.body, out);
      last = std::move(got.body);
    }
    return true;
  }

  void Append(std::string_view event, std::string_view data, Chunk& out) const {
    out.data.append("event: ").append(event);
    out.data.append("\nid: ").append(std::to_string(log_offset_));
    out.data.append("\ndata: ").append(data).append("\n\n");
  }

  Api& api_;
  std::optional<std::int64_t> job_;
  Request base_;
  std::string last_cluster_;
  std::string last_job_;
  std::int64_t log_offset_;  // stdout sent so far
};

// The offset a reconnecting client has (Last-Event-ID); 0 when it sends none or one
// this server did not give out.
std::int64_t ResumeOffset(const std::string& last_event_id) {
  std::int64_t offset = 0;
  const char* end = last_event_id.data() + last_event_id.size();
  const auto [ptr, ec] = std::from_chars(last_event_id.data(), end, offset);
  return ec == std::errc() && ptr == end && offset > 0 ? offset : 0;
}

}  // namespace

std::vector<Route> EventRoutes() {
  return {
      {"GET", "/api/v1/events", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Compute* compute = QS_TRY(NeedCompute(c));
         std::optional<std::int64_t> job;
         if (auto it = c.req.query.find("job"); it != c.req.query.end() && !it->second.empty()) {
           job = QS_TRY(IdParam(it->second, "job"));
           // A job that does not exist (or that the caller may not see) is a plain 404
           // or 403 before the stream opens, never an error sent as if it were the job.
           QS_TRY(compute->GetJob(c.caller, JobId(*job)));
         }
         Reply reply{200, "", "text/event-stream"};
         reply.stream = std::make_shared<LabEvents>(*c.api, c.req, job,
                                                    job ? ResumeOffset(c.req.last_event_id) : 0);
         return reply;
       }},
  };
}

}  // namespace qiusuo::http
