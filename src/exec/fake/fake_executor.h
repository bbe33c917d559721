#pragma once
// An executor for tests that runs nothing: a started run is "running" until the test
// ends it, and ends exactly how the test says (an exit code, a signal, its time
// limit, a stop carried out, a failure to start, a lost or never-launched run). The
// test sees every Start and Stop. Deterministic: no process, no thread, no clock.
//
// Like the real executors it keeps its runs when the service using it goes away,
// so a test can "restart the server" over the same executor and see it reattach.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/executor.h"

namespace qiusuo {

class FakeExecutor final : public Executor {
 public:
  // One node of `gpus` slots, numbered from 0; the jobs' "output" goes under `logs_dir`.
  FakeExecutor(int gpus, std::string logs_dir);
  // Nodes "f1", "f2", ... with these many GPUs each, numbered across them.
  FakeExecutor(const std::vector<int>& gpus_per_node, std::string logs_dir);

  std::vector<ExecNode> Nodes() const override;
  // Records the run as running, or returns the error given to RefuseNextStart.
  Status Start(const LaunchSpec& spec) override;
  // A run never started reports lost and never ran, as a real executor does for a run
  // the server recorded and never launched.
  Result<RunStatus> Poll(std::int64_t job_id, int run) override;
  // Records the request; the run goes on until the test ends it (see EndStopped), as a
  // real one goes on through its grace period.
  Status Stop(std::int64_t job_id, int run) override;
  void OnChange(std::function<void()> callback) override;
  std::string LogPath(std::int64_t job_id, bool stderr_stream) const override;
  void Retain(const std::vector<RunKey>& runs) override;

  // ---- for the test ----

  // The next Start fails with `error` and records nothing.
  void RefuseNextStart(Error error);
  // Appends `text` to the job's stdout (or stderr) log, as its process would.
  void Print(std::int64_t job_id, const std::string& text, bool stderr_stream = false);

  // Ends a running run and wakes the scheduler, as a supervisor does.
  void Exit(std::int64_t job_id, int run, int exit_code);
  void KillBySignal(std::int64_t job_id, int run, int signal);
  void HitTimeLimit(std::int64_t job_id, int run);  // SIGTERM at the limit
  void EndStopped(std::int64_t job_id, int run);    // a Stop carried out: SIGTERM
  void FailToStart(std::int64_t job_id, int run, const std::string& reason);
  void Lose(std::int64_t job_id, int run);  // its supervisor died: no exit status

  // From now on Nodes() throws std::runtime_error(what), as a bug in a dependency
  // would; an empty `what` ends that.
  void BreakGpus(std::string what);
  // Drains (false) or resumes (true) a node, as an operator would in the cluster.
  void SetSchedulable(const std::string& node, bool schedulable, const std::string& reason = "");
  // The runs the last Retain named.
  std::vector<RunKey> Retained() const;

  // Every Start, in order.
  std::vector<LaunchSpec> Starts() const;
  // Every Stop, in order, as (job, run).
  std::vector<std::pair<std::int64_t, int>> Stops() const;
  bool Running(std::int64_t job_id, int run) const;
  bool StopAsked(std::int64_t job_id, int run) const;
  // The spec of the run, if it was started.
  std::optional<LaunchSpec> Spec(std::int64_t job_id, int run) const;

 private:
  struct Run {
    LaunchSpec spec;
    bool stop_asked = false;
    std::optional<RunStatus> ended;
  };

  void End(std::int64_t job_id, int run, RunStatus status);

  const std::string logs_dir_;

  mutable std::mutex mu_;  // guards everything below
  std::vector<ExecNode> nodes_;
  std::vector<RunKey> retained_;
  std::map<std::pair<std::int64_t, int>, Run> runs_;
  std::vector<LaunchSpec> starts_;
  std::vector<std::pair<std::int64_t, int>> stops_;
  std::optional<Error> refuse_next_start_;
  std::function<void()> callback_;
  std::string broken_;  // what Nodes() throws; empty: it does not
};

}  // namespace qiusuo
