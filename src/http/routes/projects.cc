// Projects: start, read, roles wanted, backing; joining by consent (apply, invite,
// accept, decline, withdraw, leave) and the inbox of what waits for an answer; tasks
// and their claims.
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

Result<Reply> MembershipAct(Lab& lab, const Ctx& c, qiusuo::MembershipAct act) {
  const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
  auto body = QS_TRY(Body::Parse(c.req.body, {"message"}));
  const std::string message = QS_TRY(body.String("message", false));
  auto m = QS_TRY(
      lab.ActOnMembership(c.caller, pid, act, c.params.size() > 1 ? c.params[1] : "", message));
  return Reply{200, ToJson(m)};
}

Result<Reply> TaskAct(Lab& lab, const Ctx& c, qiusuo::TaskAct act) {
  QS_TRY(Body::Parse(c.req.body, {}));
  auto t = QS_TRY(lab.ActOnTask(c.caller, TaskId(QS_TRY(IdParam(c.params[0], "task"))), act));
  return Reply{200, ToJson(t)};
}

Result<Reply> Backing(Lab& lab, const Ctx& c, bool back) {
  QS_TRY(Body::Parse(c.req.body, {}));
  auto v =
      QS_TRY(lab.BackProject(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))), back));
  return Reply{200, ToJson(v)};
}

}  // namespace

std::vector<Route> ProjectRoutes() {
  return {
      {"GET", "/api/v1/projects", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto listing = QS_TRY(lab.ListProjects(c.caller, QS_TRY(PageParams(c.req))));
         return Reply{200, ListJson(listing)};
       }},
      {"POST", "/api/v1/projects", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch", "idea_id", "looking_for"}));
         StartProjectRequest req;
         req.title = QS_TRY(body.String("title", false));
         req.pitch = QS_TRY(body.String("pitch", false));
         if (auto idea =
                 QS_TRY(body.OptInt("idea_id", 1, std::numeric_limits<std::int64_t>::max())))
           req.idea = IdeaId(*idea);
         else if (req.title.empty())
           return InvalidArgument("title",
                                  "title is required (or start from an idea with idea_id)");
         req.looking_for = QS_TRY(body.Strings("looking_for"));
         return Reply{201, ToJson(QS_TRY(lab.StartProject(c.caller, std::move(req))))};
       }},
      {"GET", "/api/v1/projects/{id}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         return Reply{200, ToJson(QS_TRY(lab.GetProject(
                               c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))))))};
       }},
      {"PATCH", "/api/v1/projects/{id}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"looking_for"}));
         const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
         return Reply{
             200,
             ToJson(QS_TRY(lab.SetLookingFor(c.caller, pid, QS_TRY(body.Strings("looking_for")))))};
       }},
      {"PUT", "/api/v1/projects/{id}/backing", true,
       [](Lab& lab, const Ctx& c) { return Backing(lab, c, true); }},
      {"DELETE", "/api/v1/projects/{id}/backing", true,
       [](Lab& lab, const Ctx& c) { return Backing(lab, c, false); }},
      {"POST", "/api/v1/projects/{id}/apply", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kApply); }},
      {"POST", "/api/v1/projects/{id}/leave", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kLeave); }},
      {"POST", "/api/v1/projects/{id}/invitations/{handle}", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kInvite); }},
      {"POST", "/api/v1/projects/{id}/memberships/{handle}/accept", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kAccept); }},
      {"POST", "/api/v1/projects/{id}/memberships/{handle}/decline", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kDecline); }},
      {"POST", "/api/v1/projects/{id}/memberships/{handle}/withdraw", true,
       [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kWithdraw); }},
      {"GET", "/api/v1/me/inbox", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         return Reply{200, ToJson(QS_TRY(lab.GetInbox(c.caller)))};
       }},
      {"GET", "/api/v1/projects/{id}/tasks", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         // Oldest first: the cursor is the last task of the page before.
         const Page page = QS_TRY(PageParams(c.req));
         const auto tasks =
             QS_TRY(lab.ListTasksPage(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))),
                                      {page.limit, page.before}));
         return Reply{200, ListJson(tasks)};
       }},
      {"POST", "/api/v1/projects/{id}/tasks", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"title", "description"}));
         const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
         auto t = QS_TRY(lab.AddTask(c.caller, pid, QS_TRY(body.String("title", true)),
                                     QS_TRY(body.String("description", false))));
         return Reply{201, ToJson(t)};
       }},
      {"POST", "/api/v1/tasks/{id}/claim", true,
       [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kClaim); }},
      {"POST", "/api/v1/tasks/{id}/unclaim", true,
       [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kUnclaim); }},
      {"POST", "/api/v1/tasks/{id}/done", true,
       [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kDone); }},
  };
}

}  // namespace qiusuo::http
