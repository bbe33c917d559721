#pragma once
// The HTTP/1.1 server: keep-alive, limits on header and body size, a pool of
// threads running the handler. Starts listening in Start and serves until Stop.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "http/message.h"

namespace qiusuo::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;            // 0: the OS picks a free port; see Server::port()
  int threads = 0;                      // 0: one per core
  std::size_t body_limit = 1 << 20;     // bytes; larger bodies get 413
  std::size_t header_limit = 16 << 10;  // bytes; larger headers get 431
  bool handle_signals = false;          // SIGINT/SIGTERM stop the server (for `qiusuo serve`)
};

class Server {
 public:
  virtual ~Server() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting, finishes nothing further, joins the threads. Idempotent.
  virtual void Stop() = 0;
  // Blocks until Stop is called (from another thread or a signal handler thread).
  virtual void Wait() = 0;
};

Result<std::unique_ptr<Server>> StartServer(const ServerOptions& options, Handler handler);

}  // namespace qiusuo::http
