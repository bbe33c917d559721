#pragma once
// For the record's service tests (record, identities, rewards): a test lab with three
// members, the record services over it, and a project built the way people build one.

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "ledger/ledger.h"
#include "service/identities.h"
#include "service/record.h"
#include "service/rewards.h"
#include "service/test_lab.h"

namespace qiusuo::test_support {

inline constexpr UnixSeconds kRecordStart = 1'790'000'000;

class RecordFixture : public ::testing::Test {
 protected:
  // A test's own settings of the lab, before it is made.
  virtual void Configure(LabConfig&) {}
  void SetUp() override {
    auto lab = OpenTestLab(dir_, clock_, [this](LabConfig& config) { Configure(config); });
    ASSERT_TRUE(lab) << lab.error().message;
    store_ = std::move(lab->store);
    lab_ = std::move(lab->lab);
    steward_ = lab->steward;
    ada_ = Join("ada");
    bob_ = Join("bob");
    eve_ = Join("eve");
    record_ = std::make_unique<Record>(*store_, clock_, crypto::NewSigningKey());
    identities_ = std::make_unique<Identities>(*store_, clock_);
    rewards_ = std::make_unique<Rewards>(*store_, clock_);
  }

  Caller Join(const std::string& handle) { return JoinLab(*lab_, handle, handle + " Name"); }

  std::vector<Contribution> All() {
    auto e = record_->Entries(ada_, {0, 1000, "", std::nullopt, ""});
    EXPECT_TRUE(e) << e.error().message;
    return e ? *e : std::vector<Contribution>{};
  }

  std::string Export() {
    std::string out;
    EXPECT_TRUE(record_->Export([&](std::string_view line) {
      out += line;
      out += '\n';
    }));
    return out;
  }

  ledger::VerifyReport Verify(const std::string& text) {
    std::istringstream in(text);
    return ledger::VerifyExport(in, record_->public_key());
  }

  // Ada starts a project; bob applies and ada accepts; bob claims and does a task.
  ProjectId BuildAProject() {
    const ProjectId p =
        lab_->StartProject(ada_, {"Sparse attention", "", std::nullopt, {}})->project.id;
    EXPECT_TRUE(lab_->ActOnMembership(bob_, p, MembershipAct::kApply, "", "I write kernels"));
    EXPECT_TRUE(lab_->ActOnMembership(ada_, p, MembershipAct::kAccept, "bob", ""));
    const TaskId t = lab_->AddTask(ada_, p, "Write the kernel", "")->id;
    EXPECT_TRUE(lab_->ActOnTask(bob_, t, TaskAct::kClaim));
    EXPECT_TRUE(lab_->ActOnTask(bob_, t, TaskAct::kDone));
    return p;
  }

  static void ExpectCode(const auto& result, ErrorCode code) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }

  // The error's code and the field it names.
  static void ExpectField(const auto& result, ErrorCode code, const std::string& field) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
    EXPECT_EQ(result.error().field, field) << result.error().message;
  }

  TempDir dir_;
  FakeClock clock_{kRecordStart};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Record> record_;
  std::unique_ptr<Identities> identities_;
  std::unique_ptr<Rewards> rewards_;
  Caller steward_, ada_, bob_, eve_;
};

}  // namespace qiusuo::test_support
