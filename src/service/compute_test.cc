// The compute service on a fake clock and the fake executor: no process runs, nothing
// sleeps, and each test decides when a run ends and how. The store is the test store
// (SQLite, or PostgreSQL for the .postgres variants). compute_exec_test.cc runs the
// service on the real executors, local and Slurm.
#include "service/compute.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "exec/fake/fake_executor.h"
#include "service/test_lab.h"
#include "store/postgres/test_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {
namespace {

constexpr UnixSeconds kOnTheHour = 1'790'000'000 - 1'790'000'000 % 3600;

void ExpectCode(const auto& result, ErrorCode code) {
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, code) << result.error().message;
}

ComputeConfig TestConfig() {
  ComputeConfig config;
  config.policy.min_runtime = 1;
  config.policy.starvation_wait = 2;
  config.grace_s = 1;
  return config;
}

// A lab with two members, each the initiator of a project, and a compute service.
class ComputeLab : public ::testing::Test {
 protected:
  void OpenLab(const Clock& clock) {
    auto lab = test_support::OpenTestLab(dir_, clock);
    ASSERT_TRUE(lab) << lab.error().message;
    store_ = std::move(lab->store);
    lab_ = std::move(lab->lab);
    steward_ = lab->steward;
    ada_ = Join("ada");
    bob_ = Join("bob");
    p1_ = lab_->StartProject(ada_, {"Sparse attention", "", std::nullopt, {}})->project.id;
    p2_ = lab_->StartProject(bob_, {"Pure RL", "", std::nullopt, {}})->project.id;
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

  Job Get(JobId id) { return *compute_->GetJob(ada_, id); }
  std::string Log(JobId id, bool stderr_stream = false) {
    return compute_->ReadLog(ada_, id, stderr_stream, 0, 1 << 20)->data;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Compute> compute_;
  Caller steward_, ada_, bob_;
  ProjectId p1_, p2_;
};

class ComputeTest : public ComputeLab {
 protected:
  void SetUp() override {
    OpenLab(clock_);
    compute_ = MakeCompute();
  }
  // Before the executor it uses goes.
  void TearDown() override { compute_.reset(); }

  std::unique_ptr<Compute> MakeCompute() {
    return std::make_unique<Compute>(*store_, clock_, executor_, TestConfig());
  }

  // One scheduling pass.
  void Pass() { ASSERT_TRUE(compute_->Tick()); }

  Job Submit(const Caller& who, SubmitRequest req) {
    auto job = compute_->Submit(who, std::move(req));
    EXPECT_TRUE(job) << job.error().message;
    return job ? *job : Job{};
  }

  // Submits and runs one pass; the job is running afterwards.
  Job SubmitAndStart(const Caller& who, SubmitRequest req) {
    const Job job = Submit(who, std::move(req));
    Pass();
    const Job running = Get(job.id);
    EXPECT_EQ(running.state, JobState::kRunning) << running.reason;
    return running;
  }

  std::string QueueReason(JobId id) {
    const auto queue = compute_->Queue(ada_);
    EXPECT_TRUE(queue) << queue.error().message;
    for (const auto& entry : queue.value_or(std::vector<QueueEntry>{})) {
      if (entry.job.id == id) return entry.reason;
    }
    return "(not in the queue)";
  }

  FakeClock clock_{kOnTheHour};
  FakeExecutor executor_{8, dir_.File("logs")};
};

TEST_F(ComputeTest, RunsAJobToItsExitCodeWithLogs) {
  const Job job = Submit(ada_, Req(p1_, 2, "train"));
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_TRUE(executor_.Starts().empty()) << "nothing starts before a scheduling pass";
  Pass();
  ASSERT_EQ(executor_.Starts().size(), 1u);
  const LaunchSpec spec = executor_.Starts()[0];
  EXPECT_EQ(spec.job_id, job.id.value);
  EXPECT_EQ(spec.run, 0);
  EXPECT_EQ(spec.gpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"sh", "-c", "train"}));
  EXPECT_EQ(spec.workdir, dir_.path().string());
  EXPECT_EQ(spec.grace_s, 1);
  EXPECT_EQ(Get(job.id).state, JobState::kRunning);
  EXPECT_EQ(Get(job.id).gpu_ids, (std::vector<int>{0, 1}));

