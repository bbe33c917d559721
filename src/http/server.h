#pragma once
// The HTTP/1.1 server: keep-alive, limits on header and body size, a pool of
// threads running the handler. Starts listening in Start and serves until Stop.
//
// What it refuses before the handler sees a request: a body framed in any way but a
// single Content-Length or a single `Transfer-Encoding: chunked` (400, and the
// connection closed: a proxy in front may have framed it differently, and what it
// took for the body would be read here as a second request); more connections from
// one address than `max_connections_per_client` (503). Out of file descriptors, it
// waits a moment before accepting again instead of spinning.
//
// Every request gets an id (Request::request_id), sent back as X-Request-Id.

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
  // Open connections one client address may hold; the next one is answered 503 and
  // closed at once, so one client cannot take every file descriptor of the server.
  int max_connections_per_client = 64;
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
