#pragma once
// The composition root: builds a running lab from its directory and config. The
// one place that knows every concrete piece (store, executor, services, HTTP
// server, mailer, web UI files).

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "service/demo.h"

namespace qiusuo::server {

struct ServeOptions {
  std::string data = "var";  // the lab's directory; relative to the current one is fine
  std::string listen;        // HOST:PORT; empty: the config's
  int threads = -1;          // HTTP threads; < 0: the config's
};

// Serves the lab in `data` (API, web UI and the scheduler loop) until SIGINT or
// SIGTERM. Prints "qiusuo: serving http://HOST:PORT ..." on stdout once it listens
// (scripts read the port from it).
Status RunServer(const ServeOptions& options);

struct InitOptions {
  std::string data = "var";
  std::string handle = "steward";       // the first member, a steward
  std::optional<std::string> password;  // the steward's; none: one is generated
  std::string database;                 // a postgresql:// URL; empty: DATA/qiusuo.db
  bool demo = false;                    // also seed a small demo lab
};

// What InitLab made, for the operator to read.
struct InitReport {
  std::string database;     // as shown to people
  std::string config_path;  // DATA/qiusuo.toml, as the operator wrote DATA
  std::string steward;      // the steward's handle
  std::optional<std::string> generated_password;
  std::optional<DemoSummary> demo;
  std::string key_path;  // the ledger key, as the operator wrote DATA
  std::string public_key_hex;
};

// Creates a lab in `data`: database, ledger key, config and the first member.
// Never touches an existing lab.
Result<InitReport> InitLab(const InitOptions& options);

}  // namespace qiusuo::server