  executor_.Print(job.id.value, "gpus=0,1\n");
  executor_.Print(job.id.value, "oops\n", true);
  clock_.Advance(1800);
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kRunning) << "a run ends when its executor says so";
  executor_.Exit(job.id.value, 0, 3);
  Pass();
  const Job done = Get(job.id);
  EXPECT_EQ(done.state, JobState::kFailed);
  EXPECT_EQ(done.exit_code, 3);
  EXPECT_EQ(done.reason, "exited 3");
  EXPECT_EQ(done.attained_gpu_s, 2 * 1800);
  EXPECT_EQ(done.finished_at, clock_.Now());
  EXPECT_TRUE(done.gpu_ids.empty());
  EXPECT_EQ(Log(job.id), "gpus=0,1\n");
  EXPECT_EQ(compute_->ReadLog(ada_, job.id, true, 0, 100)->data, "oops\n");
  EXPECT_TRUE(compute_->ReadLog(ada_, job.id, false, 0, 100)->done);

  const Job ok = SubmitAndStart(ada_, Req(p1_, 1, "true"));
  executor_.Exit(ok.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(ok.id).state, JobState::kSucceeded);
  EXPECT_EQ(Get(ok.id).exit_code, 0);
  EXPECT_EQ(Get(ok.id).reason, "exited 0");
  // Rule 6: failed runs are on the record too, with their GPU-hours.
  ASSERT_TRUE(
      compute_->AddNote(ada_, job.id, JobOutcome::kNegative, "exit 3: the config was wrong"));
  const auto entries = Read(*store_, [&](Tx& tx) {
    return tx.ListLedger({0, 100, "", std::nullopt, "job:" + std::to_string(job.id.value)});
  });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, "investigation");
  EXPECT_EQ((*entries)[0].contributor, "@ada");
  EXPECT_NE((*entries)[0].entry.find(R"("unit":"gpu-hours")"), std::string::npos);
  EXPECT_NE((*entries)[0].entry.find(R"("quantity":1000,)"), std::string::npos)
      << "2 GPUs for half an hour is one GPU-hour: " << (*entries)[0].entry;
  EXPECT_NE((*entries)[0].entry.find("failed (exited 3)"), std::string::npos)
      << (*entries)[0].entry;
  EXPECT_EQ((*entries)[1].kind, "formal-analysis");
  EXPECT_NE((*entries)[1].entry.find("negative: exit 3"), std::string::npos);
}

TEST_F(ComputeTest, AKilledRunFailsWithItsSignal) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 1, "train"));
  executor_.KillBySignal(job.id.value, 0, SIGKILL);
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kFailed);
  EXPECT_EQ(Get(job.id).reason, "killed by signal 9");
}

TEST_F(ComputeTest, ALostRunFailsWithTheExecutorsReason) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 1, "train"));
  executor_.Lose(job.id.value, 0);
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kFailed);
  EXPECT_EQ(Get(job.id).reason, "the job's supervisor died without an exit status");
  EXPECT_EQ(executor_.Starts().size(), 1u) << "a run that ran is not run again";
}

// The scheduler samples busy GPUs once a minute; utilization averages the samples
// per bucket and leaves minutes without a sample (server down) empty.
TEST_F(ComputeTest, UtilizationComesFromOnceAMinuteSamples) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 4, "train"));  // minute 0: 4 of 8 busy
  clock_.Advance(30);
  Pass();  // the same minute: no second sample
  clock_.Advance(30);
  Pass();               // minute 1
  clock_.Advance(120);  // minute 2 passes without a pass
  ASSERT_TRUE(compute_->Cancel(ada_, job.id));
  executor_.EndStopped(job.id.value, 0);
  Pass();  // minute 3: the job has ended
  Pass();  // the same minute again
  ASSERT_EQ(Get(job.id).state, JobState::kCancelled);
  const auto samples = Read(*store_, [](Tx& tx) { return tx.ListGpuSamples(0); });
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ((*samples)[0].at, kOnTheHour);
  EXPECT_EQ((*samples)[0].busy, 4);
  EXPECT_EQ((*samples)[0].total, 8);
  EXPECT_EQ((*samples)[1].busy, 4);
  EXPECT_EQ((*samples)[2].busy, 0);
  EXPECT_EQ((*samples)[2].at - (*samples)[0].at, 180);

  clock_.Advance(3600 - 240);  // an hour back from now starts a minute before the first sample
  auto u = compute_->Utilization(ada_, 1, 6);  // 10-minute buckets
  ASSERT_TRUE(u) << u.error().message;
  ASSERT_EQ(u->buckets.size(), 6u);
  ASSERT_TRUE(u->buckets[0]);
  // Minutes 0 and 1 at 4/8, minute 3 at 0.
  EXPECT_DOUBLE_EQ(*u->buckets[0], 1.0 / 3);
  for (std::size_t i = 1; i < 6; ++i) EXPECT_FALSE(u->buckets[i]) << i;
  ASSERT_TRUE(u->mean);
  EXPECT_DOUBLE_EQ(*u->mean, 1.0 / 3);
  ExpectCode(compute_->Utilization(ada_, 0, 6), ErrorCode::kInvalidArgument);
  ExpectCode(compute_->Utilization(ada_, 24, 0), ErrorCode::kInvalidArgument);
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
  auto no_command = Req(p1_, 1, "");
  no_command.argv.clear();
  ExpectCode(compute_->Submit(ada_, no_command), ErrorCode::kInvalidArgument);
  auto no_limit = Req(p1_, 1, "true");
  no_limit.time_limit_s = 0;
  ExpectCode(compute_->Submit(ada_, no_limit), ErrorCode::kInvalidArgument);
  // The same request, made right, goes in: the refusals above were the values'.
  ASSERT_TRUE(compute_->Submit(ada_, Req(p1_, 8, "true")));
  ASSERT_EQ(compute_->Queue(ada_)->size(), 1u);
}

