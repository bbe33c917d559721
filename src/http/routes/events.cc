// The live stream (server-sent events) of the cluster and of one job.
#include <charconv>

#include "http/api.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

// The most output one event carries, and so the most of a log in memory at once for
// one stream: a long log goes out a piece at a time, each read from its offset once
// the previous one is written.
constexpr std::int64_t kLogPiece = 64 << 10;
// While a long log goes out, the cluster and the job are looked at again (and the
// caller's session with them) every this many pieces.
constexpr int kPiecesPerSnapshot = 16;

// How many bytes at the end of `data` are the start of a UTF-8 sequence that the
// next piece completes (0 when it ends on a whole character).
std::size_t IncompleteTail(std::string_view data) {
  for (std::size_t back = 1; back <= 3 && back <= data.size(); ++back) {
    const auto byte = static_cast<unsigned char>(data[data.size() - back]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

// GET /api/v1/events: the cluster as GET /api/v1/cluster shows it, sent again when it
// changes; with ?job=ID also that job (as GET /api/v1/jobs/ID) and its output as it
// grows, read from where the stream is, a bounded piece at a time. Each tick asks the
// API as the caller would, so a revoked session ends it.
//
// Every event's id is the byte offset in the job's stdout up to which this stream has
// sent it (0 without a job). A browser that reconnects sends the last id it saw as
// Last-Event-ID, and the output resumes there instead of from the start; the
// cluster and the job, being snapshots, are sent again whole.
class LabEvents final : public EventStream {
 public:
  LabEvents(Api& api, Compute& compute, const Ctx& c, std::optional<std::int64_t> job,
            std::int64_t log_offset)
      : api_(api), compute_(compute), caller_(c.caller), job_(job), log_offset_(log_offset) {
    base_.method = "GET";
    base_.authorization = c.req.authorization;
    base_.cookie = c.req.cookie;
    base_.remote = c.req.remote;
    base_.request_id = c.req.request_id;
  }

  // The snapshots when they changed, then at most kLogPiece of new output; `more`
  // when the log has more already, which the server asks for once this is sent.
  Chunk Next() override {
    Chunk out;
    if (!more_ || ++pieces_ >= kPiecesPerSnapshot) {
      pieces_ = 0;
      if (!Emit("cluster", "/api/v1/cluster", last_cluster_, out)) return out;
      if (job_ && !Emit("job", "/api/v1/jobs/" + std::to_string(*job_), last_job_, out)) return out;
    }
    more_ = false;
    if (!job_) return out;
    // As the caller: the job route above has just checked that they may read it.
    auto piece = compute_.ReadLog(caller_, JobId(*job_), false, log_offset_, kLogPiece);
    if (!piece || piece->data.empty()) return out;
    more_ = static_cast<std::int64_t>(piece->data.size()) == kLogPiece;
    std::string_view text = piece->data;
    // A character split between two pieces goes whole in the next one (unless the job
    // is over and nothing will complete it).
    if (const std::size_t tail = IncompleteTail(text); tail < text.size() && !piece->done)
      text.remove_suffix(tail);
    log_offset_ += static_cast<std::int64_t>(text.size());
    JsonWriter event;
    event.BeginObject().Field("text", ValidUtf8(text)).EndObject();
    Append("log", event.Take(), out);
    out.more = more_;
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
  Compute& compute_;
  const Caller caller_;
  std::optional<std::int64_t> job_;
  Request base_;
  std::string last_cluster_;
  std::string last_job_;
  std::int64_t log_offset_;  // stdout sent so far
  bool more_ = false;        // the last piece was full: the log had more
  int pieces_ = 0;           // pieces sent since the snapshots were last looked at
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
         reply.stream = std::make_shared<LabEvents>(*c.api, *compute, c, job,
                                                    job ? ResumeOffset(c.req.last_event_id) : 0);
         return reply;
       }},
  };
}

}  // namespace qiusuo::http
