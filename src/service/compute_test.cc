// Jobs for real: the local executor's supervisor runs real processes on 8 virtual
// GPU slots, the store is a real SQLite file, the clock is the system's.
#include "service/compute.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "exec/local/local_executor.h"
#include "service/test_lab.h"
#include "store/postgres/test_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {
namespace {

constexpr const char* kPassword = test_support::kLabPassword;

class ComputeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lab = test_support::OpenTestLab(dir_, clock_);
    ASSERT_TRUE(lab) << lab.error().message;
    store_ = std::move(lab->store);
    lab_ = std::move(lab->lab);
    steward_ = lab->steward;
    ada_ = Join("ada");
    bob_ = Join("bob");
    p1_ = lab_->StartProject(ada_, {"Sparse attention", "", std::nullopt, {}})->project.id;
    p2_ = lab_->StartProject(bob_, {"Pure RL", "", std::nullopt, {}})->project.id;
    executor_ = std::move(*MakeLocalExecutor({dir_.File("jobs"), QIUSUO_SHIM, 8, false}, clock_));
    compute_ = MakeCompute();
  }

  std::unique_ptr<Compute> MakeCompute() {
    ComputeConfig config;
    config.policy.min_runtime = 1;
    config.policy.starvation_wait = 2;
    config.grace_s = 1;
    return std::make_unique<Compute>(*store_, clock_, *executor_, config);
  }

  Caller Join(const std::string& handle) { return test_support::JoinLab(*lab_, handle); }

  SubmitRequest Req(ProjectId project, int gpus, std::string command) {
    SubmitRequest r;
    r.project = project;
    r.gpus = gpus;
    r.workdir = dir_.path().string();
    r.argv = {"sh", "-c", std::move(command)};
    return r;
  }

  // Ticks until the job reaches `state` (or fails the test after `seconds`).
  Job WaitFor(JobId id, JobState state, int seconds = 20) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    Job job;
    while (std::chrono::steady_clock::now() < deadline) {
      EXPECT_TRUE(compute_->Tick());
      job = *compute_->GetJob(ada_, id);
      if (job.state == state) return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id.value << " is " << JobStateName(job.state) << ", not "
                  << JobStateName(state) << " (" << job.reason << ")";
    return job;
  }

  std::string Log(JobId id) { return compute_->ReadLog(ada_, id, false, 0, 1 << 20)->data; }

  static void ExpectCode(const auto& result, ErrorCode code) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Compute> compute_;
  Caller steward_, ada_, bob_;
  ProjectId p1_, p2_;
};

TEST_F(ComputeTest, RunsAJobToItsExitCodeWithLogs) {
  auto job =
      compute_->Submit(ada_, Req(p1_, 2, "echo gpus=$CUDA_VISIBLE_DEVICES; echo oops >&2; exit 3"));
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->state, JobState::kPending);
  const Job done = WaitFor(job->id, JobState::kFailed);
  EXPECT_EQ(done.exit_code, 3);
  EXPECT_EQ(done.reason, "exited 3");
  EXPECT_EQ(Log(job->id), "gpus=0,1\n");
  EXPECT_EQ(compute_->ReadLog(ada_, job->id, true, 0, 100)->data, "oops\n");
  auto ok = compute_->Submit(ada_, Req(p1_, 1, "true"));
  EXPECT_EQ(WaitFor(ok->id, JobState::kSucceeded).exit_code, 0);
  // Rule 6: failed runs are on the record too, with their GPU-hours.
  ASSERT_TRUE(compute_->AddNote(ada_, job->id, "negative", "exit 3: the config was wrong"));
  const auto entries = Read(*store_, [&](Tx& tx) {
    return tx.ListLedger({0, 100, "", std::nullopt, "job:" + std::to_string(job->id.value)});
  });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, "investigation");
  EXPECT_EQ((*entries)[0].contributor, "@ada");
  EXPECT_NE((*entries)[0].entry.find(R"("unit":"gpu-hours")"), std::string::npos);
  EXPECT_NE((*entries)[0].entry.find("failed (exited 3)"), std::string::npos)
      << (*entries)[0].entry;
  EXPECT_EQ((*entries)[1].kind, "formal-analysis");
  EXPECT_NE((*entries)[1].entry.find("negative: exit 3"), std::string::npos);
}