// A huge time limit once overflowed into a deadline in the past and killed the job at
// once: it is refused at submit, naming the field and the maximum.
TEST_F(ComputeTest, ATimeLimitIsBoundedAtSubmit) {
  auto huge = Req(p1_, 1, "true");
  huge.time_limit_s = std::numeric_limits<std::int64_t>::max();
  auto refused = compute_->Submit(ada_, huge);
  ExpectCode(refused, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field, "time_limit_s");
  EXPECT_NE(refused.error().message.find(std::to_string(kMaxTimeLimitS)), std::string::npos)
      << refused.error().message;
  huge.time_limit_s = kMaxTimeLimitS + 1;
  ExpectCode(compute_->Submit(ada_, huge), ErrorCode::kInvalidArgument);
  huge.time_limit_s = kMaxTimeLimitS;
  const Job job = SubmitAndStart(ada_, huge);
  EXPECT_EQ(job.time_limit_s, kMaxTimeLimitS);
}

// env values are the owner's secrets: everyone else (a steward too) sees the names
// only, in every view; the ledger records none of them.
TEST_F(ComputeTest, EnvValuesAreShownOnlyToTheJobsOwner) {
  auto req = Req(p1_, 2, "true");
  req.env = {{"WANDB_API_KEY", "s3cret-value"}};
  const Job submitted = Submit(ada_, req);
  ASSERT_EQ(submitted.env.size(), 1u);
  EXPECT_EQ(submitted.env[0].second, "s3cret-value");
  EXPECT_EQ(compute_->GetJob(ada_, submitted.id)->env[0].second, "s3cret-value");
  const auto hidden = [](const Job& job) {
    return job.env.size() == 1 && job.env[0].first == "WANDB_API_KEY" &&
           job.env[0].second == kHiddenEnvValue;
  };
  for (const Caller& other : {bob_, steward_}) {
    EXPECT_TRUE(hidden(*compute_->GetJob(other, submitted.id)));
    EXPECT_TRUE(hidden(compute_->Queue(other)->at(0).job));
    EXPECT_TRUE(hidden(compute_->ListJobs(other, std::nullopt, {})->items.at(0)));
  }
  Pass();
  const auto cluster = compute_->Cluster(bob_);
  ASSERT_TRUE(cluster);
  ASSERT_FALSE(cluster->gpu_jobs.empty());
  EXPECT_TRUE(hidden(cluster->gpu_jobs.begin()->second));
  EXPECT_EQ(compute_->Cluster(ada_)->gpu_jobs.begin()->second.env[0].second, "s3cret-value");
  const auto cancelled = compute_->Cancel(steward_, submitted.id);
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(hidden(*cancelled));
  executor_.Exit(submitted.id.value, 0, 0);
  Pass();
  const auto entries = Read(*store_, [&](Tx& tx) {
    return tx.ListLedger({0, 100, "", std::nullopt, "job:" + std::to_string(submitted.id.value)});
  });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].entry.find("s3cret"), std::string::npos) << (*entries)[0].entry;
}

TEST_F(ComputeTest, AJobThatCannotStartFailsWithTheReasonAndFreesItsGpus) {
  auto req = Req(p1_, 8, "true");
  req.workdir = "/no/such/workdir";
  const Job job = SubmitAndStart(ada_, req);
  executor_.FailToStart(job.id.value, 0, "cannot start: cannot enter /no/such/workdir");
  Pass();
  const Job failed = Get(job.id);
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.reason, "cannot start: cannot enter /no/such/workdir");
  const Job next = SubmitAndStart(ada_, Req(p1_, 8, "true"));
  executor_.Exit(next.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(next.id).state, JobState::kSucceeded);
}

TEST_F(ComputeTest, AJobTheExecutorRefusesToLaunchFailsAndFreesItsGpus) {
  executor_.RefuseNextStart({ErrorCode::kUnavailable, "cannot run the job supervisor", ""});
  const Job job = Submit(ada_, Req(p1_, 8, "true"));
  Pass();
  const Job failed = Get(job.id);
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.reason, "could not start: cannot run the job supervisor");
  EXPECT_TRUE(failed.gpu_ids.empty());
  EXPECT_EQ(failed.finished_at, clock_.Now());
  SubmitAndStart(ada_, Req(p1_, 8, "true"));
}

