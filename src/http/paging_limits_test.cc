// The API under a member who asks too much: each per-member limit answers its status
// (413 a size, 422 a count, 429 a rate) naming the limit, its value and its config
// key; and every list that can grow pages by cursor, each item seen once while more
// arrive.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "http/api_test_lab.h"

namespace qiusuo::http {
namespace {

using json = nlohmann::json;
using api_test::Reply;

// The whole lab with small limits, so that a test reaches each one in a few requests.
class ApiLimitsTest : public api_test::FullLabTest {
 protected:
  static MemberLimits Small() {
    MemberLimits limits;
    limits.pending_jobs = 2;
    limits.job_spec_bytes = 2048;
    limits.text_bytes = 1000;
    limits.ideas_per_hour = 2;
    limits.projects_per_hour = 1;
    limits.entries_per_hour = 2;
    return limits;
  }

  std::unique_ptr<Api> MakeApi() override {
    LabConfig config;
    config.password_cost = crypto::MinimumCost();
    config.limits = Small();
    lab_ = std::make_unique<Lab>(*store_, clock_, config);
    (void)FullLabTest::MakeApi();  // the executor and the record's services
    ComputeConfig compute_config;
    compute_config.grace_s = 1;
    compute_config.limits = Small();
    compute_ = std::make_unique<Compute>(*store_, clock_, *executor_, compute_config);
    return std::make_unique<Api>(*lab_, compute_.get(), record_.get(), identities_.get(),
                                 rewards_.get());
  }

  static void ExpectLimit(const Reply& r, int status, const std::string& key,
                          const std::string& value) {
    EXPECT_EQ(r.status, status) << r.text;
    const std::string message = r.body["error"]["message"];
    EXPECT_NE(message.find(key), std::string::npos) << message;
    EXPECT_NE(message.find(value), std::string::npos) << message;
  }
};

TEST_F(ApiLimitsTest, EachLimitAnswersItsStatusNamingTheLimitItsValueAndItsKey) {
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(CallJ("POST", "/api/v1/ideas", {{"title", "idea"}, {"pitch", ""}}, ada_).status, 201);
  }
  ExpectLimit(CallJ("POST", "/api/v1/ideas", {{"title", "idea"}, {"pitch", ""}}, ada_), 429,
              "limit_ideas_per_hour", "limit is 2 an hour");
  const Reply long_pitch =
      CallJ("POST", "/api/v1/ideas", {{"title", "idea"}, {"pitch", std::string(1001, 'x')}}, bob_);
  ExpectLimit(long_pitch, 413, "limit_text_bytes", "limit is 1000 bytes");
  EXPECT_EQ(long_pitch.body["error"]["field"], "pitch");

  const Reply project = CallJ("POST", "/api/v1/projects", {{"title", "p"}, {"pitch", ""}}, ada_);
  ASSERT_EQ(project.status, 201) << project.text;
  const std::int64_t pid = project.body.contains("project")
                               ? project.body["project"]["id"].get<std::int64_t>()
                               : project.body["id"].get<std::int64_t>();
  ExpectLimit(CallJ("POST", "/api/v1/projects", {{"title", "q"}, {"pitch", ""}}, ada_), 429,
              "limit_projects_per_hour", "limit is 1 an hour");

  // Rule 3: the whole cluster is fine to ask for; how many jobs wait is what is limited.
  const json job = {{"project_id", pid}, {"gpus", 4}, {"workdir", "/tmp"}, {"argv", {"train"}}};
  for (int i = 0; i < 2; ++i) EXPECT_EQ(CallJ("POST", "/api/v1/jobs", job, ada_).status, 201);
  ExpectLimit(CallJ("POST", "/api/v1/jobs", job, ada_), 422, "limit_pending_jobs",
              "limit is 2 pending jobs");
  json big = job;
  big["argv"] = {"train", std::string(3000, 'a')};
  const Reply too_big = CallJ("POST", "/api/v1/jobs", big, ada_);
  ExpectLimit(too_big, 413, "limit_job_spec_bytes", "limit is 2048 bytes");
  EXPECT_EQ(too_big.body["error"]["field"], "argv");

  const json thanks = {{"contributor", "@ada"}, {"kind", "review"}, {"note", "a careful review"}};
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(CallJ("POST", "/api/v1/ledger/entries", thanks, bob_).status, 201);
  }
  ExpectLimit(CallJ("POST", "/api/v1/ledger/entries", thanks, bob_), 429, "limit_entries_per_hour",
              "limit is 2 an hour");

  // An hour on, each rate allows again.
  clock_.Advance(3600);
  EXPECT_EQ(CallJ("POST", "/api/v1/ideas", {{"title", "idea"}, {"pitch", ""}}, ada_).status, 201);
  EXPECT_EQ(CallJ("POST", "/api/v1/ledger/entries", thanks, bob_).status, 201);
}

