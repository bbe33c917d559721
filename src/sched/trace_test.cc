#include "sched/trace.h"

#include <gtest/gtest.h>

namespace qiusuo::sched {
namespace {

TEST(Trace, ReadsItpAndAssignsSeededProjects) {
  const std::string csv =
      "job_id,submission_time,duration,num_gpu\n"
      "b,20,100,8\n"
      "a,10,50.5,1\n";
  auto t = ParseTrace(csv, {});
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->format, "itp");
  ASSERT_EQ(t->jobs.size(), 2u);
  EXPECT_EQ(t->jobs[0].name, "a");  // sorted by submit
  EXPECT_EQ(t->jobs[0].duration, 51);
  EXPECT_EQ(t->jobs[1].gpus, 8);
  EXPECT_EQ(t->projects.size(), 8u);
  auto again = ParseTrace(csv, {});
  EXPECT_EQ(again->jobs[0].project, t->jobs[0].project);
}

TEST(Trace, ReadsPhillyWithUsersAsProjectsAndSkipsCpuJobs) {
  const std::string csv =
      "job_id,user,num_gpu,submit_time,iterations,model_name,duration,interval\n"
      "0,vc_a,1,30,5,vgg,747,14\n"
      "1,vc_b,0,10,5,vgg,98,8\n"
      "2,vc_a,4,20,5,vgg,30,17\n";
  auto t = ParseTrace(csv, {});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->format, "philly");
  EXPECT_EQ(t->skipped, 1);
  ASSERT_EQ(t->jobs.size(), 2u);
  EXPECT_EQ(t->projects, std::vector<std::string>{"vc_a"});
  EXPECT_EQ(t->jobs[0].submit, 20);
}

TEST(Trace, ExplainsBadInput) {
  auto unknown = ParseTrace("a,b,c\n1,2,3\n", {});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("header"), std::string::npos);
  auto bad_row = ParseTrace("job_id,submission_time,duration,num_gpu\nx,1,oops,2\n", {});
  ASSERT_FALSE(bad_row);
  EXPECT_NE(bad_row.error().message.find("line 2"), std::string::npos);
}

// Found by fuzz/fuzz_trace: numbers no Time or int holds are refused, not cast.
TEST(Trace, RefusesNumbersPastWhatAJobCanHave) {
  const std::string itp = "job_id,submission_time,duration,num_gpu\n";
  for (const char* row : {"x,1e30,5,1", "x,1,1e30,1", "x,1,5,1e30", "x,1,5,-1e30", "x,nan,5,1",
                          "x,1,inf,1", "x,1,5,nan", "x,1,5,-inf"}) {
    auto got = ParseTrace(itp + row + "\n", {});
    ASSERT_FALSE(got) << row;
    EXPECT_NE(got.error().message.find("line 2"), std::string::npos) << row;
  }
  auto fine = ParseTrace(itp + "x,3153600000,86400,1048576\n", {});
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->jobs.at(0).gpus, 1048576);
}

}  // namespace
}  // namespace qiusuo::sched
