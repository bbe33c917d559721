// The scheduler, replayed offline over a job trace.
#include "cli/simulate.h"

#include "cli/verbs/verbs.h"

namespace qiusuo::cli {

void AddSimulateVerbs(CLI::App& app, Context& ctx) {
  SimulateOptions& sim = ctx.Keep<SimulateOptions>();
  auto* simulate = app.add_subcommand(
      "simulate", "replay a GPU job trace under scheduling policies and compare them");
  simulate->add_option("--trace", sim.trace, "CSV trace (ITP-2021 or Philly format)")
      ->required()
      ->check(CLI::ExistingFile);
  simulate->add_option("--gpus", sim.gpus, "GPUs in the simulated cluster")->required();
  simulate->add_option("--gpus-per-node", sim.gpus_per_node, "GPUs per node")
      ->capture_default_str();
  simulate->add_option("--policy", sim.policies, "comma-separated policies")
      ->delimiter(',')
      ->capture_default_str();
  simulate->add_option("--report", sim.report, "write an HTML report with plots to this file");
  simulate
      ->add_option("--projects", sim.projects,
                   "ITP traces: projects to spread jobs over (seeded Zipf)")
      ->capture_default_str();
  simulate->add_option("--seed", sim.seed, "seed of the project assignment")->capture_default_str();
  simulate->add_option("--min-runtime", sim.min_runtime, "seconds a run is safe from preemption")
      ->capture_default_str();
  simulate
      ->add_option("--checkpoint-interval", sim.checkpoint_interval,
                   "seconds between job checkpoints")
      ->capture_default_str();
  simulate
      ->add_option("--restart-delay", sim.restart_delay, "seconds a restarted job needs to resume")
      ->capture_default_str();
  simulate->add_option("--grace", sim.grace, "seconds a preempted job keeps its GPUs")
      ->capture_default_str();
  simulate->add_option("--half-life-days", sim.half_life_days, "decayed-usage half-life")
      ->capture_default_str();
  simulate->add_option("--threads", sim.threads, "policies replayed at once (0: one per core)");
  simulate->callback(ctx.RunLocal([&sim, &ctx] {
    sim.json = ctx.json_output();
    return RunSimulate(sim);
  }));
}

}  // namespace qiusuo::cli
