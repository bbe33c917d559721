// qiusuo.toml: what `qiusuo init` writes loads back as the defaults, the Slurm keys
// are read and checked, and a key nobody knows is refused by name, never ignored.
#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

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

// Who runs the jobs: one account, a table per member, the handle lookup, root only
// when said; the log cap and the work directory; each refused by name when wrong.
TEST_F(ConfigTest, ReadsAndChecksTheJobAccountKeys) {
  auto config = Load(
      "job_user = \"qiusuo-job\"\njob_user_lookup = true\nallow_root_jobs = false\n"
      "job_log_max_bytes = 1048576\njob_work_dir = \"/srv/qiusuo-work\"\n"
      "[job_users]\nada = \"ada\"\nbob = \"bob.smith\"\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->job_user, "qiusuo-job");
  EXPECT_EQ(config->job_users,
            (std::map<std::string, std::string>{{"ada", "ada"}, {"bob", "bob.smith"}}));
  EXPECT_TRUE(config->job_user_lookup);
  EXPECT_FALSE(config->allow_root_jobs);
  EXPECT_EQ(config->job_log_max_bytes, 1048576);
  EXPECT_EQ(config->job_work_dir, "/srv/qiusuo-work");
  const ServerConfig defaults;
  EXPECT_EQ(defaults.job_log_max_bytes, std::int64_t{1} << 30);
  EXPECT_FALSE(defaults.allow_root_jobs);

  const std::pair<const char*, const char*> refused[] = {
      {"job_user = 7\n", "job_user"},
      {"job_user = \"a b\"\n", "job_user"},
      {"job_users = \"ada\"\n", "job_users"},
      {"[job_users]\nada = 1\n", "job_users"},
      {"job_user_lookup = \"yes\"\n", "job_user_lookup"},
      {"allow_root_jobs = 1\n", "allow_root_jobs"},
      {"job_log_max_bytes = 10\n", "job_log_max_bytes"},
      {"job_log_max_bytes = 9223372036854775807\n", "job_log_max_bytes"},
      {"job_work_dir = \"relative\"\n", "job_work_dir"},
  };
  for (const auto& [text, field] : refused) {
    config = Load(text);
    ASSERT_FALSE(config) << text;
    EXPECT_EQ(config.error().field, field) << text << config.error().message;
  }
}

TEST_F(ConfigTest, ReadsTheConnectionCapPerClientAndRefusesLessThanOne) {
  EXPECT_EQ(Load("")->max_connections_per_client, 64);
  auto config = Load("max_connections_per_client = 500\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->max_connections_per_client, 500);
  config = Load("max_connections_per_client = 0\n");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().field, "max_connections_per_client");
}

TEST_F(ConfigTest, ReadsTheAccountKeysAndRefusesNonsense) {
  ASSERT_TRUE(WriteDefaultServerConfig(dir_.File("qiusuo.toml")));
  const auto defaults = LoadServerConfig(dir_.File("qiusuo.toml"));
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->hash_threads, ServerConfig{}.hash_threads);
  EXPECT_EQ(defaults->session_idle_s, ServerConfig{}.session_idle_s);
  EXPECT_EQ(defaults->session_max_age_s, ServerConfig{}.session_max_age_s);
  EXPECT_EQ(defaults->api_token_idle_s, ServerConfig{}.api_token_idle_s);
  EXPECT_EQ(defaults->reset_code_ttl_s, ServerConfig{}.reset_code_ttl_s);
  EXPECT_EQ(defaults->signups_per_hour, ServerConfig{}.signups_per_hour);
  EXPECT_EQ(defaults->hash_queue, ServerConfig{}.hash_queue);

  const auto config = Load(
      "hash_threads = 0\nhash_queue = 4\nsignups_per_hour = 3\nsession_idle_s = 3600\n"
      "session_max_age_s = 86400\napi_token_idle_s = 0\nreset_code_ttl_s = 600\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->hash_threads, 0);
  EXPECT_EQ(config->hash_queue, 4);
  EXPECT_EQ(config->signups_per_hour, 3);
  EXPECT_EQ(config->session_idle_s, 3600);
  EXPECT_EQ(config->session_max_age_s, 86400);
  EXPECT_EQ(config->api_token_idle_s, 0);
  EXPECT_EQ(config->reset_code_ttl_s, 600);

  for (const auto& [text, field] : {std::pair{"hash_threads = -1\n", "hash_threads"},
                                    {"hash_queue = 0\n", "hash_threads"},
                                    {"signups_per_hour = 0\n", "signups_per_hour"},
                                    {"session_idle_s = 5\n", "session_idle_s"},
                                    {"session_max_age_s = 99999999999\n", "session_max_age_s"},
                                    {"api_token_idle_s = -1\n", "api_token_idle_s"},
                                    {"reset_code_ttl_s = 0\n", "reset_code_ttl_s"}}) {
    const auto refused = Load(text);
    ASSERT_FALSE(refused) << text;
    EXPECT_EQ(refused.error().field, field) << text;
  }
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
