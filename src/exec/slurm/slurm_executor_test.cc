// The Slurm executor against a real Slurm (scripts/test-slurm: n1..n3, 4 GPUs each).
// Each test uses its own job name prefix, so leftovers of one never meet another.
#include "exec/slurm/slurm_executor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "exec/slurm/slurm_text.h"
#include "exec/slurm/test_slurm.h"
#include "exec/test_job_user.h"

namespace qiusuo {
namespace {

using test_support::SlurmTool;
using test_support::TestSlurmConf;

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class SlurmExecutorTest : public ::testing::Test {
 protected:
  SlurmExecutorOptions Options() {
    SlurmExecutorOptions o;
    o.slurm_conf = TestSlurmConf();
    o.shared_dir = dir_.path().string();
    o.job_prefix = prefix_;
    o.poll_interval = std::chrono::milliseconds(200);
    o.command_timeout = std::chrono::milliseconds(5000);
    o.job_users = test_support::TestJobUsers();
    return o;
  }

  void SetUp() override {
    if (const std::string why = test_support::JobAccountUnavailable(); !why.empty())
      GTEST_SKIP() << why;
    work_ = test_support::JobWorkdir(dir_.path());
    auto executor = MakeSlurmExecutor(Options());
    ASSERT_TRUE(executor) << executor.error().message;
    executor_ = std::move(*executor);
  }

  void TearDown() override {
    executor_.reset();
    test_support::CancelSlurmJobs(prefix_);  // nothing of ours outlives the test
  }

  LaunchSpec Spec(std::int64_t job, std::vector<std::pair<std::string, int>> nodes,
                  std::string command) {
    LaunchSpec spec;
    spec.job_id = job;
    spec.argv = {"sh", "-c", std::move(command)};
    spec.workdir = work_;
    spec.nodes = std::move(nodes);
    spec.grace_s = 2;
    spec.owner = "ada";
    return spec;
  }

  // Polls until the run is no longer running, for up to 30 s of real time.
  RunStatus WaitEnd(std::int64_t job, int run) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      auto st = executor_->Poll(job, run);
      EXPECT_TRUE(st) << st.error().message;
      if (!st) break;
      if (st->state != RunStatus::State::kRunning) return *st;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "run " << job << "." << run << " did not end in 30 s";
    return {};
  }

  template <typename Done>
  void WaitUntil(Done done, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "waited 30 s for " << what;
  }

  TempDir dir_;
  std::string work_;  // the jobs' working directory, the job account's
  std::string prefix_ = test_support::UniquePrefix();
  std::unique_ptr<Executor> executor_;
};

TEST_F(SlurmExecutorTest, ReportsThePartitionsNodesAndGpus) {
  const auto nodes = executor_->Nodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].name, "n1");
  EXPECT_EQ(nodes[2].name, "n3");
  EXPECT_EQ(nodes[1].gpus, (std::vector<int>{4, 5, 6, 7}));
  for (const auto& n : nodes) EXPECT_TRUE(n.schedulable) << n.name << " " << n.state;
}

TEST_F(SlurmExecutorTest, RefusesToStartWithOneLineSayingWhy) {
  auto options = Options();
  options.partition = "no-such-partition";
  auto e = MakeSlurmExecutor(options);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("no partition \"no-such-partition\""), std::string::npos)
      << e.error().message;

  options = Options();
  options.slurm_conf = dir_.File("missing.conf");
  e = MakeSlurmExecutor(options);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("does not exist"), std::string::npos) << e.error().message;

  // A slurm.conf whose controller port nobody listens on: the controller does not answer.
  std::string conf = Slurp(TestSlurmConf());
  const auto at = conf.find("SlurmctldPort=");
  conf.replace(at, conf.find('\n', at) - at, "SlurmctldPort=1");
  std::ofstream(dir_.File("dead.conf")) << conf;
  options = Options();
  options.slurm_conf = dir_.File("dead.conf");
  options.command_timeout = std::chrono::milliseconds(3000);
  e = MakeSlurmExecutor(options);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("Slurm"), std::string::npos) << e.error().message;
}

