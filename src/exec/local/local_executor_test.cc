// The local executor with its real supervisor (`qiusuo shim`) and real processes, on
// a fake clock that starts at the real time (run files carry real modification
// times) and moves only when a test says so.
#include "exec/local/local_executor.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "exec/test_job_user.h"

namespace qiusuo {
namespace {

class LocalExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = test_support::JobAccountUnavailable(); !why.empty())
      GTEST_SKIP() << why;
    work_ = test_support::JobWorkdir(dir_.path());
    executor_ = Make(test_support::TestJobUsers());
  }

  // Executors on one jobs directory share its events FIFO: one at a time there.
  std::unique_ptr<Executor> Make(JobUserConfig users, std::int64_t log_max_bytes = 1 << 30,
                                 const std::string& jobs = "jobs") {
    LocalExecutorOptions options{dir_.File(jobs), QIUSUO_SHIM, 4, false};
    options.job_users = std::move(users);
    options.log_max_bytes = log_max_bytes;
    auto ex = MakeLocalExecutor(options, clock_);
    EXPECT_TRUE(ex) << ex.error().message;
    return ex ? std::move(*ex) : nullptr;
  }

  LaunchSpec Spec(std::int64_t id, std::vector<std::string> argv) {
    LaunchSpec s;
    s.job_id = id;
    s.argv = std::move(argv);
    s.workdir = work_;
    s.gpus = {1, 3};
    s.grace_s = 1;
    s.owner = "ada";
    return s;
  }

  RunStatus WaitForExit(std::int64_t id, int run, int seconds = 20) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      auto st = executor_->Poll(id, run);
      EXPECT_TRUE(st) << st.error().message;
      if (st && st->state != RunStatus::State::kRunning) return *st;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " did not end within " << seconds << " s";
    return {};
  }

  // Start does not wait for the supervisor; tests that look at its files do.
  void WaitForFile(const std::string& relative) {
    for (int attempt = 0; attempt < 500 && !std::filesystem::exists(dir_.File(relative));
         ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(std::filesystem::exists(dir_.File(relative))) << relative << " never appeared";
  }

  std::string Log(std::int64_t id, bool err = false) {
    std::ifstream f(executor_->LogPath(id, err));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  TempDir dir_;
  std::string work_;
  FakeClock clock_{SystemClock().Now()};
  std::unique_ptr<Executor> executor_;
};

TEST_F(LocalExecutorTest, OffersVirtualGpusWithoutNvidiaSmi) {
  EXPECT_EQ(AllGpus(executor_->Nodes()), (std::vector<int>{0, 1, 2, 3}));
}

TEST_F(LocalExecutorTest, RunsTheJobWithItsEnvironmentAndKeepsItsOutput) {
  auto spec =
      Spec(1, {"sh", "-c",
               "echo out; echo err >&2; echo \"$CUDA_VISIBLE_DEVICES|$QIUSUO_JOB_ID|"
               "$QIUSUO_RESTART_COUNT|$MY_VAR\"; test -d \"$QIUSUO_CHECKPOINT_DIR\"; exit 3"});
  spec.env = {{"MY_VAR", "hello"}};
  ASSERT_TRUE(executor_->Start(spec));
  const RunStatus st = WaitForExit(1, 0);
  EXPECT_EQ(st.state, RunStatus::State::kExited);
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_EQ(st.exit_code, 3);
  EXPECT_EQ(st.reason, "exited");
  EXPECT_EQ(Log(1), "out\n1,3|1|0|hello\n");
  EXPECT_EQ(Log(1, true), "err\n");
}

TEST_F(LocalExecutorTest, LaterRunsAppendToTheSameLogs) {
  ASSERT_TRUE(executor_->Start(Spec(2, {"sh", "-c", "echo run $QIUSUO_RESTART_COUNT"})));
  WaitForExit(2, 0);
  auto again = Spec(2, {"sh", "-c", "echo run $QIUSUO_RESTART_COUNT"});
  again.run = 1;
  ASSERT_TRUE(executor_->Start(again));
  WaitForExit(2, 1);
  EXPECT_EQ(Log(2), "run 0\nrun 1\n");
}

TEST_F(LocalExecutorTest, ABadWorkdirOrMissingProgramFailsToStartWithTheReason) {
  auto bad_dir = Spec(3, {"true"});
  bad_dir.workdir = "/no/such/dir";
  ASSERT_TRUE(executor_->Start(bad_dir));
  RunStatus st = WaitForExit(3, 0);
  EXPECT_EQ(st.end, RunEnd::kFailedToStart);
  EXPECT_NE(st.reason.find("/no/such/dir"), std::string::npos) << st.reason;
  ASSERT_TRUE(executor_->Start(Spec(4, {"no-such-program-qiusuo"})));
  st = WaitForExit(4, 0);
  EXPECT_EQ(st.end, RunEnd::kFailedToStart);
  EXPECT_NE(st.reason.find("no-such-program-qiusuo"), std::string::npos) << st.reason;
}

TEST_F(LocalExecutorTest, TheTimeLimitIsEnforced) {
  auto spec = Spec(5, {"sleep", "30"});
  spec.time_limit_s = 1;
  ASSERT_TRUE(executor_->Start(spec));
  const RunStatus st = WaitForExit(5, 0, 10);
  EXPECT_EQ(st.end, RunEnd::kTimeLimit);
  EXPECT_EQ(st.reason, "time limit");
  EXPECT_EQ(st.signal, SIGTERM);
}

TEST_F(LocalExecutorTest, StopIsSigtermThenSigkillAfterTheGrace) {
  ASSERT_TRUE(executor_->Start(
      Spec(6, {"sh", "-c", "trap '' TERM; echo ready; sleep 30 & wait; sleep 30"})));
  for (int attempt = 0; attempt < 500 && Log(6) != "ready\n"; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(executor_->Stop(6, 0));
  const RunStatus st = WaitForExit(6, 0, 10);
  EXPECT_EQ(st.end, RunEnd::kStopped);
  EXPECT_EQ(st.reason, "stopped");
  EXPECT_EQ(st.signal, SIGKILL);
}

TEST_F(LocalExecutorTest, TheSupervisorIsNotOurChildAndItsDeathIsNoticed) {
  ASSERT_TRUE(executor_->Start(Spec(7, {"sleep", "30"})));
  WaitForFile("jobs/7/run-0/pgid");
  std::ifstream pid_file(dir_.File("jobs/7/run-0/claim"));
  pid_t pid = 0;
  pid_file >> pid;
  ASSERT_GT(pid, 0);
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  std::getline(stat, content);
  const auto close = content.rfind(')');
  const pid_t ppid = std::stoi(content.substr(close + 4));
  EXPECT_NE(ppid, ::getpid()) << "the supervisor must outlive the server that started it";
  EXPECT_EQ(executor_->Poll(7, 0)->state, RunStatus::State::kRunning);
  ::kill(pid, SIGKILL);
  const RunStatus st = WaitForExit(7, 0);
  EXPECT_EQ(st.state, RunStatus::State::kLost);
  EXPECT_FALSE(st.never_ran) << "it ran: its supervisor died";
  // The orphaned job is still running in its group; Stop ends it.
  std::ifstream pgid_file(dir_.File("jobs/7/run-0/pgid"));
  pid_t pgid = 0;
  pgid_file >> pgid;
  ASSERT_GT(pgid, 1);
  EXPECT_EQ(::kill(-pgid, 0), 0);
  ASSERT_TRUE(executor_->Stop(7, 0));
  for (int attempt = 0; attempt < 100 && ::kill(-pgid, 0) == 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(::kill(-pgid, 0), 0) << "the orphaned job survived Stop";
}

TEST_F(LocalExecutorTest, AStopBeforeTheSupervisorIsUpMeansTheJobNeverRuns) {
  // A stop that lands between Start's spawn and the supervisor's claim leaves its
  // `stop` file for the supervisor. Calling Stop right after Start races a fast
  // supervisor (which may have run `echo` already), so the request is put in place
  // first, as Stop leaves it, and the supervisor must find it.
  std::filesystem::create_directories(dir_.File("jobs/8/run-0"));
  std::ofstream(dir_.File("jobs/8/run-0/stop")).put('\n');
  ASSERT_TRUE(executor_->Start(Spec(8, {"sh", "-c", "echo ran"})));
  ASSERT_TRUE(executor_->Stop(8, 0));  // a second request changes nothing
  const RunStatus st = WaitForExit(8, 0);
  EXPECT_EQ(st.state, RunStatus::State::kExited);
  EXPECT_EQ(st.end, RunEnd::kStopped);
  EXPECT_EQ(st.reason, "stopped");
  EXPECT_EQ(Log(8), "");
}

TEST_F(LocalExecutorTest, ARunEndingWakesTheScheduler) {
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  executor_->OnChange([&] {
    std::lock_guard lock(mu);
    ++calls;
    cv.notify_all();
  });
  ASSERT_TRUE(executor_->Start(Spec(9, {"true"})));
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return calls > 0; }));
  lock.unlock();
  executor_->OnChange(nullptr);
  EXPECT_EQ(WaitForExit(9, 0).reason, "exited");
}

