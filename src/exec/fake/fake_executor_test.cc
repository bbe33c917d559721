#include "exec/fake/fake_executor.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "common/temp_dir.h"

namespace qiusuo {
namespace {

LaunchSpec Spec(std::int64_t job, int run) {
  LaunchSpec s;
  s.job_id = job;
  s.run = run;
  s.argv = {"train"};
  s.gpus = {0, 1};
  return s;
}

TEST(FakeExecutor, ARunIsRunningUntilTheTestEndsIt) {
  TempDir dir;
  FakeExecutor executor(4, dir.File("logs"));
  EXPECT_EQ(AllGpus(executor.Nodes()), (std::vector<int>{0, 1, 2, 3}));
  int wakes = 0;
  executor.OnChange([&] { ++wakes; });
  ASSERT_TRUE(executor.Start(Spec(1, 0)));
  EXPECT_EQ(executor.Poll(1, 0)->state, RunStatus::State::kRunning);
  EXPECT_TRUE(executor.Running(1, 0));
  EXPECT_EQ(wakes, 0);
  executor.Exit(1, 0, 3);
  EXPECT_EQ(wakes, 1);
  const RunStatus st = *executor.Poll(1, 0);
  EXPECT_EQ(st.state, RunStatus::State::kExited);
  EXPECT_EQ(st.end, RunEnd::kExited);
  EXPECT_EQ(st.exit_code, 3);
  EXPECT_FALSE(executor.Running(1, 0));
  ASSERT_EQ(executor.Starts().size(), 1u);
  EXPECT_EQ(executor.Starts()[0].gpus, (std::vector<int>{0, 1}));
}

TEST(FakeExecutor, EachEndIsReportedAsARealExecutorReportsIt) {
  TempDir dir;
  FakeExecutor executor(8, dir.File("logs"));
  for (int run = 0; run < 5; ++run) ASSERT_TRUE(executor.Start(Spec(2, run)));
  executor.KillBySignal(2, 0, SIGKILL);
  executor.HitTimeLimit(2, 1);
  executor.EndStopped(2, 2);
  executor.FailToStart(2, 3, "cannot start: no such directory");
  executor.Lose(2, 4);
  EXPECT_EQ(executor.Poll(2, 0)->signal, SIGKILL);
  EXPECT_EQ(executor.Poll(2, 0)->end, RunEnd::kExited);
  EXPECT_EQ(executor.Poll(2, 1)->end, RunEnd::kTimeLimit);
  EXPECT_EQ(executor.Poll(2, 1)->reason, "time limit");
  EXPECT_EQ(executor.Poll(2, 2)->end, RunEnd::kStopped);
  EXPECT_EQ(executor.Poll(2, 3)->end, RunEnd::kFailedToStart);
  EXPECT_EQ(executor.Poll(2, 4)->state, RunStatus::State::kLost);
  EXPECT_FALSE(executor.Poll(2, 4)->never_ran);
  // Nothing was ever launched for run 5.
  EXPECT_EQ(executor.Poll(2, 5)->state, RunStatus::State::kLost);
  EXPECT_TRUE(executor.Poll(2, 5)->never_ran);
}

TEST(FakeExecutor, StopsAreSeenAndStartsCanBeRefused) {
  TempDir dir;
  FakeExecutor executor(8, dir.File("logs"));
  ASSERT_TRUE(executor.Start(Spec(3, 0)));
  ASSERT_TRUE(executor.Stop(3, 0));
  EXPECT_TRUE(executor.StopAsked(3, 0));
  EXPECT_TRUE(executor.Running(3, 0)) << "a stop takes effect when the test ends the run";
  EXPECT_EQ(executor.Stops(), (std::vector<std::pair<std::int64_t, int>>{{3, 0}}));
  executor.RefuseNextStart({ErrorCode::kUnavailable, "no supervisor", ""});
  auto refused = executor.Start(Spec(4, 0));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "no supervisor");
  EXPECT_FALSE(executor.Spec(4, 0));
  EXPECT_TRUE(executor.Start(Spec(4, 0)));
}

TEST(FakeExecutor, OutputGoesToTheLogPaths) {
  TempDir dir;
  FakeExecutor executor(1, dir.File("logs"));
  executor.Print(5, "out\n");
  executor.Print(5, "err\n", true);
  std::stringstream out, err;
  out << std::ifstream(executor.LogPath(5, false)).rdbuf();
  err << std::ifstream(executor.LogPath(5, true)).rdbuf();
  EXPECT_EQ(out.str(), "out\n");
  EXPECT_EQ(err.str(), "err\n");
}

}  // namespace
}  // namespace qiusuo