// An 8-GPU gang over two nodes: one task per node, each with its node's GPUs.
TEST_F(SlurmExecutorTest, RunsAGangOverTwoNodes) {
  ASSERT_TRUE(executor_->Start(Spec(1, {{"n1", 4}, {"n2", 4}},
                                    "echo \"$SLURMD_NODENAME gpus=$CUDA_VISIBLE_DEVICES "
                                    "job=$QIUSUO_JOB_ID restart=$QIUSUO_RESTART_COUNT\"")));
  const RunStatus st = WaitEnd(1, 0);
  EXPECT_EQ(st.state, RunStatus::State::kExited);
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_EQ(st.exit_code, 0);
  const std::string out = Slurp(executor_->LogPath(1, false));
  EXPECT_NE(out.find("n1 gpus=0,1,2,3 job=1 restart=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("n2 gpus=0,1,2,3 job=1 restart=0\n"), std::string::npos) << out;
}

TEST_F(SlurmExecutorTest, ReportsExitCodesAndCannotStart) {
  ASSERT_TRUE(executor_->Start(Spec(1, {{"n1", 1}}, "echo oops >&2; exit 3")));
  auto spec = Spec(2, {{"n2", 1}}, "true");
  spec.argv = {"no-such-program"};
  ASSERT_TRUE(executor_->Start(spec));
  RunStatus st = WaitEnd(1, 0);
  EXPECT_EQ(st.exit_code, 3) << st.reason << " / " << st.note;
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_NE(Slurp(executor_->LogPath(1, true)).find("oops\n"), std::string::npos);
  st = WaitEnd(2, 0);
  EXPECT_EQ(st.end, RunEnd::kFailedToStart);
  EXPECT_NE(st.reason.find("no program no-such-program"), std::string::npos) << st.reason;
}

TEST_F(SlurmExecutorTest, SlurmRefusingARunIsAnErrorAtStart) {
  auto refused = executor_->Start(Spec(1, {{"n9", 1}}, "true"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Slurm refused the job"), std::string::npos)
      << refused.error().message;
}

// A stop is SIGTERM to every rank on every node; a run that ignores it is killed
// after its grace period.
TEST_F(SlurmExecutorTest, StopsAGangGracefullyThenForcefully) {
  ASSERT_TRUE(executor_->Start(
      Spec(1, {{"n1", 4}, {"n3", 2}},
           "trap 'echo TERM on $SLURMD_NODENAME; exit 0' TERM; echo up; sleep 60 & wait")));
  ASSERT_TRUE(executor_->Start(
      Spec(2, {{"n2", 1}}, "trap 'echo ignoring TERM' TERM; echo up; while :; do sleep 1; done")));
  WaitUntil([&] { return Slurp(executor_->LogPath(1, false)) == "up\nup\n"; }, "job 1 up");
  WaitUntil([&] { return Slurp(executor_->LogPath(2, false)) == "up\n"; }, "job 2 up");
  ASSERT_TRUE(executor_->Stop(1, 0));
  ASSERT_TRUE(executor_->Stop(2, 0));
  RunStatus st = WaitEnd(1, 0);
  EXPECT_EQ(st.end, RunEnd::kStopped);
  EXPECT_EQ(st.exit_code, 0);
  const std::string out = Slurp(executor_->LogPath(1, false));
  EXPECT_NE(out.find("TERM on n1"), std::string::npos) << out;
  EXPECT_NE(out.find("TERM on n3"), std::string::npos) << out;
  st = WaitEnd(2, 0);
  EXPECT_EQ(st.end, RunEnd::kStopped);
  EXPECT_EQ(st.signal, 9) << st.reason << " " << st.note;
  EXPECT_NE(Slurp(executor_->LogPath(2, false)).find("ignoring TERM"), std::string::npos);
}

// After a crash between sbatch and the release, the held job is found by its name
// and released; a run never submitted is reported as never ran; a job of ours that
// nobody holds is cancelled.
TEST_F(SlurmExecutorTest, AdoptsHeldRunsAndCancelsLeftovers) {
  const std::string script = dir_.File("echo.sh");
  std::ofstream(script) << "#!/bin/sh\necho adopted\n";
  const std::string sbatch = "sbatch --parsable --hold -p qiusuo -N1 -w n1 --gpus=1 -o " +
                             dir_.File("adopted.out") + " -J ";
  SlurmTool(sbatch + prefix_ + "-5-0 " + script);
  SlurmTool(sbatch + prefix_ + "-6-0 " + script);
  // A new executor: as after a restart, it knows nothing but what Slurm lists.
  auto fresh = MakeSlurmExecutor(Options());
  ASSERT_TRUE(fresh) << fresh.error().message;
  executor_ = std::move(*fresh);
  auto never = executor_->Poll(7, 0);
  ASSERT_TRUE(never);
  EXPECT_EQ(never->state, RunStatus::State::kLost);
  EXPECT_TRUE(never->never_ran);
  auto held = executor_->Poll(5, 0);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->state, RunStatus::State::kRunning);
  executor_->Retain({{5, 0}});
  WaitUntil([&] { return Slurp(dir_.File("adopted.out")) == "adopted\n"; }, "5.0 to run");
  WaitUntil(
      [&] {
        return SlurmTool("squeue -h -t all -n " + prefix_ + "-6-0 -o %T").find("CANCELLED") !=
               std::string::npos;
      },
      "the leftover 6.0 to be cancelled");
}

TEST_F(SlurmExecutorTest, ADrainedNodeTakesNoNewRuns) {
  SlurmTool("scontrol update nodename=n3 state=drain reason=fan-broken");
  WaitUntil(
      [&] {
        const auto nodes = executor_->Nodes();
        return nodes.size() == 3 && !nodes[2].schedulable;
      },
      "n3 to be drained");
  EXPECT_EQ(executor_->Nodes()[2].reason, "fan-broken");
  // A run pinned there before the scheduler heard of the drain would wait for ever:
  // it is cancelled and reported as never run, to be planned elsewhere.
  ASSERT_TRUE(executor_->Start(Spec(1, {{"n3", 1}}, "echo ran")));
  const RunStatus st = WaitEnd(1, 0);
  EXPECT_EQ(st.state, RunStatus::State::kLost);
  EXPECT_TRUE(st.never_ran);
  EXPECT_EQ(st.note, "n3 is drained before it started");
  EXPECT_EQ(Slurp(executor_->LogPath(1, false)), "");
  SlurmTool("scontrol update nodename=n3 state=resume");
  WaitUntil([&] { return executor_->Nodes()[2].schedulable; }, "n3 to be back");
}

}  // namespace
}  // namespace qiusuo