// The scheduler samples busy GPUs once a minute; utilization averages the samples
// per bucket and leaves minutes without a sample (server down) empty.
TEST_F(ComputeTest, UtilizationComesFromOnceAMinuteSamples) {
  FakeClock clock(1'790'000'000 - 1'790'000'000 % 3600);  // on the hour
  ComputeConfig config;
  config.grace_s = 1;
  Compute compute(*store_, clock, *executor_, config);
  auto job = compute.Submit(ada_, Req(p1_, 4, "sleep 30"));
  ASSERT_TRUE(job) << job.error().message;
  ASSERT_TRUE(compute.Tick());  // starts it; minute 0: 4 of 8 busy
  clock.Advance(30);
  ASSERT_TRUE(compute.Tick());  // the same minute: no second sample
  clock.Advance(30);
  ASSERT_TRUE(compute.Tick());  // minute 1
  clock.Advance(120);           // minute 2 passes without a pass
  ASSERT_TRUE(compute.Cancel(ada_, job->id));
  for (int i = 0; i < 100 && compute.GetJob(ada_, job->id)->state == JobState::kRunning; ++i) {
    ASSERT_TRUE(compute.Tick());  // minute 3, then the same minute again
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(compute.GetJob(ada_, job->id)->state, JobState::kCancelled);
  const auto samples = Read(*store_, [](Tx& tx) { return tx.ListGpuSamples(0); });
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ((*samples)[0].busy, 4);
  EXPECT_EQ((*samples)[0].total, 8);
  EXPECT_EQ((*samples)[2].at - (*samples)[0].at, 180);

  clock.Advance(3600 - 240);  // an hour back from now starts a minute before the first sample
  auto u = compute.Utilization(ada_, 1, 6);  // 10-minute buckets
  ASSERT_TRUE(u) << u.error().message;
  ASSERT_EQ(u->buckets.size(), 6u);
  ASSERT_TRUE(u->buckets[0]);
  // Minutes 0 and 1 at 4/8; minute 3 saw the job cancelled or still stopping.
  EXPECT_GE(*u->buckets[0], 1.0 / 3);
  EXPECT_LE(*u->buckets[0], 0.5);
  for (std::size_t i = 1; i < 6; ++i) EXPECT_FALSE(u->buckets[i]) << i;
  ExpectCode(compute.Utilization(ada_, 0, 6), ErrorCode::kInvalidArgument);
  ExpectCode(compute.Utilization(ada_, 24, 0), ErrorCode::kInvalidArgument);
}

TEST_F(ComputeTest, RefusesBadSubmissionsClearly) {
  ExpectCode(compute_->Submit(ada_, Req(p1_, 0, "true")), ErrorCode::kInvalidArgument);
  auto too_big = compute_->Submit(ada_, Req(p1_, 9, "true"));
  ExpectCode(too_big, ErrorCode::kInvalidArgument);
  EXPECT_NE(too_big.error().message.find("cluster has 8"), std::string::npos);
  ExpectCode(compute_->Submit(ada_, Req(ProjectId(99), 1, "true")), ErrorCode::kNotFound);
  ExpectCode(compute_->Submit(bob_, Req(p1_, 1, "true")), ErrorCode::kPermissionDenied);
  auto relative = Req(p1_, 1, "true");
  relative.workdir = "relative/dir";
  ExpectCode(compute_->Submit(ada_, relative), ErrorCode::kInvalidArgument);
  auto bad_env = Req(p1_, 1, "true");
  bad_env.env = {{"1BAD", "x"}};
  ExpectCode(compute_->Submit(ada_, bad_env), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(compute_->Queue(ada_)->empty());
}

TEST_F(ComputeTest, AJobThatCannotStartFailsWithTheReasonAndFreesItsGpus) {
  auto req = Req(p1_, 8, "true");
  req.workdir = "/no/such/workdir";
  auto job = compute_->Submit(ada_, req);
  const Job failed = WaitFor(job->id, JobState::kFailed);
  EXPECT_NE(failed.reason.find("/no/such/workdir"), std::string::npos) << failed.reason;
  auto next = compute_->Submit(ada_, Req(p1_, 8, "true"));
  WaitFor(next->id, JobState::kSucceeded);
}

TEST_F(ComputeTest, OwnersOrStewardsCancel) {
  auto running = compute_->Submit(ada_, Req(p1_, 8, "sleep 30"));
  WaitFor(running->id, JobState::kRunning);
  auto waiting = compute_->Submit(ada_, Req(p1_, 8, "true"));
  ExpectCode(compute_->Cancel(bob_, waiting->id), ErrorCode::kPermissionDenied);
  auto cancelled = compute_->Cancel(ada_, waiting->id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  ASSERT_TRUE(compute_->Cancel(steward_, running->id));
  WaitFor(running->id, JobState::kCancelled);
  ExpectCode(compute_->Cancel(ada_, running->id), ErrorCode::kFailedPrecondition);
}

TEST_F(ComputeTest, TheTimeLimitStopsAJob) {
  auto req = Req(p1_, 1, "sleep 30");
  req.time_limit_s = 1;
  const Job done = WaitFor(compute_->Submit(ada_, req)->id, JobState::kFailed);
  EXPECT_EQ(done.reason, "stopped at its time limit");
}

// The borrower takes the whole idle cluster; another project's job arrives and, being
// within its share, preempts it after its minimum runtime; the borrower then resumes
// with QIUSUO_RESTART_COUNT=1 and its checkpoint directory kept.
TEST_F(ComputeTest, ABorrowerIsPreemptedAndResumes) {
  auto borrower =
      compute_->Submit(ada_, Req(p1_, 8,
                                 "echo restart=$QIUSUO_RESTART_COUNT; touch "
                                 "$QIUSUO_CHECKPOINT_DIR/r$QIUSUO_RESTART_COUNT; "
                                 "if [ $QIUSUO_RESTART_COUNT = 0 ]; then sleep 30; fi"));
  WaitFor(borrower->id, JobState::kRunning);
  auto queue = *compute_->Queue(ada_);
  ASSERT_EQ(queue.size(), 1u);
  auto arrival = compute_->Submit(bob_, Req(p2_, 4, "sleep 1"));
  const Job preempted = WaitFor(borrower->id, JobState::kPreempted);
  EXPECT_EQ(preempted.run, 1);
  WaitFor(arrival->id, JobState::kSucceeded);
  const Job resumed = WaitFor(borrower->id, JobState::kSucceeded);
  EXPECT_EQ(resumed.run, 1);
  EXPECT_EQ(Log(borrower->id), "restart=0\nrestart=1\n");
  EXPECT_TRUE(std::filesystem::exists(
      dir_.File("jobs/" + std::to_string(borrower->id.value) + "/checkpoint/r0")));
}

// A gang asking for the whole cluster is more than its project's share, so it cannot
// preempt as a within-share job does; but a borrower without a time limit would hold
// it back for ever. Next in line and waiting past starvation_wait, it preempts it.
TEST_F(ComputeTest, AWholeClusterGangIsNotStarvedByABorrowerWithoutTimeLimit) {
  auto borrower = compute_->Submit(ada_, Req(p1_, 8, "sleep 30"));
  WaitFor(borrower->id, JobState::kRunning);
  auto gang = compute_->Submit(bob_, Req(p2_, 8, "echo whole cluster"));
  const Job preempted = WaitFor(borrower->id, JobState::kPreempted);
  EXPECT_GE(preempted.queued_at, gang->submitted_at + 2) << "preempted before starvation_wait";
  EXPECT_GT(preempted.queued_at, preempted.submitted_at);
  WaitFor(gang->id, JobState::kSucceeded);
  EXPECT_EQ(Log(gang->id), "whole cluster\n");
  WaitFor(borrower->id, JobState::kRunning);
  ASSERT_TRUE(compute_->Cancel(ada_, borrower->id));
  WaitFor(borrower->id, JobState::kCancelled);
}

TEST_F(ComputeTest, WaitingJobsSayWhy) {
  auto big = compute_->Submit(ada_, Req(p1_, 8, "sleep 30"));
  WaitFor(big->id, JobState::kRunning);
  auto second = compute_->Submit(ada_, Req(p1_, 4, "true"));
  ASSERT_TRUE(compute_->Tick());
  auto queue = *compute_->Queue(ada_);
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_NE(queue[1].reason.find("4 GPUs"), std::string::npos) << queue[1].reason;
  ASSERT_TRUE(compute_->Cancel(ada_, big->id));
  WaitFor(big->id, JobState::kCancelled);
  WaitFor(second->id, JobState::kSucceeded);
}

TEST_F(ComputeTest, ARestartedServerReattachesAndStartsNothingTwice) {
  auto job = compute_->Submit(ada_, Req(p1_, 2, "sleep 1; echo finished"));
  WaitFor(job->id, JobState::kRunning);
  compute_.reset();  // the server goes away; the job keeps running
  compute_ = MakeCompute();
  EXPECT_EQ(compute_->GetJob(ada_, job->id)->state, JobState::kRunning);
  const Job done = WaitFor(job->id, JobState::kSucceeded);
  EXPECT_EQ(done.run, 0);
  EXPECT_EQ(Log(job->id), "finished\n");
  int runs = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(dir_.File("jobs/" + std::to_string(job->id.value)))) {
    runs += e.path().filename().string().starts_with("run-") ? 1 : 0;
  }
  EXPECT_EQ(runs, 1);
}

// A server killed after recording a start but before launching it left a job
// "running" with no run directory at all. The restarted server finds that nobody ever
// ran it and queues it again; it then runs exactly once.
TEST_F(ComputeTest, AStartCutShortByACrashRunsOnceAfterRestart) {
  auto job = compute_->Submit(ada_, Req(p1_, 1, "echo ran"));
  ASSERT_TRUE(job);
  Job cut = *job;
  cut.state = JobState::kRunning;
  cut.gpu_ids = {0};
  cut.started_at = cut.run_started_at = clock_.Now();
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) { return tx.UpdateJob(cut); }));
  compute_ = MakeCompute();
  const Job done = WaitFor(job->id, JobState::kSucceeded);
  EXPECT_EQ(done.run, 1);
  EXPECT_EQ(Log(job->id), "ran\n");
}