// A server killed between recording a start and launching it leaves a run with a
// spec and no supervisor. Once the start-up window has passed, Poll reports the run
// lost, and a supervisor that turns up late refuses it: the job never runs twice.
TEST_F(LocalExecutorTest, ARunThatNeverStartedIsLostAndALateSupervisorLeavesItAlone) {
  const std::string run_dir = dir_.File("jobs/10/run-0");
  std::filesystem::create_directories(run_dir);
  {
    std::ofstream spec(run_dir + "/spec.json");
    spec << R"({"argv":["sh","-c","echo ran"],"env":{},"workdir":"/","stdout":")" << run_dir
         << R"(/out"})";
  }
  EXPECT_EQ(executor_->Poll(10, 0)->state, RunStatus::State::kRunning) << "still starting";
  clock_.Advance(29);
  EXPECT_EQ(executor_->Poll(10, 0)->state, RunStatus::State::kRunning) << "still starting";
  clock_.Advance(31);
  const auto st = executor_->Poll(10, 0);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->state, RunStatus::State::kLost);
  EXPECT_EQ(st->reason, "the job never started");
  EXPECT_TRUE(st->never_ran);
  const std::string shim = std::string(QIUSUO_SHIM) + " " + run_dir;
  EXPECT_EQ(std::system(shim.c_str()), 0);
  EXPECT_FALSE(std::filesystem::exists(run_dir + "/out")) << "a lost run was started anyway";
  std::ifstream claim(run_dir + "/claim");
  std::string holder;
  claim >> holder;
  EXPECT_EQ(holder, "lost");
}