class ApiPagingTest : public api_test::FullLabTest {
 protected:
  // Follows `path` page after page (`limit` a page), calling `between` after the first
  // page; returns the ids seen, in order.
  std::vector<std::int64_t> PageThrough(
      const std::string& path, int limit, const std::function<void()>& between = [] {}) {
    std::vector<std::int64_t> ids;
    std::string cursor;
    const char joiner = path.find('?') == std::string::npos ? '?' : '&';
    for (int page = 0; page < 1000; ++page) {
      const Reply r = Call("GET",
                           path + joiner + "limit=" + std::to_string(limit) +
                               (cursor.empty() ? "" : "&cursor=" + cursor),
                           "", ada_);
      EXPECT_EQ(r.status, 200) << path << ": " << r.text;
      if (r.status != 200) break;
      EXPECT_LE(r.body["items"].size(), static_cast<std::size_t>(limit));
      // Members are known by handle, every other item by id.
      for (const auto& item : r.body["items"]) {
        ids.push_back(item.contains("id") ? item["id"].get<std::int64_t>()
                                          : static_cast<std::int64_t>(std::hash<std::string>{}(
                                                item["handle"].get<std::string>())));
      }
      if (page == 0) between();
      if (r.body["next_cursor"].is_null()) break;
      cursor = r.body["next_cursor"].get<std::string>();
    }
    return ids;
  }

  static void ExpectEachOnce(const std::vector<std::int64_t>& ids, std::size_t at_least,
                             const std::string& what) {
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size())
        << what << ": an item seen twice";
    EXPECT_GE(ids.size(), at_least) << what;
  }
};

TEST_F(ApiPagingTest, EveryListThatCanGrowPagesByCursorSeeingEachItemOnce) {
  const Reply project = CallJ("POST", "/api/v1/projects", {{"title", "p"}, {"pitch", ""}}, ada_);
  ASSERT_EQ(project.status, 201) << project.text;
  const std::int64_t pid = project.body.contains("project")
                               ? project.body["project"]["id"].get<std::int64_t>()
                               : project.body["id"].get<std::int64_t>();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(CallJ("POST", "/api/v1/ideas", {{"title", "i"}, {"pitch", ""}}, ada_).status, 201);
    ASSERT_EQ(CallJ("POST", "/api/v1/projects", {{"title", "q"}, {"pitch", ""}}, bob_).status, 201);
    ASSERT_EQ(CallJ("POST", "/api/v1/projects/" + std::to_string(pid) + "/tasks",
                    {{"title", "t"}, {"description", ""}}, ada_)
                  .status,
              201);
    ASSERT_EQ(CallJ("POST", "/api/v1/jobs",
                    {{"project_id", pid}, {"gpus", 4}, {"workdir", "/tmp"}, {"argv", {"j"}}}, ada_)
                  .status,
              201);
    ASSERT_EQ(CallJ("POST", "/api/v1/tokens", {{"name", "t"}}, ada_).status, 201);
  }
  // Newest-first lists: what arrives after the first page is older than no one, so
  // it is not in this walk, and nothing shifts under the cursor.
  auto add_idea = [&] {
    ASSERT_EQ(CallJ("POST", "/api/v1/ideas", {{"title", "late"}, {"pitch", ""}}, bob_).status, 201);
  };
  ExpectEachOnce(PageThrough("/api/v1/ideas", 2, add_idea), 5, "ideas");
  ExpectEachOnce(PageThrough("/api/v1/projects", 2), 6, "projects");
  ExpectEachOnce(PageThrough("/api/v1/members", 1), 3, "members");
  ExpectEachOnce(PageThrough("/api/v1/jobs", 2), 5, "jobs");
  ExpectEachOnce(PageThrough("/api/v1/tokens", 2), 6, "tokens");
  // Oldest-first lists: what arrives meanwhile comes at the end, once.
  const std::string tasks = "/api/v1/projects/" + std::to_string(pid) + "/tasks";
  const auto task_ids = PageThrough(tasks, 2, [&] {
    ASSERT_EQ(CallJ("POST", tasks, {{"title", "late"}, {"description", ""}}, ada_).status, 201);
  });
  ExpectEachOnce(task_ids, 6, "tasks");
  EXPECT_TRUE(std::is_sorted(task_ids.begin(), task_ids.end()));
  const auto queue_ids = PageThrough("/api/v1/queue", 2, [&] {
    ASSERT_EQ(
        CallJ("POST", "/api/v1/jobs",
              {{"project_id", pid}, {"gpus", 1}, {"workdir", "/tmp"}, {"argv", {"late"}}}, ada_)
            .status,
        201);
  });
  ExpectEachOnce(queue_ids, 6, "queue");
  EXPECT_TRUE(std::is_sorted(queue_ids.begin(), queue_ids.end()));

  // The ledger pages by sequence number (after, next_after).
  std::vector<std::int64_t> seqs;
  for (std::int64_t after = 0;;) {
    const Reply r =
        Call("GET", "/api/v1/ledger/entries?limit=3&after=" + std::to_string(after), "", ada_);
    ASSERT_EQ(r.status, 200) << r.text;
    for (const auto& e : r.body["items"]) seqs.push_back(e["seq"].get<std::int64_t>());
    if (r.body["next_after"].is_null()) break;
    after = r.body["next_after"].get<std::int64_t>();
  }
  ExpectEachOnce(seqs, 11, "ledger entries");

  // A page is 1 to 200 items; anything else is refused by name.
  const Reply too_many = Call("GET", "/api/v1/queue?limit=201", "", ada_);
  EXPECT_EQ(too_many.status, 422);
  EXPECT_EQ(too_many.body["error"]["field"], "limit");
  const Reply bad_cursor = Call("GET", tasks + "?cursor=x", "", ada_);
  EXPECT_EQ(bad_cursor.status, 422);
  EXPECT_EQ(bad_cursor.body["error"]["field"], "cursor");
}

}  // namespace
}  // namespace qiusuo::http
