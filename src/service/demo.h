#pragma once
// A small demo lab, made through the same Lab functions a person would call, so the
// rules of the lab hold for demo data too (members join by applying and being accepted).

#include <string>
#include <vector>

#include "service/lab.h"

namespace qiusuo {

// The demo members' password, printed by `qiusuo init --demo`. Demo labs only.
inline constexpr const char* kDemoPassword = "qiusuo-demo-2026";

struct DemoSummary {
  std::vector<std::string> handles;
  int ideas = 0;
  int projects = 0;
  int tasks = 0;
};

// Seeds members, ideas, projects, memberships and tasks into a lab that has just
// been initialised by `steward`.
Result<DemoSummary> SeedDemoLab(Lab& lab, const Caller& steward);

}  // namespace qiusuo
