// Which account runs a member's job: the table, then the lookup, then job_user; never
// the server's own account, root only when allowed.
#include "exec/job_user.h"

#include <gtest/gtest.h>
#include <pwd.h>

#include "exec/test_job_user.h"

namespace qiusuo {
namespace {

class JobUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = test_support::JobAccountUnavailable(); !why.empty())
      GTEST_SKIP() << why;
  }
};

TEST_F(JobUserTest, TheTableThenTheLookupThenJobUser) {
  JobUserConfig config{"qiusuo-job", {{"ada", "nobody"}}, false, false};
  auto ada = ResolveJobAccount(config, "ada");
  ASSERT_TRUE(ada) << ada.error().message;
  EXPECT_EQ(ada->name, "nobody");
  auto bob = ResolveJobAccount(config, "bob");
  ASSERT_TRUE(bob) << bob.error().message;
  EXPECT_EQ(bob->name, "qiusuo-job");
  EXPECT_EQ(bob->uid, ::getpwnam("qiusuo-job")->pw_uid);
  EXPECT_FALSE(bob->groups.empty());
  // A member named like an account gets it with the lookup, and job_user without.
  config.members.clear();
  EXPECT_EQ(ResolveJobAccount(config, "nobody")->name, "qiusuo-job");
  config.lookup = true;
  EXPECT_EQ(ResolveJobAccount(config, "nobody")->name, "nobody");
  EXPECT_EQ(ResolveJobAccount(config, "no-such-member-account")->name, "qiusuo-job");
}

TEST_F(JobUserTest, RootTheServersOwnOrAMissingAccountIsRefused) {
  auto root = ResolveJobAccount({"", {{"ada", "root"}}, false, false}, "ada");
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().message.find("allow_root_jobs"), std::string::npos);
  EXPECT_TRUE(ResolveJobAccount({"", {{"ada", "root"}}, false, true}, "ada"));
  // With the lookup, a member who signed up as "root" is no way around it.
  EXPECT_FALSE(ResolveJobAccount({"qiusuo-job", {}, true, false}, "root"));
  auto missing = ResolveJobAccount({"", {{"ada", "no-such-account-qs"}}, false, false}, "ada");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no-such-account-qs"), std::string::npos);
  auto none = ResolveJobAccount({}, "ada");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("job_user"), std::string::npos);
  // At start-up: an account that can never run a job stops the server.
  EXPECT_FALSE(CheckJobUserConfig({"root", {}, false, false}));
  EXPECT_FALSE(CheckJobUserConfig({"no-such-account-qs", {}, false, false}));
  const auto fine = CheckJobUserConfig({"qiusuo-job", {}, false, false});
  ASSERT_TRUE(fine);
  EXPECT_TRUE(fine->empty());
  const auto unset = CheckJobUserConfig({});
  ASSERT_TRUE(unset);
  ASSERT_EQ(unset->size(), 1u);
  EXPECT_NE(unset->front().find("every job will fail"), std::string::npos);
}

}  // namespace
}  // namespace qiusuo