TEST_F(ComputeTest, OwnersOrStewardsCancel) {
  const Job running = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  const Job waiting = Submit(ada_, Req(p1_, 8, "true"));
  ExpectCode(compute_->Cancel(bob_, waiting.id), ErrorCode::kPermissionDenied);
  auto cancelled = compute_->Cancel(ada_, waiting.id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_EQ(cancelled->reason, "cancelled by @ada before it ran");
  EXPECT_TRUE(executor_.Stops().empty()) << "a job that never ran has nothing to stop";

  ASSERT_TRUE(compute_->Cancel(steward_, running.id));
  EXPECT_TRUE(executor_.StopAsked(running.id.value, 0));
  EXPECT_EQ(Get(running.id).state, JobState::kRunning) << "it stops when its run has ended";
  EXPECT_EQ(Get(running.id).stopping, JobStop::kCancel);
  EXPECT_EQ(QueueReason(running.id), "cancelling");
  Pass();  // the run is still in its grace period
  EXPECT_EQ(Get(running.id).state, JobState::kRunning);
  executor_.EndStopped(running.id.value, 0);
  Pass();
  const Job done = Get(running.id);
  EXPECT_EQ(done.state, JobState::kCancelled);
  EXPECT_EQ(done.stopping, JobStop::kNone);
  EXPECT_EQ(done.reason, "cancelled by @steward");
  ExpectCode(compute_->Cancel(ada_, running.id), ErrorCode::kFailedPrecondition);
}

// A cancelled job is cancelled however its run ends, even when it finished by itself
// in its grace period.
TEST_F(ComputeTest, ARunThatSucceedsAfterACancelIsStillCancelled) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 1, "train"));
  ASSERT_TRUE(compute_->Cancel(ada_, job.id));
  executor_.Exit(job.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kCancelled);
  EXPECT_EQ(Get(job.id).exit_code, 0);
}

TEST_F(ComputeTest, TheTimeLimitStopsAJob) {
  auto req = Req(p1_, 1, "train");
  req.time_limit_s = 1;
  const Job job = SubmitAndStart(ada_, req);
  EXPECT_EQ(executor_.Spec(job.id.value, 0)->time_limit_s, 1) << "the executor enforces it";
  executor_.HitTimeLimit(job.id.value, 0);
  Pass();
  const Job done = Get(job.id);
  EXPECT_EQ(done.state, JobState::kFailed);
  EXPECT_EQ(done.reason, "stopped at its time limit");
}

// The borrower takes the whole idle cluster; another project's job arrives and, being
// within its share, preempts it after its minimum runtime; the borrower keeps its
// GPUs through the grace period, then resumes under run 1 (QIUSUO_RESTART_COUNT=1).
TEST_F(ComputeTest, ABorrowerIsPreemptedAndResumes) {
  const Job borrower = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  ASSERT_EQ(compute_->Queue(ada_)->size(), 1u);
  const Job arrival = Submit(bob_, Req(p2_, 4, "sleep 1"));
  Pass();
  EXPECT_FALSE(executor_.StopAsked(borrower.id.value, 0)) << "preempted before min_runtime";
  EXPECT_EQ(Get(arrival.id).state, JobState::kPending);
  clock_.Advance(1);  // min_runtime
  Pass();
  EXPECT_TRUE(executor_.StopAsked(borrower.id.value, 0));
  EXPECT_EQ(Get(borrower.id).stopping, JobStop::kPreempt);
  EXPECT_EQ(QueueReason(borrower.id), "being preempted (grace period)");
  Pass();  // in its grace period it keeps its GPUs, and is not asked twice
  EXPECT_EQ(Get(borrower.id).state, JobState::kRunning);
  EXPECT_EQ(Get(arrival.id).state, JobState::kPending);
  EXPECT_EQ(executor_.Stops().size(), 1u);

  executor_.EndStopped(borrower.id.value, 0);
  Pass();
  const Job preempted = Get(borrower.id);
  EXPECT_EQ(preempted.state, JobState::kPreempted);
  EXPECT_EQ(preempted.run, 1);
  EXPECT_EQ(preempted.queued_at, clock_.Now());
  EXPECT_EQ(preempted.attained_gpu_s, 8);
  EXPECT_EQ(preempted.reason,
            "preempted to make room for a project under its share; back in the queue");
  EXPECT_FALSE(preempted.finished_at);
  EXPECT_EQ(Get(arrival.id).state, JobState::kRunning);

  clock_.Advance(1);
  executor_.Exit(arrival.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(arrival.id).state, JobState::kSucceeded);
  EXPECT_EQ(Get(borrower.id).state, JobState::kRunning);
  const auto resumed_spec = executor_.Spec(borrower.id.value, 1);
  ASSERT_TRUE(resumed_spec);
  EXPECT_EQ(resumed_spec->run, 1);
  executor_.Exit(borrower.id.value, 1, 0);
  Pass();
  const Job resumed = Get(borrower.id);
  EXPECT_EQ(resumed.state, JobState::kSucceeded);
  EXPECT_EQ(resumed.run, 1);
  EXPECT_EQ(executor_.Starts().size(), 3u);  // borrower twice, arrival once
}

