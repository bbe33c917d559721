// The compute service on the real executors: one suite, run on the local executor
// (real processes under qiusuo-shim, 12 virtual GPUs) and on Slurm (the throwaway
// cluster of scripts/test-slurm: n1..n3 with 4 GPUs each). The service's clock is
// fake (it moves when a test says, for the minimum runtime); the jobs are real, so
// tests wait for them, up to a generous deadline.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "exec/local/local_executor.h"
#include "exec/slurm/slurm_executor.h"
#include "exec/slurm/test_slurm.h"
#include "exec/test_job_user.h"
#include "service/compute.h"
#include "service/test_lab.h"

namespace qiusuo {
namespace {

ComputeConfig TestConfig() {
  ComputeConfig config;
  config.policy.min_runtime = 1;
  config.policy.starvation_wait = 2;
  config.grace_s = 1;
  return config;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class ComputeOnExecutor : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (const std::string why = test_support::JobAccountUnavailable(); !why.empty())
      GTEST_SKIP() << why;
    work_ = test_support::JobWorkdir(dir_.path());
    auto lab = test_support::OpenTestLab(dir_, clock_);
    ASSERT_TRUE(lab) << lab.error().message;
    store_ = std::move(lab->store);
    lab_ = std::move(lab->lab);
    ada_ = test_support::JoinLab(*lab_, "ada");
    bob_ = test_support::JoinLab(*lab_, "bob");
    p1_ = lab_->StartProject(ada_, {"Sparse attention", "", std::nullopt, {}})->project.id;
    p2_ = lab_->StartProject(bob_, {"Pure RL", "", std::nullopt, {}})->project.id;
    executor_ = MakeExecutor();
    ASSERT_TRUE(executor_);
    compute_ = MakeCompute();
  }

  void TearDown() override {
    compute_.reset();
    executor_.reset();
    if (slurm()) test_support::CancelSlurmJobs(prefix_);
  }

  bool slurm() const { return GetParam() == "slurm"; }

  std::unique_ptr<Executor> MakeExecutor() {
    Result<std::unique_ptr<Executor>> made;
    if (slurm()) {
      SlurmExecutorOptions o;
      o.slurm_conf = test_support::TestSlurmConf();
      o.shared_dir = dir_.File("shared");
      o.job_prefix = prefix_;
      o.poll_interval = std::chrono::milliseconds(200);
      o.job_users = test_support::TestJobUsers();
      made = MakeSlurmExecutor(o);
    } else {
      LocalExecutorOptions o{dir_.File("jobs"), QIUSUO_SHIM, 12, false};
      o.job_users = test_support::TestJobUsers();
      made = MakeLocalExecutor(o, clock_);
    }
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }

  std::unique_ptr<Compute> MakeCompute() {
    return std::make_unique<Compute>(*store_, clock_, *executor_, TestConfig());
  }

  SubmitRequest Req(ProjectId project, int gpus, std::string command) {
    SubmitRequest r;
    r.project = project;
    r.gpus = gpus;
    r.workdir = work_;
    r.argv = {"sh", "-c", std::move(command)};
    return r;
  }

  Job Submit(const Caller& who, SubmitRequest req) {
    auto job = compute_->Submit(who, std::move(req));
    EXPECT_TRUE(job) << job.error().message;
    return job ? *job : Job{};
  }

  Job Get(JobId id) { return *compute_->GetJob(ada_, id); }
  std::string Log(JobId id, bool stderr_stream = false) {
    return compute_->ReadLog(ada_, id, stderr_stream, 0, 1 << 20)->data;
  }

