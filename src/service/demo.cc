#include "service/demo.h"

namespace qiusuo {

Result<DemoSummary> SeedDemoLab(Lab& lab, const Caller& steward) {
  DemoSummary summary;
  struct Person {
    const char* handle;
    const char* name;
    std::vector<std::string> skills;
    std::vector<std::string> interests;
  };
  const Person people[] = {
      {"ada", "Ada Lovelace", {"analysis", "compilers"}, {"program synthesis"}},
      {"chen-wei", "Chen Wei", {"CUDA kernels", "distributed training"}, {"sparse attention"}},
      {"li-na", "Li Na", {"data cleaning", "evaluation"}, {"multilingual data"}},
      {"grace", "Grace Hopper", {"compilers", "systems"}, {"long-context inference"}},
      {"kofi", "Kofi Mensah", {"reinforcement learning"}, {"reasoning", "math"}},
  };
  std::vector<Caller> callers;
  for (const auto& p : people) {
    SignUpRequest req{p.handle,
                      kDemoPassword,
                      {p.name, {std::string(p.handle) + "@demo.qiusuo.lab"}, p.skills, p.interests},
                      {}};
    const Member m = QS_TRY(lab.SignUp(std::move(req)));
    callers.push_back({m.id, m.handle, false});
    summary.handles.push_back(m.handle);
  }
  const Caller& ada = callers[0];
  const Caller& chen = callers[1];
  const Caller& li = callers[2];
  const Caller& grace = callers[3];
  const Caller& kofi = callers[4];

  const Idea sparse = QS_TRY(
      lab.PostIdea(chen, "Block-sparse attention kernels for 128k context",
                   "## Why\nDense attention is quadratic; most heads attend to a few blocks.\n\n"
                   "## Plan\n1. Profile which heads are sparse.\n2. Write a Triton/CUDA kernel.\n"
                   "3. Compare perplexity and tokens/s against dense."));
  const Idea data = QS_TRY(lab.PostIdea(
      li, "A clean multilingual math corpus",
      "Deduplicate and filter math text in 20 languages; measure what filtering buys."));
  const Idea rl = QS_TRY(lab.PostIdea(
      kofi, "Pure RL for reasoning without supervised warm-up",
      "Can a base model learn to reason from outcome rewards alone? Negative results welcome."));
  QS_TRY(lab.PostIdea(ada, "Learned cost models for kernel autotuning",
                      "Replace grid search over tile sizes with a small learned model."));
  summary.ideas = 4;
  QS_TRY(lab.BackIdea(ada, sparse.id, true));
  QS_TRY(lab.BackIdea(grace, sparse.id, true));
  QS_TRY(lab.BackIdea(chen, rl.id, true));
  QS_TRY(lab.BackIdea(steward, data.id, true));

  const ProjectView sparse_p = QS_TRY(
      lab.StartProject(chen, {"", "", sparse.id, {"CUDA kernels", "long-context evaluation"}}));
  const ProjectView rl_p =
      QS_TRY(lab.StartProject(kofi, {"", "", rl.id, {"RL infrastructure", "math graders"}}));
  const ProjectView data_p = QS_TRY(lab.StartProject(li, {"", "", data.id, {"data cleaning"}}));
  summary.projects = 3;

  // Consent, as in life: grace applies and chen accepts; chen invites ada and she accepts.
  const ProjectId sp = sparse_p.project.id;
  QS_TRY(lab.ActOnMembership(grace, sp, MembershipAct::kApply, "", "I can help with the kernels."));
  QS_TRY(lab.ActOnMembership(chen, sp, MembershipAct::kAccept, "grace", ""));
  QS_TRY(lab.ActOnMembership(chen, sp, MembershipAct::kInvite, "ada", "Want to autotune these?"));
  QS_TRY(lab.ActOnMembership(ada, sp, MembershipAct::kAccept, "ada", ""));
  QS_TRY(
      lab.ActOnMembership(li, rl_p.project.id, MembershipAct::kApply, "", "I can build graders."));
  QS_TRY(
      lab.ActOnMembership(kofi, data_p.project.id, MembershipAct::kApply, "", "Need this data."));
  QS_TRY(lab.ActOnMembership(li, data_p.project.id, MembershipAct::kAccept, "kofi", ""));
  QS_TRY(lab.BackProject(steward, sp, true));

  const Task profile = QS_TRY(lab.AddTask(chen, sp, "Profile head sparsity on 8k-128k prompts",
                                          "Histogram of attention mass per block."));
  const Task kernel = QS_TRY(lab.AddTask(chen, sp, "Block-sparse forward kernel", ""));
  QS_TRY(lab.AddTask(grace, sp, "Perplexity harness for long documents", ""));
  QS_TRY(lab.AddTask(li, data_p.project.id, "Language-ID filter at 0.9 precision", ""));
  QS_TRY(lab.AddTask(kofi, rl_p.project.id, "Outcome reward for GSM8K-style answers", ""));
  summary.tasks = 5;
  QS_TRY(lab.ActOnTask(chen, profile.id, TaskAct::kClaim));
  QS_TRY(lab.ActOnTask(chen, profile.id, TaskAct::kDone));
  QS_TRY(lab.ActOnTask(grace, kernel.id, TaskAct::kClaim));
  return summary;
}

}  // namespace qiusuo