// A gang asking for the whole cluster is more than its project's share, so it cannot
// preempt as a within-share job does; but a borrower without a time limit would hold
// it back for ever. Next in line and waiting past starvation_wait, it preempts it.
TEST_F(ComputeTest, AWholeClusterGangIsNotStarvedByABorrowerWithoutTimeLimit) {
  const Job borrower = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  clock_.Advance(5);  // well past min_runtime: only starvation_wait holds the gang back
  const Job gang = Submit(bob_, Req(p2_, 8, "echo whole cluster"));
  Pass();
  clock_.Advance(1);
  Pass();
  EXPECT_FALSE(executor_.StopAsked(borrower.id.value, 0)) << "preempted before starvation_wait";
  clock_.Advance(1);  // the gang has waited starvation_wait
  Pass();
  EXPECT_TRUE(executor_.StopAsked(borrower.id.value, 0));
  executor_.EndStopped(borrower.id.value, 0);
  Pass();
  const Job preempted = Get(borrower.id);
  EXPECT_EQ(preempted.state, JobState::kPreempted);
  EXPECT_GE(preempted.queued_at, gang.submitted_at + 2) << "preempted before starvation_wait";
  EXPECT_GT(preempted.queued_at, preempted.submitted_at);
  EXPECT_EQ(Get(gang.id).state, JobState::kRunning);
  EXPECT_EQ(executor_.Spec(gang.id.value, 0)->gpus, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  executor_.Exit(gang.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(gang.id).state, JobState::kSucceeded);
  EXPECT_EQ(Get(borrower.id).state, JobState::kRunning);
  ASSERT_TRUE(compute_->Cancel(ada_, borrower.id));
  executor_.EndStopped(borrower.id.value, 1);
  Pass();
  EXPECT_EQ(Get(borrower.id).state, JobState::kCancelled);
}

TEST_F(ComputeTest, WaitingJobsSayWhy) {
  const Job big = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  const Job second = Submit(ada_, Req(p1_, 4, "true"));
  EXPECT_EQ(QueueReason(second.id), "waiting for the next scheduling pass");
  Pass();
  auto queue = *compute_->Queue(ada_);
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].reason, "") << "a running job does not wait";
  EXPECT_NE(queue[1].reason.find("4 GPUs"), std::string::npos) << queue[1].reason;
  ASSERT_TRUE(compute_->Cancel(ada_, big.id));
  executor_.EndStopped(big.id.value, 0);
  Pass();
  EXPECT_EQ(Get(big.id).state, JobState::kCancelled);
  EXPECT_EQ(Get(second.id).state, JobState::kRunning);
  executor_.Exit(second.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(second.id).state, JobState::kSucceeded);
}

// The server goes away and comes back over the same executor (a real one keeps its
// supervisors running): the first pass of the new server finds the run still going,
// keeps it where it is and launches nothing.
TEST_F(ComputeTest, ARestartedServerReattachesAndStartsNothingTwice) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 2, "train"));
  compute_.reset();
  clock_.Advance(60);
  compute_ = MakeCompute();
  Pass();
  const Job reattached = Get(job.id);
  EXPECT_EQ(reattached.state, JobState::kRunning);
  EXPECT_EQ(reattached.run, 0);
  EXPECT_EQ(reattached.gpu_ids, job.gpu_ids);
  EXPECT_EQ(reattached.run_started_at, job.run_started_at);
  EXPECT_EQ(executor_.Starts().size(), 1u);
  EXPECT_TRUE(executor_.Stops().empty());
  executor_.Exit(job.id.value, 0, 0);
  Pass();
  const Job done = Get(job.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.run, 0);
  EXPECT_EQ(done.attained_gpu_s, 2 * 60);
  EXPECT_EQ(executor_.Starts().size(), 1u);
}

// A run that ended while the server was down is collected with its true exit status.
// A server that recorded a preemption and died before (or while) asking the executor:
// the next server asks again, once, so the run does not keep its GPUs for ever.
TEST_F(ComputeTest, ARestartedServerAsksAgainForAStopItRecorded) {
  const Job borrower = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  Submit(bob_, Req(p2_, 4, "sleep 1"));
  clock_.Advance(1);  // min_runtime
  Pass();
  ASSERT_EQ(executor_.Stops().size(), 1u);
  compute_.reset();
  compute_ = MakeCompute();
  Pass();
  Pass();
  const std::vector<RunKey> asked_twice = {{borrower.id.value, 0}, {borrower.id.value, 0}};
  EXPECT_EQ(executor_.Stops(), asked_twice);
  executor_.EndStopped(borrower.id.value, 0);
  Pass();
  EXPECT_EQ(Get(borrower.id).state, JobState::kPreempted);
}

