#pragma once
// For the service tests: a lab on the test store (store/postgres/test_store.h picks
// SQLite or PostgreSQL) with its steward, and members joining it by sign-up.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "crypto/crypto.h"
#include "service/lab.h"
#include "store/postgres/test_store.h"

namespace qiusuo::test_support {

inline constexpr const char* kLabPassword = "correct horse battery";

struct TestLab {
  std::unique_ptr<Store> store;
  std::unique_ptr<Lab> lab;
  Caller steward;
};

// Signs `handle` up (named `name`) and returns them as a caller.
inline Caller JoinLab(Lab& lab, const std::string& handle, const std::string& name = "") {
  auto m = lab.SignUp({handle, kLabPassword, {name}, {}});
  EXPECT_TRUE(m) << m.error().message;
  return m ? Caller{m->id, m->handle, false, {}} : Caller{};
}

// Passwords hashed at the smallest Argon2id cost, so that tests stay quick.
// `configure`, when given, changes the lab's settings before it is made.
inline Result<TestLab> OpenTestLab(const TempDir& dir, const Clock& clock,
                                   const std::function<void(LabConfig&)>& configure = {}) {
  QS_TRY_STATUS(crypto::Init());
  TestLab t;
  t.store = QS_TRY(OpenTestStore(dir));
  LabConfig config;
  config.password_cost = crypto::MinimumCost();
  if (configure) configure(config);
  t.lab = std::make_unique<Lab>(*t.store, clock, config);
  const Member steward = QS_TRY(t.lab->Init("steward", kLabPassword, {}));
  t.steward = {steward.id, steward.handle, true, {}};
  return t;
}

}  // namespace qiusuo::test_support