  // Runs passes until `done` holds, or fails the test after 60 s of real time.
  template <typename Done>
  void PassUntil(Done done, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      ASSERT_TRUE(compute_->Tick());
      if (done()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "waited 60 s for " << what;
  }

  Job WaitFor(JobId id, JobState state) {
    PassUntil([&] { return Get(id).state == state; },
              "job " + std::to_string(id.value) + " to be " + std::string(JobStateName(state)));
    const Job job = Get(id);
    if (job.state != state) {
      ADD_FAILURE() << "job " << id.value << " is " << JobStateName(job.state) << ": " << job.reason
                    << "\nits stderr:\n"
                    << Log(id, true).substr(0, 3000);
    }
    return job;
  }

  // The nodes a job's GPUs are on, as the cluster view numbers them.
  std::set<std::string> NodesOf(const Job& job) {
    std::set<std::string> out;
    for (const auto& node : executor_->Nodes()) {
      for (int g : job.gpu_ids) {
        if (std::find(node.gpus.begin(), node.gpus.end(), g) != node.gpus.end())
          out.insert(node.name);
      }
    }
    return out;
  }

  // A file in the jobs' working directory (theirs: the job account's).
  std::string Work(const std::string& name) const { return work_ + "/" + name; }

  TempDir dir_;
  std::string work_;
  FakeClock clock_{SystemClock().Now()};  // run files carry real times
  std::string prefix_ = test_support::UniquePrefix();
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Compute> compute_;
  Caller ada_, bob_;
  ProjectId p1_, p2_;
};

INSTANTIATE_TEST_SUITE_P(Executors, ComputeOnExecutor, ::testing::Values("local", "slurm"),
                         [](const auto& info) { return info.param; });

TEST_P(ComputeOnExecutor, AJobRunsToItsExitCodeWithItsOutput) {
  const Job job = Submit(ada_, Req(p1_, 1, "echo hello; echo oops >&2; exit 3"));
  const Job done = WaitFor(job.id, JobState::kFailed);
  EXPECT_EQ(done.exit_code, 3);
  EXPECT_EQ(done.reason, "exited 3");
  EXPECT_EQ(Log(job.id), "hello\n");
  EXPECT_NE(Log(job.id, true).find("oops\n"), std::string::npos);
  const Job ok = Submit(ada_, Req(p1_, 1, "true"));
  EXPECT_EQ(WaitFor(ok.id, JobState::kSucceeded).exit_code, 0);
}

// A whole node, and an 8-GPU gang: on Slurm, one job over two whole nodes, one rank
// per node, each seeing its node's four GPUs.
TEST_P(ComputeOnExecutor, RunsAWholeNodeAndAGangOverTwoNodes) {
  const Job node = Submit(ada_, Req(p1_, 4, "echo node gpus=$CUDA_VISIBLE_DEVICES"));
  const Job gang = Submit(bob_, Req(p2_, 8, "echo rank gpus=$CUDA_VISIBLE_DEVICES"));
  PassUntil([&] { return Get(gang.id).state == JobState::kRunning; }, "the gang to start");
  const Job running = Get(gang.id);
  ASSERT_EQ(running.gpu_ids.size(), 8u);
  if (slurm()) {
    EXPECT_EQ(NodesOf(running).size(), 2u) << running.reason;
  }
  WaitFor(node.id, JobState::kSucceeded);
  WaitFor(gang.id, JobState::kSucceeded);
  if (slurm()) {
    EXPECT_EQ(Log(node.id), "node gpus=0,1,2,3\n");
    EXPECT_EQ(Log(gang.id), "rank gpus=0,1,2,3\nrank gpus=0,1,2,3\n");
  } else {
    EXPECT_EQ(Log(node.id), "node gpus=0,1,2,3\n");
    EXPECT_EQ(Log(gang.id), "rank gpus=4,5,6,7,8,9,10,11\n");
  }
}

// Preemption is SIGTERM to the job, which may save its work; its next run (on
// Slurm, a new Slurm job) sees QIUSUO_RESTART_COUNT=1 and the checkpoint it left.
TEST_P(ComputeOnExecutor, ABorrowerIsPreemptedAndResumesFromItsCheckpoint) {
  const Job borrower =
      Submit(ada_, Req(p1_, 12,
                       "trap 'echo got TERM; exit 0' TERM; "
                       "touch $QIUSUO_CHECKPOINT_DIR/r$QIUSUO_RESTART_COUNT; "
                       "ls $QIUSUO_CHECKPOINT_DIR | tr '\\n' ' '; echo; "
                       "echo restart=$QIUSUO_RESTART_COUNT; if [ $QIUSUO_RESTART_COUNT = "
                       "0 ]; then sleep 60 & wait; fi"));
  // A gang over three nodes prints from each of its three ranks on Slurm.
  const std::string up =
      slurm() ? "r0 \nr0 \nr0 \nrestart=0\nrestart=0\nrestart=0\n" : "r0 \nrestart=0\n";
  PassUntil(
      [&] {
        std::string log = Log(borrower.id);
        std::sort(log.begin(), log.end());
        std::string want = up;
        std::sort(want.begin(), want.end());
        return log == want;
      },
      "the borrower to be up");
  const Job arrival = Submit(bob_, Req(p2_, 4, "echo arrived"));
  clock_.Advance(1);  // min_runtime
  const Job preempted = WaitFor(borrower.id, JobState::kPreempted);
  EXPECT_EQ(preempted.run, 1);
  WaitFor(arrival.id, JobState::kSucceeded);
  const Job resumed = WaitFor(borrower.id, JobState::kSucceeded);
  EXPECT_EQ(resumed.run, 1);
  const std::string log = Log(borrower.id);
  EXPECT_NE(log.find("got TERM\n"), std::string::npos) << log;
  EXPECT_NE(log.find("r0 r1 \n"), std::string::npos) << log;
  EXPECT_NE(log.find("restart=1\n"), std::string::npos) << log;
}

TEST_P(ComputeOnExecutor, CancelTimeLimitAndAProgramThatIsNotThere) {
  const Job sleeper = Submit(ada_, Req(p1_, 1, "echo up; sleep 60"));
  auto limited = Req(p1_, 1, "echo up; sleep 60");
  limited.time_limit_s = 2;
  const Job timed = Submit(ada_, limited);
  auto missing = Req(p1_, 1, "");
  missing.argv = {"no-such-program", "--flag"};
  const Job nostart = Submit(ada_, missing);
  PassUntil([&] { return Log(sleeper.id) == "up\n"; }, "the sleeper to be up");
  ASSERT_TRUE(compute_->Cancel(ada_, sleeper.id));
  const Job cancelled = WaitFor(sleeper.id, JobState::kCancelled);
  EXPECT_EQ(cancelled.reason, "cancelled by @ada");
  const Job over = WaitFor(timed.id, JobState::kFailed);
  EXPECT_EQ(over.reason.substr(0, 25), "stopped at its time limit") << over.reason;
  const Job failed = WaitFor(nostart.id, JobState::kFailed);
  EXPECT_NE(failed.reason.find("no-such-program"), std::string::npos) << failed.reason;
}

TEST_P(ComputeOnExecutor, ARestartedServerReattachesAndStartsNothingTwice) {
  // The job waits for the test's word, so that it is surely running across the restart.
  const Job job = Submit(ada_, Req(p1_, 2,
                                   "echo started >>" + Work("runs") + "; while [ ! -e " +
                                       dir_.File("go") + " ]; do sleep 0.05; done; echo finished"));
  PassUntil([&] { return Slurp(Work("runs")) == "started\n"; }, "the job to start");
  // The server goes away, executor and all; the job keeps running.
  compute_.reset();
  executor_.reset();
  executor_ = MakeExecutor();
  ASSERT_TRUE(executor_);
  compute_ = MakeCompute();
  ASSERT_TRUE(compute_->Tick());
  EXPECT_EQ(Get(job.id).state, JobState::kRunning) << "the restarted server lost its job";
  std::ofstream(dir_.File("go")).put('\n');
  const Job done = WaitFor(job.id, JobState::kSucceeded);
  EXPECT_EQ(done.run, 0);
  EXPECT_EQ(Log(job.id), "finished\n");
  EXPECT_EQ(Slurp(Work("runs")), "started\n");
}

// A job is a guest: it runs as the job account, with its groups, not as the server
// (root here), and cannot get root back.
TEST_P(ComputeOnExecutor, AJobRunsAsTheJobAccountNeverAsTheServer) {
  const Job job = Submit(ada_, Req(p1_, 1,
                                   "id -un; id -u; [ \"$(id -u)\" != 0 ] && echo not-root; "
                                   "touch $QIUSUO_CHECKPOINT_DIR/mine && echo checkpoint-ok; "
                                   "echo $HOME $USER"));
  WaitFor(job.id, JobState::kSucceeded);
  const std::string log = Log(job.id);
  const passwd* pw = ::getpwnam(test_support::kTestJobUser);
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(log.substr(0, log.find('\n')), test_support::kTestJobUser) << log;
  EXPECT_NE(log.find("\n" + std::to_string(pw->pw_uid) + "\nnot-root\ncheckpoint-ok\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(std::string(" ") + test_support::kTestJobUser + "\n"), std::string::npos)
      << log;
}

// `setsid ... &` leaves its job's process group and session; it must not outlive the
// job, which is not over until it is gone (local: the supervisor is a subreaper).
TEST_P(ComputeOnExecutor, NothingAJobStartsOutlivesIt) {
  if (slurm())
    GTEST_SKIP() << "on Slurm, proctrack/linuxproc loses daemonized processes; "
                    "proctrack/cgroup is what contains them there (README)";
  const std::string marker = "1000" + std::to_string(::getpid() % 1000);
  const Job job = Submit(ada_, Req(p1_, 1,
                                   "setsid sleep " + marker + " & (setsid sleep " + marker +
                                       " &) ; sleep " + marker + " & echo started"));
  WaitFor(job.id, JobState::kSucceeded);
  // Every process on the machine: none is one of the job's sleeps.
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string cmdline = Slurp(entry.path().string() + "/cmdline");
    EXPECT_NE(cmdline, std::string("sleep") + '\0' + marker + '\0')
        << "process " << entry.path().filename() << " outlived its job";
  }
  EXPECT_EQ(Log(job.id), "started\n");
}

// Slurm only: what operators and other users do to the cluster outside Qiusuo.
class ComputeOnSlurm : public ComputeOnExecutor {};
INSTANTIATE_TEST_SUITE_P(Executors, ComputeOnSlurm, ::testing::Values("slurm"),
                         [](const auto& info) { return info.param; });

// A node drained under a running job: the job goes on, nothing new goes there, and the
// cluster view shows why.
TEST_P(ComputeOnSlurm, ADrainedNodeKeepsItsJobAndTakesNoNewOnes) {
  const Job whole =
      Submit(ada_, Req(p1_, 12, "while [ ! -e " + dir_.File("go") + " ]; do sleep 0.05; done"));
  PassUntil([&] { return Get(whole.id).reason.find(" on n1,n2,n3") != std::string::npos; },
            "the job to run in Slurm");
  test_support::SlurmTool("scontrol update nodename=n3 state=drain reason=fan-broken");
  PassUntil(
      [&] {
        const auto view = compute_->Cluster(ada_);
        return view && view->nodes.size() == 3 && !view->nodes[2].schedulable &&
               view->nodes[2].reason == "fan-broken";
      },
      "n3 to show drained");
  std::ofstream(dir_.File("go")).put('\n');
  WaitFor(whole.id, JobState::kSucceeded);
  // Twelve GPUs asked, eight in service: it waits; four fit beside it, never on n3.
  const Job big = Submit(ada_, Req(p1_, 12, "true"));
  std::vector<Job> small;
  for (int i = 0; i < 3; ++i) small.push_back(Submit(bob_, Req(p2_, 4, "sleep 1")));
  for (const Job& s : small) {
    PassUntil([&] { return Get(s.id).state != JobState::kPending; }, "a small job to start");
    EXPECT_FALSE(NodesOf(Get(s.id)).contains("n3"));
  }
  EXPECT_EQ(Get(big.id).state, JobState::kPending);
  test_support::SlurmTool("scontrol update nodename=n3 state=resume");
  WaitFor(big.id, JobState::kSucceeded);
}

// A user's scancel of a job Qiusuo runs: the job fails with Slurm's word for it.
TEST_P(ComputeOnSlurm, AScancelOutsideQiusuoShowsOnTheJob) {
  const Job job = Submit(ada_, Req(p1_, 1, "echo up; sleep 60"));
  PassUntil([&] { return Log(job.id) == "up\n"; }, "the job to be up");
  test_support::SlurmTool("scancel --name=" + prefix_ + "-" + std::to_string(job.id.value) + "-0");
  const Job failed = WaitFor(job.id, JobState::kFailed);
  EXPECT_NE(failed.reason.find("cancelled in Slurm, not by Qiusuo"), std::string::npos)
      << failed.reason;
}

// slurmctld gone for a few seconds: nothing is marked failed, jobs go on, and what
// ended meanwhile is collected when it is back.
TEST_P(ComputeOnSlurm, AControllerOutageFailsNothing) {
  const Job job = Submit(ada_, Req(p1_, 2,
                                   "echo up; while [ ! -e " + dir_.File("go") +
                                       " ]; do sleep 0.05; done; echo finished"));
  PassUntil([&] { return Log(job.id) == "up\n"; }, "the job to run");
  test_support::TestSlurmScript("stop-controller");
  const Job queued = Submit(bob_, Req(p2_, 1, "echo queued ran"));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(compute_->Tick());
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(Get(job.id).state, JobState::kRunning) << Get(job.id).reason;
  EXPECT_NE(Get(queued.id).state, JobState::kFailed) << Get(queued.id).reason;
  std::ofstream(dir_.File("go")).put('\n');
  test_support::TestSlurmScript("start-controller");
  EXPECT_EQ(WaitFor(job.id, JobState::kSucceeded).run, 0);
  EXPECT_EQ(Log(job.id), "up\nfinished\n");
  WaitFor(queued.id, JobState::kSucceeded);
  EXPECT_EQ(Log(queued.id), "queued ran\n");
}

}  // namespace
}  // namespace qiusuo
