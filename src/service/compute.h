#pragma once
// Running jobs: submit, queue, cancel, notes, boosts, and the scheduler loop that
// connects the uncapped policy (sched/) to an executor (exec/). Every decision is
// recorded in the store before it is carried out, so a server killed at any point
// restarts into a consistent state: it reattaches to running jobs, collects the
// true exit status of those that ended meanwhile, and starts nothing twice.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "core/job.h"
#include "exec/executor.h"
#include "sched/policy.h"
#include "service/lab.h"
#include "service/limits.h"
#include "store/leader.h"
#include "store/store.h"

namespace qiusuo {

struct ComputeConfig {
  sched::PolicyConfig policy;  // explain is forced on: the queue shows why each job waits
  std::int64_t grace_s = 30;
  // Abuse limits per member on jobs waiting and the size of a job's command; never on
  // the GPUs a job asks for or uses (rule 3, service/limits.h).
  MemberLimits limits;
};

// The longest time limit a job may ask for: 366 days. Larger ones are refused at
// submit, so no deadline computed from one can overflow.
inline constexpr std::int64_t kMaxTimeLimitS = std::int64_t{366} * 24 * 3600;

// What a job's env values read as to anyone but the job's owner (the names stay
// visible). Secrets go in env: only the owner and the job itself see them.
inline constexpr std::string_view kHiddenEnvValue = "(hidden)";

struct SubmitRequest {
  ProjectId project;
  std::string name;
  int gpus = 1;
  std::optional<std::int64_t> time_limit_s;
  std::string workdir;  // absolute; the CLI sends its working directory
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> argv;
};

struct QueueEntry {
  Job job;
  std::string reason;  // why it waits; empty for running jobs
};

struct ProjectUse {
  std::int64_t project = 0;
  std::string title;
  sched::ProjectShare share;
  std::vector<ProjectBoost> boosts;
};

struct ClusterView {
  std::vector<ExecNode> nodes;  // the executor's machines, with their state
  std::vector<int> gpus;
  std::map<int, Job> gpu_jobs;  // GPU index -> the job on it
  std::vector<ProjectUse> projects;
  int pending = 0;
};

// Utilization over a window, in equal buckets: the mean share of GPUs busy, from the
// scheduler's once-a-minute samples; nullopt where no sample exists (server down).
struct UtilizationView {
  UnixSeconds from = 0;
  UnixSeconds to = 0;
  UnixSeconds bucket_s = 0;
  std::vector<std::optional<double>> buckets;
  std::optional<double> mean;  // over the samples of the whole window
};

struct LogChunk {
  std::string data;
  std::int64_t next_offset = 0;
  bool done = false;  // the job is over and everything has been read
};

class Compute {
 public:
  Compute(Store& store, const Clock& clock, Executor& executor, ComputeConfig config);
  ~Compute();

  // Every Job returned shows its env values to its owner only (kHiddenEnvValue to
  // anyone else, stewards included).
  Result<Job> Submit(const Caller& caller, SubmitRequest request);
  Result<Job> GetJob(const Caller& caller, JobId id);
  Result<std::vector<JobNote>> Notes(const Caller& caller, JobId id);
  Result<Listing<Job>> ListJobs(const Caller& caller, std::optional<ProjectId> project, Page page);
  Result<std::vector<QueueEntry>> Queue(const Caller& caller);
  // The queue a page at a time, oldest first; next_before is the `after` of the next page.
  Result<Listing<QueueEntry>> QueuePage(const Caller& caller, PageAfter page);
  // The job's owner may cancel it; a steward may too, as an operation.
  Result<Job> Cancel(const Caller& caller, JobId id);
  // Trial and error is part of the record: success, failure or a negative result.
  Status AddNote(const Caller& caller, JobId id, JobOutcome outcome, const std::string& text);
  Result<ProjectBoost> Boost(const Caller& caller, ProjectId project, double factor,
                             UnixSeconds expires_at, const std::string& reason);
  Result<std::vector<ProjectBoost>> Boosts(const Caller& caller);
  Result<ClusterView> Cluster(const Caller& caller);
  // `hours` back from now (1 to 24*31), in `buckets` buckets (1 to 500).
  Result<UtilizationView> Utilization(const Caller& caller, int hours, int buckets);
  Result<LogChunk> ReadLog(const Caller& caller, JobId id, bool stderr_stream, std::int64_t offset,
                           std::int64_t max_bytes);

  // One scheduling pass: collect ended runs, plan with the policy, carry it out. Does
  // nothing while another server leads (see FollowLeadership).
  Status Tick();
  // Several servers on one database: each pass first asks `leadership` (which must
  // outlive this service) whether this server leads, and only the leader schedules.
  // Without it this server always leads. Call before the first Tick.
  void FollowLeadership(Leadership* leadership);
  // Whether the last pass found this server leading.
  bool Leading();
  // Runs Tick every `period` and whenever Kick is called, until Stop.
  void StartLoop(std::chrono::milliseconds period);
  void StopLoop();
  void Kick();

 private:
  // Brings `active` (the pending, preempted and running jobs) up to date with the
  // executor, recording ended runs; drops the jobs that are over.
  Status Reconcile(UnixSeconds now, std::vector<Job>& active);
  Status PlanAndApply(UnixSeconds now, std::vector<Job>& active);
  // Asks the leadership; on a change, logs it and starts afresh as a restarted server
  // would. Needs tick_mu_.
  bool TakeLead();
  // Why `job` is in the queue as it is; empty for a run going on. Needs view_mu_.
  std::string WaitingReason(const Job& job) const;

  Store& store_;
  const Clock& clock_;
  Executor& executor_;
  ComputeConfig config_;
  std::unique_ptr<sched::Policy> policy_;

  // Serializes Tick and Cancel (which changes job states a tick has read); guards
  // leadership_, leading_, usage_, usage_at_, stops_sent_.
  std::mutex tick_mu_;
  Leadership* leadership_ = nullptr;
  bool leading_ = true;
  std::set<RunKey> stops_sent_;  // runs this process has asked the executor to stop
  sched::UsageTable usage_;
  UnixSeconds usage_at_ = 0;
  UnixSeconds sampled_minute_ = 0;  // the last minute whose busy GPUs were recorded

  std::mutex view_mu_;  // guards reasons_, shares_
  std::map<std::int64_t, std::string> reasons_;
  std::map<std::int64_t, sched::ProjectShare> shares_;

  std::mutex loop_mu_;  // guards kicked_, stopping_
  std::condition_variable loop_cv_;
  bool kicked_ = false;
  bool stopping_ = false;
  std::thread loop_;
};

}  // namespace qiusuo
