// qiusuo.toml: what `qiusuo init` writes loads back as the defaults, the Slurm keys
// are read and checked, and a key nobody knows is refused by name, never ignored.
#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"

namespace qiusuo::server {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  Result<ServerConfig> Load(const std::string& text) {
    std::ofstream(dir_.File("qiusuo.toml")) << text;
    return LoadServerConfig(dir_.File("qiusuo.toml"));
  }
  TempDir dir_;
};

TEST_F(ConfigTest, TheWrittenDefaultsLoadBackAsTheDefaults) {
  ASSERT_TRUE(WriteDefaultServerConfig(dir_.File("qiusuo.toml")));
  const auto config = LoadServerConfig(dir_.File("qiusuo.toml"));
  ASSERT_TRUE(config) << config.error().message;
  const ServerConfig defaults;
  EXPECT_EQ(config->executor, ExecutorKind::kLocal);
  EXPECT_EQ(config->listen, defaults.listen);
  EXPECT_EQ(config->slurm_partition, "qiusuo");
  EXPECT_EQ(config->slurm_job_prefix, "qs");
  EXPECT_EQ(config->grace_s, defaults.grace_s);
}

TEST_F(ConfigTest, ReadsTheSlurmKeys) {
  const auto config = Load(
      "executor = \"slurm\"\nslurm_partition = \"gpu\"\nslurm_conf = \"/etc/slurm/slurm.conf\"\n"
      "shared_dir = \"/nfs/qiusuo\"\nslurm_job_prefix = \"lab_a\"\nslurm_cpus_per_gpu = 8\n"
      "slurm_mem_per_gpu_mb = 65536\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->executor, ExecutorKind::kSlurm);
  EXPECT_EQ(config->slurm_partition, "gpu");
  EXPECT_EQ(config->slurm_conf, "/etc/slurm/slurm.conf");
  EXPECT_EQ(config->shared_dir, "/nfs/qiusuo");
  EXPECT_EQ(config->slurm_job_prefix, "lab_a");
  EXPECT_EQ(config->slurm_cpus_per_gpu, 8);
  EXPECT_EQ(config->slurm_mem_per_gpu_mb, 65536);
}

TEST_F(ConfigTest, RefusesSlurmWithoutASharedDirOrWithABadPrefix) {
  auto config = Load("executor = \"slurm\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "shared_dir");
  config = Load("executor = \"slurm\"\nshared_dir = \"relative/dir\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "shared_dir");
  config = Load("executor = \"slurm\"\nshared_dir = \"/nfs/q\"\nslurm_job_prefix = \"a-b\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "slurm_job_prefix");
  config = Load("executor = \"kubernetes\"\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("\"local\" or \"slurm\""), std::string::npos);
}

TEST_F(ConfigTest, AnUnknownKeyIsRefusedByNameWithTheNearestKnownOne) {
  auto config = Load("exector = \"slurm\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "exector");
  EXPECT_NE(config.error().message.find("unknown key \"exector\" (did you mean \"executor\"?)"),
            std::string::npos)
      << config.error().message;
  config = Load("colour = \"blue\"\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("did you mean"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, ReadsTheLimitsPerMemberAndRefusesNonsense) {
  ASSERT_TRUE(WriteDefaultServerConfig(dir_.File("qiusuo.toml")));
  auto config = LoadServerConfig(dir_.File("qiusuo.toml"));
  ASSERT_TRUE(config) << config.error().message;
  const ServerConfig defaults;
  EXPECT_EQ(config->limit_pending_jobs, defaults.limit_pending_jobs);
  EXPECT_EQ(config->limit_job_spec_bytes, defaults.limit_job_spec_bytes);
  EXPECT_EQ(config->limit_text_bytes, defaults.limit_text_bytes);
  EXPECT_EQ(config->limit_ideas_per_hour, defaults.limit_ideas_per_hour);
  EXPECT_EQ(config->limit_projects_per_hour, defaults.limit_projects_per_hour);
  EXPECT_EQ(config->limit_entries_per_hour, defaults.limit_entries_per_hour);

  config = Load(
      "limit_pending_jobs = 5\nlimit_job_spec_bytes = 4096\nlimit_text_bytes = 2000\n"
      "limit_ideas_per_hour = 3\nlimit_projects_per_hour = 2\nlimit_entries_per_hour = 7\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->limit_pending_jobs, 5);
  EXPECT_EQ(config->limit_job_spec_bytes, 4096);
  EXPECT_EQ(config->limit_text_bytes, 2000);
  EXPECT_EQ(config->limit_ideas_per_hour, 3);
  EXPECT_EQ(config->limit_projects_per_hour, 2);
  EXPECT_EQ(config->limit_entries_per_hour, 7);

  config = Load("limit_pending_jobs = 0\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "limit_pending_jobs");
  config = Load("limit_text_bytes = 10\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "limit_text_bytes");
  // Rule 3: there is no GPU quota to configure, per member or per project.
  config = Load("limit_gpus = 4\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "limit_gpus");
}

}  // namespace
}  // namespace qiusuo::server