TEST_F(ComputeTest, ARestartedServerCollectsARunThatEndedWhileItWasDown) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 1, "train"));
  compute_.reset();
  executor_.Exit(job.id.value, 0, 4);
  compute_ = MakeCompute();
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kFailed);
  EXPECT_EQ(Get(job.id).exit_code, 4);
}

// A server killed after recording a start but before launching it left a job
// "running" with no run at all. The restarted server finds that nobody ever ran it
// and queues it again; it then runs exactly once.
TEST_F(ComputeTest, AStartCutShortByACrashRunsOnceAfterRestart) {
  const Job job = Submit(ada_, Req(p1_, 1, "echo ran"));
  Job cut = job;
  cut.state = JobState::kRunning;
  cut.gpu_ids = {0};
  cut.started_at = cut.run_started_at = clock_.Now();
  ASSERT_TRUE(store_->Transact(TxMode::kWrite, [&](Tx& tx) { return tx.UpdateJob(cut); }));
  compute_ = MakeCompute();
  Pass();  // finds the run never happened, queues the job again and starts it
  const Job again = Get(job.id);
  EXPECT_EQ(again.state, JobState::kRunning);
  EXPECT_EQ(again.run, 1);
  ASSERT_EQ(executor_.Starts().size(), 1u);
  EXPECT_EQ(executor_.Starts()[0].run, 1);
  executor_.Exit(job.id.value, 1, 0);
  Pass();
  const Job done = Get(job.id);
  EXPECT_EQ(done.state, JobState::kSucceeded);
  EXPECT_EQ(done.run, 1);
  EXPECT_EQ(executor_.Starts().size(), 1u);
}

TEST_F(ComputeTest, TheClusterViewShowsBusyProjectsHoweverManyTheLabHas) {
  // p1_ is the oldest; 200 newer projects used to push it out of the view.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(lab_->StartProject(bob_, {"idle " + std::to_string(i), "", std::nullopt, {}}));
    if (i % 10 == 9) clock_.Advance(3600);  // within limit_projects_per_hour
  }
  const Job job = SubmitAndStart(ada_, Req(p1_, 2, "train"));
  const ClusterView view = *compute_->Cluster(bob_);
  ASSERT_EQ(view.projects.size(), 1u);
  EXPECT_EQ(view.projects[0].project, p1_.value);
  EXPECT_EQ(view.projects[0].title, "Sparse attention");
  EXPECT_EQ(view.projects[0].share.allocated, 2);
  EXPECT_EQ(view.gpu_jobs.size(), 2u);
  EXPECT_EQ(view.pending, 0);
  ASSERT_TRUE(compute_->Cancel(ada_, job.id));
  executor_.EndStopped(job.id.value, 0);
  Pass();
  EXPECT_EQ(Get(job.id).state, JobState::kCancelled);
  EXPECT_TRUE(compute_->Cluster(bob_)->gpu_jobs.empty());
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
  EXPECT_EQ(boosts[0].factor, 2);
  clock_.Advance(3599);
  EXPECT_EQ(compute_->Boosts(bob_)->size(), 1u);
  clock_.Advance(1);
  EXPECT_TRUE(compute_->Boosts(bob_)->empty()) << "a boost is gone when it expires";
}

TEST_F(ComputeTest, NotesRecordOutcomesIncludingNegativeOnes) {
  const Job job = SubmitAndStart(ada_, Req(p1_, 1, "exit 1"));
  executor_.Exit(job.id.value, 0, 1);
  Pass();
  ASSERT_EQ(Get(job.id).state, JobState::kFailed);
  ASSERT_TRUE(
      compute_->AddNote(ada_, job.id, JobOutcome::kNegative, "lr 1e-2 diverges at step 300"));
  ExpectCode(compute_->AddNote(bob_, job.id, JobOutcome::kSuccess, "not my job"),
             ErrorCode::kPermissionDenied);
  ExpectCode(compute_->AddNote(ada_, job.id, JobOutcome::kFailure, ""),
             ErrorCode::kInvalidArgument);
  auto notes = *compute_->Notes(bob_, job.id);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].outcome, JobOutcome::kNegative);
}