// The lab's secrets beside the jobs directory, as a server's data directory holds
// them: the job, running as the job account, can neither read nor write them, nor
// the run files (its environment) and logs; it sees only its own output.
TEST_F(LocalExecutorTest, AJobCannotReadOrWriteTheServersFiles) {
  std::filesystem::create_directories(dir_.File("data"));
  std::filesystem::permissions(dir_.File("data"), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  const std::string key = dir_.File("data/ledger.key");
  const std::string db = dir_.File("data/qiusuo.db");
  std::ofstream(key) << "SECRET-KEY-0123456789";
  std::ofstream(db) << "database";
  for (const auto& path : {key, db}) {
    std::filesystem::permissions(path, std::filesystem::perms(0600),
                                 std::filesystem::perm_options::replace);
  }
  auto spec = Spec(20, {"sh", "-c",
                        "id -un; cat " + key + "; echo write >>" + db +
                            " || echo db-denied; "
                            "cat " +
                            dir_.File("jobs/20/run-0/spec.json") +
                            " || echo spec-denied; "
                            "echo more >>" +
                            dir_.File("jobs/20/stdout.log") + " || echo log-denied"});
  spec.env = {{"TOKEN", "SECRET-TOKEN"}};
  ASSERT_TRUE(executor_->Start(spec));
  const RunStatus st = WaitForExit(20, 0);
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_EQ(Log(20), "qiusuo-job\ndb-denied\nspec-denied\nlog-denied\n");
  const std::string err = Log(20, true);
  EXPECT_NE(err.find(key + ": Permission denied"), std::string::npos) << err;
  EXPECT_NE(err.find(db + ": Permission denied"), std::string::npos) << err;
  EXPECT_EQ(err.find("SECRET"), std::string::npos) << err;
  std::ifstream kept(db);
  std::string content;
  std::getline(kept, content);
  EXPECT_EQ(content, "database");
  // The run's files and logs are the server's alone.
  struct stat st_spec {};
  ASSERT_EQ(::stat(dir_.File("jobs/20/run-0/spec.json").c_str(), &st_spec), 0);
  EXPECT_EQ(st_spec.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir_.File("jobs").c_str(), &st_spec), 0);
  EXPECT_EQ(st_spec.st_mode & 0777, 0700u);
}

