#pragma once
// Compute as stored: jobs and their notes, boosts, what a project's scheduling
// weight is made of, and the minute-by-minute GPU utilization. Part of Tx; service
// code that touches only these takes a ComputeTx.

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/error.h"
#include "core/job.h"
#include "store/page.h"

namespace qiusuo {

struct GpuSample {
  UnixSeconds at = 0;  // the minute
  int busy = 0;
  int total = 0;
};

class ComputeTx {
 public:
  virtual ~ComputeTx() = default;

  // Jobs. UpdateJob writes every mutable field (state, run, GPUs, stop, exit, times).
  virtual Result<JobId> InsertJob(const Job& job) = 0;
  virtual Result<std::optional<Job>> FindJob(JobId id) = 0;
  virtual Status UpdateJob(const Job& job) = 0;
  // Pending, preempted and running jobs, oldest first.
  virtual Result<std::vector<Job>> ListActiveJobs() = 0;
  // Newest first; an empty project lists all.
  virtual Result<std::vector<Job>> ListJobs(std::optional<ProjectId> project, Page page) = 0;
  virtual Status InsertJobNote(const JobNote& note, MemberId author) = 0;
  virtual Result<std::vector<JobNote>> ListJobNotes(JobId job) = 0;

  // Boosts, and what a project's scheduling weight is made of.
  virtual Status InsertBoost(const ProjectBoost& boost, MemberId granted_by) = 0;
  // Boosts still live at `now`; all of them when now is 0.
  virtual Result<std::vector<ProjectBoost>> ListBoosts(UnixSeconds now) = 0;
  // project -> (active members, backers), for every project.
  virtual Result<std::map<std::int64_t, std::pair<int, int>>> ProjectPeople() = 0;

  // Busy GPUs once a minute. A second sample of the same minute (another replica) is
  // dropped. List returns samples at or after `since`, oldest first.
  virtual Status InsertGpuSample(const GpuSample& sample) = 0;
  virtual Result<std::vector<GpuSample>> ListGpuSamples(UnixSeconds since) = 0;

  // The queue a page at a time: pending, preempted and running jobs, oldest first.
  virtual Result<std::vector<Job>> ListActiveJobsPage(PageAfter page) = 0;
  // `owner`'s jobs that wait for their first start (state pending).
  virtual Result<std::int64_t> CountPendingJobs(MemberId owner) = 0;
};

}  // namespace qiusuo