// The fake executor, except that polls of the runs named in `failing` fail, as a
// supervisor's unreadable status file or a Slurm that does not answer for one job would.
class FlakyPollExecutor final : public Executor {
 public:
  explicit FlakyPollExecutor(FakeExecutor& inner) : inner_(inner) {}
  std::vector<ExecNode> Nodes() const override { return inner_.Nodes(); }
  Status Start(const LaunchSpec& spec) override { return inner_.Start(spec); }
  Result<RunStatus> Poll(std::int64_t job_id, int run) override {
    if (failing.contains({job_id, run}))
      return Fail(ErrorCode::kUnavailable,
                  "status of run " + std::to_string(job_id) + " unreadable");
    return inner_.Poll(job_id, run);
  }
  Status Stop(std::int64_t job_id, int run) override { return inner_.Stop(job_id, run); }
  void OnChange(std::function<void()> callback) override { inner_.OnChange(std::move(callback)); }
  std::string LogPath(std::int64_t job_id, bool stderr_stream) const override {
    return inner_.LogPath(job_id, stderr_stream);
  }
  void Retain(const std::vector<RunKey>& runs) override { inner_.Retain(runs); }

  std::set<RunKey> failing;

 private:
  FakeExecutor& inner_;
};

TEST_F(ComputeTest, AFailingPollOfOneRunIsLoggedAndThePassGoesOnForTheOthers) {
  FlakyPollExecutor flaky(executor_);
  compute_ = std::make_unique<Compute>(*store_, clock_, flaky, TestConfig());
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));

  const Job stuck = SubmitAndStart(ada_, Req(p1_, 2, "train"));
  const Job done = SubmitAndStart(bob_, Req(p2_, 2, "eval"));
  flaky.failing.insert({stuck.id.value, 0});
  executor_.Exit(done.id.value, 0, 0);
  const Job waiting = Submit(bob_, Req(p2_, 2, "next"));
  const Status pass = compute_->Tick();
  spdlog::set_default_logger(previous);

  EXPECT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(Get(done.id).state, JobState::kSucceeded) << "the other runs are collected";
  EXPECT_EQ(Get(waiting.id).state, JobState::kRunning) << "and the pass goes on to plan";
  EXPECT_EQ(Get(stuck.id).state, JobState::kRunning) << "a run it could not see keeps its GPUs";
  EXPECT_NE(log.str().find("cannot poll job " + std::to_string(stuck.id.value) + " run 0"),
            std::string::npos)
      << log.str();
  EXPECT_NE(log.str().find("unreadable"), std::string::npos) << "with the executor's reason";

  // Once the executor answers again, the run's end is collected as usual.
  flaky.failing.clear();
  executor_.Exit(stuck.id.value, 0, 0);
  Pass();
  EXPECT_EQ(Get(stuck.id).state, JobState::kSucceeded);
  compute_.reset();
}

TEST_F(ComputeTest, PendingJobsAndTheSizeOfAJobAreLimitedPerMemberNeverItsGpus) {
  ComputeConfig config = TestConfig();
  config.limits.pending_jobs = 3;
  config.limits.job_spec_bytes = 2048;
  compute_ = std::make_unique<Compute>(*store_, clock_, executor_, config);
  // Rule 3: one job may ask for the whole cluster, whatever the limits say.
  const Job whole = SubmitAndStart(ada_, Req(p1_, 8, "train"));
  std::vector<Job> sweep;
  for (int i = 0; i < 3; ++i)
    sweep.push_back(Submit(ada_, Req(p1_, 8, "sweep " + std::to_string(i))));
  auto refused = compute_->Submit(ada_, Req(p1_, 1, "one more"));
  ExpectCode(refused, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("you have 3 jobs waiting"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("limit is 3 pending jobs per member (limit_pending_jobs"),
            std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(compute_->Submit(bob_, Req(p2_, 1, "bob's"))) << "the limit is per member";
  // A job cancelled (or started) no longer waits.
  ASSERT_TRUE(compute_->Cancel(ada_, sweep[0].id));
  EXPECT_TRUE(compute_->Submit(ada_, Req(p1_, 1, "now there is room")));

  auto huge = compute_->Submit(bob_, Req(p2_, 1, std::string(4000, 'x')));
  ExpectCode(huge, ErrorCode::kTooLarge);
  EXPECT_EQ(huge.error().field, "argv");
  EXPECT_NE(huge.error().message.find("the lab's limit is 2048 bytes (limit_job_spec_bytes"),
            std::string::npos)
      << huge.error().message;
  SubmitRequest env = Req(p2_, 1, "true");
  env.env = {{"BIG", std::string(3000, 'y')}};
  ExpectCode(compute_->Submit(bob_, env), ErrorCode::kTooLarge);
  const auto note = compute_->AddNote(ada_, whole.id, JobOutcome::kSuccess,
                                      std::string(MemberLimits{}.text_bytes + 1, 'z'));
  ExpectCode(note, ErrorCode::kTooLarge);
  compute_.reset();
}

TEST_F(ComputeTest, TheQueuePagesOldestFirstSeeingEachJobOnceWhileJobsArrive) {
  std::vector<std::int64_t> submitted;
  for (int i = 0; i < 5; ++i) submitted.push_back(Submit(ada_, Req(p1_, 8, "j")).id.value);
  Pass();  // the first runs, the others wait
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  for (int page = 0;; ++page) {
    auto listing = compute_->QueuePage(bob_, {2, after});
    ASSERT_TRUE(listing) << listing.error().message;
    for (const auto& e : listing->items) {
      seen.push_back(e.job.id.value);
      EXPECT_EQ(e.reason.empty(), e.job.state == JobState::kRunning) << e.reason;
    }
    if (page == 0) submitted.push_back(Submit(bob_, Req(p2_, 1, "late")).id.value);
    if (!listing->next_before) break;
    after = *listing->next_before;
  }
  EXPECT_EQ(seen, submitted);
  auto all = compute_->QueuePage(bob_, {500, 0});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), 6u) << "a page holds at most 200, and 6 fit";
}

