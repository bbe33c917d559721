#pragma once
// What every verb shares: the global flags, the client, how a verb runs and prints,
// and the status the program exits with. Verbs register through
// `AddXxxVerbs(CLI::App&, Context&)` (cli/verbs/verbs.h); their option storage is
// made with `Keep<T>()`, so it lives as long as the context, which outlives parsing.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/client.h"
#include "common/error.h"

namespace qiusuo::cli {

class Context {
 public:
  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Globals& globals() { return globals_; }
  bool json_output() const { return globals_.json; }
  Client& client() { return client_; }

  // A callback for a client verb: loads the client config, then runs `fn`; the
  // outcome becomes the program's status.
  std::function<void()> Run(std::function<Status()> fn);
  // The same for a verb that needs no client config (server side, offline files).
  std::function<void()> RunLocal(std::function<Status()> fn);
  // With --json, the document as the API sent it; else `human` prints it.
  void Out(const json& doc, const std::function<void(const json&)>& human) const;

  // A default-constructed T owned by the context: option storage a verb binds to.
  template <typename T>
  T& Keep() {
    auto owned = std::make_shared<T>();
    T& ref = *owned;
    kept_.push_back(std::move(owned));
    return ref;
  }

  const Status& result() const { return result_; }

 private:
  Globals globals_;
  Client client_{globals_};
  Status result_;
  std::vector<std::shared_ptr<void>> kept_;
};

}  // namespace qiusuo::cli