TEST_F(ComputeTest, TheClusterViewShowsBusyProjectsHoweverManyTheLabHas) {
  // p1_ is the oldest; 200 newer projects used to push it out of the view.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(lab_->StartProject(bob_, {"idle " + std::to_string(i), "", std::nullopt, {}}));
  }
  auto job = compute_->Submit(ada_, Req(p1_, 2, "sleep 30"));
  WaitFor(job->id, JobState::kRunning);
  const ClusterView view = *compute_->Cluster(bob_);
  ASSERT_EQ(view.projects.size(), 1u);
  EXPECT_EQ(view.projects[0].project, p1_.value);
  EXPECT_EQ(view.projects[0].title, "Sparse attention");
  EXPECT_EQ(view.projects[0].share.allocated, 2);
  EXPECT_EQ(view.gpu_jobs.size(), 2u);
  ASSERT_TRUE(compute_->Cancel(ada_, job->id));
  WaitFor(job->id, JobState::kCancelled);
}

TEST_F(ComputeTest, BoostsAreForStewardsWithAReasonAndExpire) {
  const UnixSeconds later = clock_.Now() + 3600;
  ExpectCode(compute_->Boost(ada_, p1_, 2, later, "because"), ErrorCode::kPermissionDenied);
  ExpectCode(compute_->Boost(steward_, p1_, 2, later, ""), ErrorCode::kInvalidArgument);
  ExpectCode(compute_->Boost(steward_, p1_, 2, clock_.Now() - 1, "past"),
             ErrorCode::kInvalidArgument);
  ASSERT_TRUE(compute_->Boost(steward_, p1_, 2, later, "strong early results"));
  auto boosts = *compute_->Boosts(bob_);
  ASSERT_EQ(boosts.size(), 1u);
  EXPECT_EQ(boosts[0].reason, "strong early results");
  EXPECT_EQ(boosts[0].granted_by_handle, "steward");
}

TEST_F(ComputeTest, NotesRecordOutcomesIncludingNegativeOnes) {
  auto job = compute_->Submit(ada_, Req(p1_, 1, "exit 1"));
  WaitFor(job->id, JobState::kFailed);
  ASSERT_TRUE(compute_->AddNote(ada_, job->id, "negative", "lr 1e-2 diverges at step 300"));
  ExpectCode(compute_->AddNote(bob_, job->id, "success", "not my job"),
             ErrorCode::kPermissionDenied);
  ExpectCode(compute_->AddNote(ada_, job->id, "meh", "x"), ErrorCode::kInvalidArgument);
  auto notes = *compute_->Notes(bob_, job->id);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].outcome, "negative");
}

}  // namespace
}  // namespace qiusuo
