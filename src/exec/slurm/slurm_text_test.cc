// The text the Slurm executor reads from and writes for Slurm. The batch script is
// run here by bash with a stand-in srun, so what it does is checked, not its wording.
#include "exec/slurm/slurm_text.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"

namespace qiusuo::slurm {
namespace {

TEST(SlurmText, RunNamesRoundTripAndRejectOthers) {
  EXPECT_EQ(RunName("qs", 12, 3), "qs-12-3");
  EXPECT_EQ(ParseRunName("qs", "qs-12-3"), (RunKey{12, 3}));
  EXPECT_EQ(ParseRunName("lab-b", "lab-b-7-0"), (RunKey{7, 0}));
  for (const char* other : {"qs-12", "qs-x-1", "qsx-12-3", "qs-12-3-4", "qs--1-0", "qs-0-1",
                            "train.sh", "", "qs-12-"}) {
    EXPECT_FALSE(ParseRunName("qs", other)) << other;
  }
}

TEST(SlurmText, ExpandsHostlists) {
  EXPECT_EQ(ExpandHostlist("n[1-3]"), (std::vector<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(ExpandHostlist("gpu[08-10,12],login1"),
            (std::vector<std::string>{"gpu08", "gpu09", "gpu10", "gpu12", "login1"}));
  EXPECT_EQ(ExpandHostlist("n3"), (std::vector<std::string>{"n3"}));
  EXPECT_EQ(ExpandHostlist("rack[1-2]-gpu"), (std::vector<std::string>{"rack1-gpu", "rack2-gpu"}));
  EXPECT_TRUE(ExpandHostlist("").empty());
  EXPECT_TRUE(ExpandHostlist("n[5-1]").empty());
}

TEST(SlurmText, CountsGpusInGres) {
  EXPECT_EQ(GpuCount("gpu:4"), 4);
  EXPECT_EQ(GpuCount("gpu:a100:8(S:0-1)"), 8);
  EXPECT_EQ(GpuCount("gpu:a100:2(S:0,1),gpu:v100:2"), 4);
  EXPECT_EQ(GpuCount("gpu:2,shard:8"), 2);
  EXPECT_EQ(GpuCount("(null)"), 0);
  EXPECT_EQ(GpuCount("mps:100"), 0);
}

TEST(SlurmText, ParsesSqueueWhateverTheNames) {
  const auto rows = ParseSqueue(
      "41|qs-3-0|RUNNING|n[1-2]|None\n"
      "42|my|odd|name|PENDING||JobHeldUser\n"
      "garbage\n"
      "43_1|array|PENDING||Priority\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, 41);
  EXPECT_EQ(rows[0].name, "qs-3-0");
  EXPECT_EQ(rows[0].state, "RUNNING");
  EXPECT_EQ(rows[0].nodes, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(rows[1].name, "my|odd|name");
  EXPECT_EQ(rows[1].state, "PENDING");
  EXPECT_TRUE(rows[1].nodes.empty());
  EXPECT_EQ(rows[1].reason, "JobHeldUser");
}

TEST(SlurmText, ParsesSinfoIntoNumberedGpus) {
  const auto nodes = ParseSinfo(
      "n1|idle|gpu:4|none\n"
      "n2|drained|gpu:4|disk full\n"
      "n3|mixed|gpu:2(S:0)|none\n"
      "n3|mixed|gpu:2(S:0)|none\n"
      "n4|down*|gpu:4|Not responding\n");
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].gpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(nodes[0].schedulable);
  EXPECT_EQ(nodes[1].gpus, (std::vector<int>{4, 5, 6, 7}));
  EXPECT_FALSE(nodes[1].schedulable);
  EXPECT_EQ(nodes[1].reason, "disk full");
  EXPECT_EQ(nodes[2].gpus, (std::vector<int>{8, 9}));
  EXPECT_TRUE(nodes[2].schedulable);
  EXPECT_EQ(nodes[0].reason, "");
  EXPECT_FALSE(nodes[3].schedulable);
}

TEST(SlurmText, TellsWhichNodesTakeJobs) {
  for (const char* s : {"idle", "mixed", "allocated", "completing", "IDLE", "mixed+planned"})
    EXPECT_TRUE(NodeTakesJobs(s)) << s;
  for (const char* s : {"drained", "draining", "down", "down*", "idle*", "idle~", "mixed+drain",
                        "maint", "fail", "unknown", "future", ""})
    EXPECT_FALSE(NodeTakesJobs(s)) << s;
}

TEST(SlurmText, KnowsWhichJobStatesAreOver) {
  for (const char* s : {"PENDING", "RUNNING", "COMPLETING", "SUSPENDED", "CONFIGURING", "NEWSTATE"})
    EXPECT_TRUE(IsActiveState(s)) << s;
  for (const char* s :
       {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"})
    EXPECT_FALSE(IsActiveState(s)) << s;
}

TEST(SlurmText, TimeLimitsAndTransientErrors) {
  EXPECT_EQ(SbatchTimeLimit(60, 30), "3");  // 90 s -> 2 min, + 1 spare
  EXPECT_EQ(SbatchTimeLimit(1, 0), "2");
  EXPECT_TRUE(
      IsTransientError("sbatch: error: Batch job submission failed: Unable to contact "
                       "slurm controller (connect failure)"));
  EXPECT_TRUE(IsTransientError("did not answer in time"));
  EXPECT_FALSE(
      IsTransientError("sbatch: error: Batch job submission failed: Invalid node name specified"));
}

TEST(SlurmText, ParsesExitRecords) {
  const auto ran = ParseExitRecord("exit=137\nsignal=9\nstarted=1\nreason=\n");
  ASSERT_TRUE(ran);
  EXPECT_TRUE(ran->started);
  EXPECT_EQ(ran->exit_code, 137);
  EXPECT_EQ(ran->signal, 9);
  const auto missing = ParseExitRecord("exit=127\nsignal=0\nstarted=0\nreason=no program x\n");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->started);
  EXPECT_EQ(missing->reason, "no program x");
  EXPECT_FALSE(ParseExitRecord("exit=\n"));
  EXPECT_FALSE(ParseExitRecord(""));
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The script under bash, with `srun` replaced by a function that runs the command
// here: what the job sees, and the files the script leaves.
class BatchScriptRun : public ::testing::Test {
 protected:
  int RunScript(const LaunchSpec& spec, std::int64_t log_max_bytes = std::int64_t{1} << 20) {
    files_ = RunFiles{dir_.File("jobs/" + std::to_string(spec.job_id)), spec.run};
    std::filesystem::create_directories(files_.Checkpoint());
    // As the test's own account: what the job sees; the switch itself is tested on
    // the real cluster (compute_exec_test).
    const JobAccount self{"self", ::getuid(), ::getgid(), {::getgid()}, "/"};
    const std::string script = BatchScript(spec, files_, self, log_max_bytes);
    // `srun OPTIONS -- CMD...` runs CMD.
    std::ofstream(dir_.File("run.sh"))
        << "srun() { while [ \"$1\" != -- ]; do shift; done; shift; \"$@\"; }\n"
        << "SLURM_JOB_ID=77; SLURM_JOB_NODELIST=n1; SLURM_JOB_NUM_NODES=1; "
           "export SLURM_PROCID=0\n"
        << script.substr(script.find('\n') + 1);
    const std::string cmd = "bash " + dir_.File("run.sh") + " >" + dir_.File("out") + " 2>&1";
    const int status = std::system(cmd.c_str());
    return WEXITSTATUS(status);
  }

  TempDir dir_;
  RunFiles files_;
};

TEST_F(BatchScriptRun, RunsTheCommandWithItsEnvironmentAndRecordsTheExit) {
  LaunchSpec spec;
  spec.job_id = 5;
  spec.run = 2;
  spec.workdir = dir_.path().string();
  spec.env = {{"GREETING", "it's \"quoted\" $HOME `x`"}};
  spec.argv = {"sh", "-c",
               "echo \"$GREETING|$QIUSUO_JOB_ID|$QIUSUO_RESTART_COUNT|$PWD\"; "
               "touch \"$QIUSUO_CHECKPOINT_DIR/ck\"; exit 3"};
  EXPECT_EQ(RunScript(spec), 3);
  EXPECT_EQ(Slurp(dir_.File("out")),
            "it's \"quoted\" $HOME `x`|5|2|" + dir_.path().string() + "\n");
  EXPECT_TRUE(std::filesystem::exists(files_.Checkpoint() + "/ck"));
  const auto exit = ParseExitRecord(Slurp(files_.Exit()));
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->started);
  EXPECT_EQ(exit->exit_code, 3);
  EXPECT_EQ(Slurp(files_.Started()).substr(0, 3), "77 ");
}

TEST_F(BatchScriptRun, AMissingProgramOrWorkdirIsACannotStart) {
  LaunchSpec spec;
  spec.job_id = 6;
  spec.workdir = dir_.path().string();
  spec.argv = {"no-such-program-here", "x"};
  EXPECT_EQ(RunScript(spec), 127);
  auto exit = ParseExitRecord(Slurp(files_.Exit()));
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->started);
  EXPECT_NE(exit->reason.find("no program no-such-program-here"), std::string::npos)
      << exit->reason;

  spec.run = 1;
  spec.workdir = dir_.File("it's gone");
  spec.argv = {"true"};
  EXPECT_EQ(RunScript(spec), 127);
  exit = ParseExitRecord(Slurp(files_.Exit()));
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->started);
  EXPECT_NE(exit->reason.find("no directory " + dir_.File("it's gone")), std::string::npos)
      << exit->reason;
}

// Each stream of each rank stops at the cap, says so once, and the job goes on.
TEST_F(BatchScriptRun, OutputBeyondTheCapIsDroppedAndTheJobGoesOn) {
  LaunchSpec spec;
  spec.job_id = 7;
  spec.workdir = dir_.path().string();
  spec.argv = {"sh", "-c", "seq 1 1000; echo went-on >&2; exit 0"};
  EXPECT_EQ(RunScript(spec, 100), 0);
  const std::string out = Slurp(dir_.File("out"));
  EXPECT_NE(out.find("[qiusuo] this log reached its cap of 100 bytes"), std::string::npos) << out;
  EXPECT_NE(out.find("went-on\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("\n999\n"), std::string::npos) << out;
  EXPECT_LT(out.size(), 400u) << out;
}

}  // namespace
}  // namespace qiusuo::slurm