// Replicas on one PostgreSQL database, each with a scheduler, over one cluster (the
// shared fake executor, as a Slurm partition is shared): only the leader schedules,
// and when it goes another takes over, starting nothing twice.
TEST_F(ComputeTest, AmongReplicasOnlyTheLeaderSchedulesAndAnotherTakesOver) {
  if (!test_support::TestingPostgres()) {
    // A SQLite lab is served by one process, which always leads; replicas need
    // PostgreSQL, and compute_test.postgres runs the rest of this test.
    SoleLeadership sole;
    compute_->FollowLeadership(&sole);
    SubmitAndStart(ada_, Req(p1_, 2, "train"));
    EXPECT_TRUE(compute_->Leading());
    compute_.reset();
    return;
  }
  const std::string url = dynamic_cast<test_support::OwningStore&>(*store_).Url();
  auto lead_a = MakePostgresLeadership({url});
  auto lead_b = MakePostgresLeadership({url});
  compute_->FollowLeadership(lead_a.get());
  auto b = std::make_unique<Compute>(*store_, clock_, executor_, TestConfig());
  b->FollowLeadership(lead_b.get());
  const auto state_of = [&](JobId id) { return b->GetJob(ada_, id)->state; };
  Pass();
  ASSERT_TRUE(b->Tick());
  EXPECT_TRUE(compute_->Leading());
  EXPECT_FALSE(b->Leading());

  const Job first = Submit(ada_, Req(p1_, 2, "train"));
  ASSERT_TRUE(b->Tick());
  EXPECT_TRUE(executor_.Starts().empty()) << "a follower starts nothing";
  for (int pass = 0; pass < 3; ++pass) {
    Pass();
    ASSERT_TRUE(b->Tick());
  }
  ASSERT_EQ(executor_.Starts().size(), 1u) << "started once, by the leader";
  EXPECT_EQ(state_of(first.id), JobState::kRunning);

  // The leader stops (its connection to the database closes with it). The database
  // frees the lock once it has seen the connection go; the other replica takes over
  // on a pass after that.
  compute_.reset();
  lead_a.reset();
  for (int pass = 0; pass < 1000 && !b->Leading(); ++pass) ASSERT_TRUE(b->Tick());
  EXPECT_TRUE(b->Leading()) << "the other replica takes over";
  executor_.Exit(first.id.value, 0, 0);
  const Job second = *b->Submit(bob_, Req(p2_, 2, "eval"));
  ASSERT_TRUE(b->Tick());
  EXPECT_EQ(state_of(first.id), JobState::kSucceeded) << "it collects the old leader's runs";
  EXPECT_EQ(state_of(second.id), JobState::kRunning);
  EXPECT_EQ(executor_.Starts().size(), 2u);

  // A third replica waits while b leads, and b's crash (its database session killed)
  // hands the lead over; b, alive but cut off, schedules no more.
  auto lead_c = MakePostgresLeadership({url});
  auto c = std::make_unique<Compute>(*store_, clock_, executor_, TestConfig());
  c->FollowLeadership(lead_c.get());
  ASSERT_TRUE(c->Tick());
  EXPECT_FALSE(c->Leading());
  {
    pqxx::connection admin(url);
    pqxx::nontransaction w(admin);
    ASSERT_EQ(w.exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                     "'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = "
                     "124957045187440")
                  .size(),
              1u);
  }
  ASSERT_TRUE(b->Tick());
  EXPECT_FALSE(b->Leading());
  for (int pass = 0; pass < 1000 && !c->Leading(); ++pass) ASSERT_TRUE(c->Tick());
  EXPECT_TRUE(c->Leading());
  const Job third = *c->Submit(ada_, Req(p1_, 2, "more"));
  ASSERT_TRUE(b->Tick());
  ASSERT_TRUE(c->Tick());
  EXPECT_EQ(state_of(third.id), JobState::kRunning);
  EXPECT_EQ(executor_.Starts().size(), 3u) << "each job started once";
  EXPECT_FALSE(b->Leading());
  c.reset();
  b.reset();
}

}  // namespace
}  // namespace qiusuo
