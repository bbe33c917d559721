#include "exec/fake/fake_executor.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace qiusuo {

FakeExecutor::FakeExecutor(int gpus, std::string logs_dir)
    : FakeExecutor(std::vector<int>{gpus}, std::move(logs_dir)) {
  nodes_[0].name = "fake";
}

FakeExecutor::FakeExecutor(const std::vector<int>& gpus_per_node, std::string logs_dir)
    : logs_dir_(std::move(logs_dir)) {
  int next = 0;
  for (std::size_t node_idx = 0; node_idx < gpus_per_node.size(); ++node_idx) {
    ExecNode node{"f" + std::to_string(node_idx + 1), {}, true, "idle", ""};
    for (int gpu_idx = 0; gpu_idx < gpus_per_node[node_idx]; ++gpu_idx) node.gpus.push_back(next++);
    nodes_.push_back(std::move(node));
  }
}

std::vector<ExecNode> FakeExecutor::Nodes() const {
  std::lock_guard lock(mu_);
  if (!broken_.empty()) throw std::runtime_error(broken_);
  return nodes_;
}

void FakeExecutor::SetSchedulable(const std::string& node, bool schedulable,
                                  const std::string& reason) {
  std::lock_guard lock(mu_);
  for (auto& n : nodes_) {
    if (n.name != node) continue;
    n.schedulable = schedulable;
    n.state = schedulable ? "idle" : "drained";
    n.reason = reason;
  }
}

void FakeExecutor::Retain(const std::vector<RunKey>& runs) {
  std::lock_guard lock(mu_);
  retained_ = runs;
}

std::vector<RunKey> FakeExecutor::Retained() const {
  std::lock_guard lock(mu_);
  return retained_;
}

void FakeExecutor::BreakGpus(std::string what) {
  std::lock_guard lock(mu_);
  broken_ = std::move(what);
}

Status FakeExecutor::Start(const LaunchSpec& spec) {
  std::lock_guard lock(mu_);
  if (refuse_next_start_) {
    const Error error = std::move(*refuse_next_start_);
    refuse_next_start_.reset();
    return std::unexpected(error);
  }
  starts_.push_back(spec);
  runs_[{spec.job_id, spec.run}] = Run{spec, false, std::nullopt};
  return {};
}

Result<RunStatus> FakeExecutor::Poll(std::int64_t job_id, int run) {
  std::lock_guard lock(mu_);
  const auto it = runs_.find({job_id, run});
  if (it == runs_.end()) {
    RunStatus never;
    never.state = RunStatus::State::kLost;
    never.never_ran = true;
    never.reason = "the job never started";
    return never;
  }
  if (const std::optional<RunStatus>& ended = it->second.ended) return *ended;
  return RunStatus{};
}

Status FakeExecutor::Stop(std::int64_t job_id, int run) {
  std::lock_guard lock(mu_);
  stops_.emplace_back(job_id, run);
  if (auto it = runs_.find({job_id, run}); it != runs_.end()) it->second.stop_asked = true;
  return {};
}

void FakeExecutor::OnChange(std::function<void()> callback) {
  std::lock_guard lock(mu_);
  callback_ = std::move(callback);
}

std::string FakeExecutor::LogPath(std::int64_t job_id, bool stderr_stream) const {
  return logs_dir_ + "/" + std::to_string(job_id) + (stderr_stream ? ".stderr" : ".stdout");
}

void FakeExecutor::RefuseNextStart(Error error) {
  std::lock_guard lock(mu_);
  refuse_next_start_ = std::move(error);
}

void FakeExecutor::Print(std::int64_t job_id, const std::string& text, bool stderr_stream) {
  std::filesystem::create_directories(logs_dir_);
  std::ofstream(LogPath(job_id, stderr_stream), std::ios::app) << text;
}

namespace {
// A run that exited, as its supervisor reports it.
RunStatus Exited(RunEnd end, int exit_code, int signal, std::string reason) {
  RunStatus st;
  st.state = RunStatus::State::kExited;
  st.end = end;
  st.exit_code = exit_code;
  st.signal = signal;
  st.reason = std::move(reason);
  return st;
}
}  // namespace

void FakeExecutor::Exit(std::int64_t job_id, int run, int exit_code) {
  End(job_id, run, Exited(RunEnd::kExited, exit_code, 0, "exited"));
}

void FakeExecutor::KillBySignal(std::int64_t job_id, int run, int signal) {
  End(job_id, run, Exited(RunEnd::kExited, 128 + signal, signal, "exited"));
}

void FakeExecutor::HitTimeLimit(std::int64_t job_id, int run) {
  End(job_id, run, Exited(RunEnd::kTimeLimit, 128 + SIGTERM, SIGTERM, "time limit"));
}

void FakeExecutor::EndStopped(std::int64_t job_id, int run) {
  End(job_id, run, Exited(RunEnd::kStopped, 128 + SIGTERM, SIGTERM, "stopped"));
}

void FakeExecutor::FailToStart(std::int64_t job_id, int run, const std::string& reason) {
  End(job_id, run, Exited(RunEnd::kFailedToStart, 127, 0, reason));
}

void FakeExecutor::Lose(std::int64_t job_id, int run) {
  RunStatus st;
  st.state = RunStatus::State::kLost;
  st.reason = "the job's supervisor died without an exit status";
  End(job_id, run, st);
}

void FakeExecutor::End(std::int64_t job_id, int run, RunStatus status) {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    const auto it = runs_.find({job_id, run});
    if (it == runs_.end() || it->second.ended) {
      // A test that ends a run it never saw start is wrong, not unlucky.
      std::fprintf(stderr, "FakeExecutor: job %lld run %d is not running\n",
                   static_cast<long long>(job_id), run);
      std::abort();
    }
    it->second.ended = std::move(status);
    callback = callback_;
  }
  if (callback) callback();
}

std::vector<LaunchSpec> FakeExecutor::Starts() const {
  std::lock_guard lock(mu_);
  return starts_;
}

std::vector<std::pair<std::int64_t, int>> FakeExecutor::Stops() const {
  std::lock_guard lock(mu_);
  return stops_;
}

bool FakeExecutor::Running(std::int64_t job_id, int run) const {
  std::lock_guard lock(mu_);
  const auto it = runs_.find({job_id, run});
  return it != runs_.end() && !it->second.ended;
}

bool FakeExecutor::StopAsked(std::int64_t job_id, int run) const {
  std::lock_guard lock(mu_);
  const auto it = runs_.find({job_id, run});
  return it != runs_.end() && it->second.stop_asked;
}

std::optional<LaunchSpec> FakeExecutor::Spec(std::int64_t job_id, int run) const {
  std::lock_guard lock(mu_);
  const auto it = runs_.find({job_id, run});
  if (it == runs_.end()) return std::nullopt;
  return it->second.spec;
}

}  // namespace qiusuo