// Root jobs only with allow_root_jobs; never the server's own account; never without
// an account: each fails at Start with what to configure.
TEST_F(LocalExecutorTest, RootTheServersAccountOrNoAccountAreRefused) {
  auto as_root = Make({"root", {}, false, false}, 1 << 30, "jobs-root");
  auto refused = as_root->Start(Spec(21, {"true"}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("allow_root_jobs"), std::string::npos)
      << refused.error().message;
  auto nobody = Make({}, 1 << 30, "jobs-none");
  refused = nobody->Start(Spec(22, {"true"}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("job_user"), std::string::npos) << refused.error().message;
  // Allowed explicitly, root runs.
  executor_ = nullptr;
  executor_ = Make({"root", {}, false, true});
  ASSERT_TRUE(executor_->Start(Spec(23, {"sh", "-c", "id -un"})));
  EXPECT_EQ(WaitForExit(23, 0).exit_code, 0);
  EXPECT_EQ(Log(23), "root\n");
  // A spec that names no account (written by hand) is refused by the supervisor too.
  const std::string run_dir = dir_.File("jobs/24/run-0");
  std::filesystem::create_directories(run_dir);
  std::ofstream(run_dir + "/spec.json")
      << R"({"argv":["sh","-c","echo ran"],"env":{},"workdir":"/","stdout":")" << run_dir
      << R"(/out"})";
  const std::string shim = std::string(QIUSUO_SHIM) + " " + run_dir;
  EXPECT_EQ(std::system(shim.c_str()), 0);
  const RunStatus st = WaitForExit(24, 0);
  EXPECT_EQ(st.end, RunEnd::kFailedToStart);
  EXPECT_NE(st.reason.find("no job account"), std::string::npos) << st.reason;
  EXPECT_FALSE(std::filesystem::exists(run_dir + "/out"));
}

// Beyond the cap a log gets one line saying so and nothing more; the job goes on.
TEST_F(LocalExecutorTest, ALogStopsGrowingAtItsCapAndTheJobGoesOn) {
  executor_ = nullptr;
  executor_ = Make(test_support::TestJobUsers(), 1000);
  ASSERT_TRUE(executor_->Start(
      Spec(25, {"sh", "-c",
                "i=0; while [ $i -lt 100 ]; do echo 0123456789012345678901234567890123456789; "
                "i=$((i + 1)); done; echo small >&2; echo went-on > went-on"})));
  const RunStatus st = WaitForExit(25, 0);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(work_ + "/went-on"));
  const std::string log = Log(25);
  const std::string note = "\n[qiusuo] this log reached its cap of 1000 bytes";
  ASSERT_GT(log.size(), 1000u);
  EXPECT_EQ(log.substr(0, 41), "0123456789012345678901234567890123456789\n");
  EXPECT_EQ(log.substr(1000, note.size()), note) << log.substr(1000);
  EXPECT_EQ(log.find('\n', 1000 + note.size()), log.size() - 1) << "one line after the cap";
  EXPECT_EQ(Log(25, true), "small\n");
  // A later run of the same job adds nothing to a log at its cap.
  auto again = Spec(25, {"sh", "-c", "echo again"});
  again.run = 1;
  ASSERT_TRUE(executor_->Start(again));
  WaitForExit(25, 1);
  EXPECT_EQ(Log(25), log);
}

// A time limit too large for the clock is no limit, not a deadline in the past.
TEST_F(LocalExecutorTest, AHugeTimeLimitDoesNotEndTheJob) {
  auto spec = Spec(26, {"sh", "-c", "sleep 1; echo done"});
  spec.time_limit_s = std::numeric_limits<std::int64_t>::max();
  ASSERT_TRUE(executor_->Start(spec));
  const RunStatus st = WaitForExit(26, 0);
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_EQ(Log(26), "done\n");
}

// exit.json is the run's record: whole, and on disk (written, fsynced, renamed).
TEST_F(LocalExecutorTest, TheExitRecordIsWrittenWhole) {
  ASSERT_TRUE(executor_->Start(Spec(27, {"true"})));
  WaitForExit(27, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("jobs/27/run-0/exit.json")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("jobs/27/run-0/exit.json.tmp")));
}

}  // namespace
}  // namespace qiusuo
