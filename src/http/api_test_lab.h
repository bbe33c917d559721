#pragma once
// For the API tests that need the whole lab: the test store (SQLite or PostgreSQL, as
// store/postgres/test_store.h picks), a fake clock, compute over a fake executor (no
// processes, no sleeps: a run is running until the test ends it), the ledger, and
// the API behind a real server on a loopback port the OS picks.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "common/temp_dir.h"
#include "crypto/crypto.h"
#include "exec/executor.h"
#include "exec/fake/fake_executor.h"
#include "http/api.h"
#include "http/client.h"
#include "http/server.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"
#include "store/postgres/test_store.h"

namespace qiusuo::http::api_test {

inline constexpr const char* kPassword = "correct horse battery";

struct Reply {
  int status = 0;
  nlohmann::json body;  // the parsed body, or the text when it is not JSON
  std::string text;
};

// The API behind a real server on a loopback port the OS picks, over the test store
// (SQLite or PostgreSQL, as store/postgres/test_store.h picks) and a fake clock, with
// the steward, Ada and Bob signed in. Which services the API has is up to MakeApi.
class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Init());
    auto store = qiusuo::test_support::OpenTestStore(dir_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    LabConfig config;
    config.password_cost = crypto::MinimumCost();
    Configure(config);
    lab_ = std::make_unique<Lab>(*store_, clock_, config);
    ASSERT_TRUE(lab_->Init("steward", kPassword, {}));
    api_ = MakeApi();
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 64 << 10;
    auto server = StartServer(options, [this](const Request& r) { return api_->Handle(r); });
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    steward_ = Login("steward");
    ada_ = SignUpAndLogin("ada");
    bob_ = SignUpAndLogin("bob");
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (api_) api_->StopWorkPool();  // before the server's connections go
  }

  // A test's own settings of the lab, before it is made.
  virtual void Configure(LabConfig&) {}

  // The lab alone: no executor (job routes answer 503) and no ledger.
  virtual std::unique_ptr<Api> MakeApi() { return std::make_unique<Api>(*lab_); }

  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& token = "") {
    auto r = http::Call(base_, method, target, body, token);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return {};
    Reply out{r->status, nlohmann::json::parse(r->body, nullptr, false), r->body};
    if (out.body.is_discarded()) out.body = r->body;
    return out;
  }
  Reply CallJ(const std::string& method, const std::string& target, const nlohmann::json& body,
              const std::string& token = "") {
    return Call(method, target, body.dump(), token);
  }

  std::string Login(const std::string& handle) {
    auto session = CallJ("POST", "/api/v1/sessions",
                         nlohmann::json{{"handle", handle}, {"password", kPassword}});
    EXPECT_EQ(session.status, 201) << session.text;
    return session.body.is_object() ? session.body.value("token", "") : "";
  }
  std::string SignUpAndLogin(const std::string& handle) {
    auto created =
        CallJ("POST", "/api/v1/members",
              nlohmann::json{{"handle", handle}, {"password", kPassword}, {"name", handle + " X"}});
    EXPECT_EQ(created.status, 201) << created.text;
    return Login(handle);
  }

  // A request as the server would hand it to the API, for streams read in-process.
  Request Get(const std::string& path, std::map<std::string, std::string> query,
              const std::string& token) const {
    Request r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(query);
    r.authorization = "Bearer " + token;
    return r;
  }

  TempDir dir_;
  FakeClock clock_{1'790'000'000};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::string base_, steward_, ada_, bob_;
};

// The whole lab: compute over a fake executor (no processes, no sleeps: a run is
// running until the test ends it) and the record's services.
class FullLabTest : public ApiServerTest {
 protected:
  std::unique_ptr<Api> MakeApi() override {
    std::filesystem::create_directories(dir_.path() / "logs");
    executor_ = MakeExecutor((dir_.path() / "logs").string());
    ComputeConfig compute_config;
    compute_config.grace_s = 1;
    compute_ = std::make_unique<Compute>(*store_, clock_, *executor_, compute_config);
    record_ = std::make_unique<Record>(*store_, clock_, crypto::NewSigningKey());
    rewards_ = std::make_unique<Rewards>(*store_, clock_);
    identities_ = std::make_unique<Identities>(
        *store_, clock_,
        [this](const std::string&, const std::string&, const std::string& text) -> Status {
          // As server/mailer.cc reports a mail_command that failed, hung or exited early.
          if (mail_fails_)
            return Fail(ErrorCode::kUnavailable,
                        "the lab's mail_command failed (exit status 1); tell the operator");
          // "... qiusuo identity confirm EMAIL CODE\n": the code is the last word of its line.
          const auto line = text.find("identity confirm ");
          const auto end = text.find('\n', line);
          const auto space = text.rfind(' ', end);
          mailed_code_ = text.substr(space + 1, end - space - 1);
          return {};
        });
    return std::make_unique<Api>(*lab_, compute_.get(), record_.get(), identities_.get(),
                                 rewards_.get());
  }

  // The cluster: one node, "fake", of 4 GPUs unless a test says otherwise.
  virtual std::unique_ptr<FakeExecutor> MakeExecutor(const std::string& logs_dir) {
    return std::make_unique<FakeExecutor>(4, logs_dir);
  }

  std::unique_ptr<FakeExecutor> executor_;
  std::unique_ptr<Compute> compute_;
  std::unique_ptr<Record> record_;
  std::unique_ptr<Identities> identities_;
  std::unique_ptr<Rewards> rewards_;
  std::string mailed_code_;  // the code of the last identity claim
  bool mail_fails_ = false;  // the mailer fails as a broken mail_command does
};

}  // namespace qiusuo::http::api_test
