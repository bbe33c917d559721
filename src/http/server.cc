// The one place (with client.cc) that includes Boost.Beast.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

namespace qiusuo::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(60);
// How long the acceptor rests when the process is out of file descriptors: accepting
// again at once would fail again at once, at full CPU.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

// "3f9c2a71-42": a per-process random prefix (ids stay apart across restarts in one
// log) and a counter.
std::string NextRequestId() {
  static const std::string prefix = [] {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(std::random_device{}()));
    return std::string(text);
  }();
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Why the framing of a request's body is ambiguous, or empty when it is not. Only a
// single Content-Length or a single `Transfer-Encoding: chunked` (HTTP/1.1) is taken:
// a proxy in front might read any other shape (`xchunked`, `chunked, identity`, both
// headers, the header twice) differently from Beast, and the bytes one of them takes
// for the body the other reads as the next request.
std::string_view FramingProblem(const bhttp::request_header<>& header) {
  const auto te = header.count(bhttp::field::transfer_encoding);
  const auto length = header.count(bhttp::field::content_length);
  if (te > 1) return "the request has more than one Transfer-Encoding header";
  if (length > 1) return "the request has more than one Content-Length header";
  if (te == 0) {
    const auto value = header[bhttp::field::content_length];
    const std::string_view digits(value.data(), value.size());
    if (length == 1 &&
        (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos))
      return "Content-Length is a number of bytes";
    return {};
  }
  if (length > 0) return "the request has both Content-Length and Transfer-Encoding";
  if (header.version() < 11) return "Transfer-Encoding needs HTTP/1.1";
  const auto value = header[bhttp::field::transfer_encoding];
  if (!EqualsIgnoringCase(std::string_view(value.data(), value.size()), "chunked"))
    return "the only Transfer-Encoding taken is chunked";
  return {};
}

// The open connections of each client address, so that one client cannot hold every
// file descriptor of the server.
class ClientConnections {
 public:
  explicit ClientConnections(int limit) : limit_(limit) {}
  // False when `address` already holds the limit; otherwise counts one more.
  bool Acquire(const std::string& address) {
    std::lock_guard lock(mu_);
    int& open = open_[address];
    if (open >= limit_) return false;
    ++open;
    return true;
  }
  void Release(const std::string& address) {
    std::lock_guard lock(mu_);
    if (auto it = open_.find(address); it != open_.end() && --it->second <= 0) open_.erase(it);
  }

 private:
  const int limit_;
  std::mutex mu_;
  std::unordered_map<std::string, int> open_;  // guarded by mu_
};

std::string ErrorJson(std::string_view code, std::string_view message) {
  // Only fixed ASCII messages come here, so no escaping is needed.
  return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\",\"field\":\"\"}}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `address` holds one of `clients`' slots, given back when the session ends.
  Session(tcp::socket socket, const Handler& handler, const ServerOptions& options,
          std::shared_ptr<ClientConnections> clients, std::string address)
      : stream_(std::move(socket)),
        handler_(handler),
        options_(options),
        clients_(std::move(clients)),
        address_(std::move(address)) {}
  ~Session() { clients_->Release(address_); }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
    stream_.expires_after(kIdleTimeout);
    ReadHead();
  }

  // The header first, as sent: how the body is framed is checked before any of it is
  // read, and a folded header line (which Beast would unfold) is refused, since a
  // proxy in front may not unfold it alike.
  void ReadHead() {
    const auto data = buffer_.data();
    const std::string_view seen(static_cast<const char*>(data.data()), data.size());
    // Blank lines before a request line are skipped, as Beast skips them.
    const auto start = seen.find_first_not_of("\r\n");
    const auto end = start == std::string_view::npos ? start : seen.find("\r\n\r\n", start);
    if (end != std::string_view::npos) {
      const std::string_view head = seen.substr(start, end + 2 - start);
      if (head.find("\n ") != std::string_view::npos ||
          head.find("\n\t") != std::string_view::npos) {
        return WriteFixed(400, ErrorJson("malformed", "folded header lines are not taken"));
      }
      // The whole header is in buffer_: this parses it without reading the socket.
      if (!parser_) return Close();
      return bhttp::async_read_header(
          stream_, buffer_, *parser_,
          beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
    }
    if (seen.size() > options_.header_limit) {
      return WriteFixed(431, ErrorJson("too_large", "the request headers are over the limit"));
    }
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->OnReadError(ec);
                              self->buffer_.commit(n);
                              self->ReadHead();
                            });
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (!parser_) return Close();
    if (const std::string_view problem = FramingProblem(parser_->get()); !problem.empty()) {
      return WriteFixed(400, ErrorJson("malformed", problem));
    }
    if (parser_->is_done()) return OnRead({}, 0);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return WriteFixed(413, ErrorJson("too_large", "the request body is over the limit"));
    }
    if (ec == bhttp::error::header_limit) {
      return WriteFixed(431, ErrorJson("too_large", "the request headers are over the limit"));
    }
    return WriteFixed(400, ErrorJson("malformed", "the request is not valid HTTP/1.1"));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    if (!parser_) return Close();
    auto req = parser_->release();
    Request r;
    r.method = std::string(req.method_string());
    const auto target = req.target();
    if (!ParseTarget(std::string_view(target.data(), target.size()), r.path, r.query)) {
      return WriteFixed(400, ErrorJson("malformed", "the request target has a bad %-escape"));
    }
    r.body = std::move(req.body());
    r.authorization = std::string(req[bhttp::field::authorization]);
    r.cookie = std::string(req[bhttp::field::cookie]);
    r.csrf = std::string(req["X-CSRF-Token"]);
    r.last_event_id = std::string(req["Last-Event-ID"]);
    r.https = req["X-Forwarded-Proto"] == "https";
    r.content_type = std::string(req[bhttp::field::content_type]);
    beast::error_code remote_ec;
    const auto remote = stream_.socket().remote_endpoint(remote_ec);
    if (!remote_ec) r.remote = remote.address().to_string();
    r.request_id = NextRequestId();

    Response out;
    try {
      out = handler_(r);
    } catch (const std::exception& e) {
      // Api::Handle catches its handlers' exceptions; this is for the rest (static files, ...).
      spdlog::error("{} {} (request {}) threw: {}", r.method, r.path, r.request_id, e.what());
      out = {500,
             "application/json",
             ErrorJson("internal", "the server failed; see its log (request " + r.request_id + ")"),
             {}};
    } catch (...) {
      spdlog::error("{} {} (request {}) threw a non-standard exception", r.method, r.path,
                    r.request_id);
      out = {500,
             "application/json",
             ErrorJson("internal", "the server failed; see its log (request " + r.request_id + ")"),
             {}};
    }
    if (out.later) return Later(out, req.version(), req.keep_alive(), r.request_id);
    out.headers.emplace_back("X-Request-Id", r.request_id);
    Respond(std::move(out), req.version(), req.keep_alive());
  }

  void Respond(Response out, unsigned version, bool keep_alive) {
    if (out.stream) return StartStream(std::move(out));
    res_ = {};
    res_.version(version);
    res_.keep_alive(keep_alive);
    res_.result(static_cast<unsigned>(out.status));
    res_.set(bhttp::field::server, "qiusuo");
    res_.set(bhttp::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) res_.insert(name, value);
    res_.body() = std::move(out.body);
    res_.prepare_payload();
    Write(!res_.keep_alive());
  }

  // The answer comes from another thread (a slow route on the API's work pool): it is
  // brought back to this session's strand, and no HTTP thread waits for it meanwhile.
  void Later(const Response& out, unsigned version, bool keep_alive, std::string request_id) {
    out.later([self = shared_from_this(), version, keep_alive,
               request_id = std::move(request_id)](Response answer) {
      answer.headers.emplace_back("X-Request-Id", request_id);
      net::post(self->stream_.get_executor(),
                [self, version, keep_alive, answer = std::move(answer)]() mutable {
                  self->Respond(std::move(answer), version, keep_alive);
                });
    });
  }

  void WriteFixed(int status, const std::string& body) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(status));
    res_.set(bhttp::field::content_type, "application/json");
    res_.keep_alive(false);
    res_.body() = body;
    res_.prepare_payload();
    Write(true);
  }

  void Write(bool close) {
    bhttp::async_write(stream_, res_,
                       [self = shared_from_this(), close](beast::error_code ec, std::size_t) {
                         if (ec || close) return self->Close();
                         self->Read();
                       });
  }

  // Server-sent events: the header, then whatever the stream has every interval,
  // until it is done, the client goes, or the server stops. The connection is not
  // reused after it.
  void StartStream(Response out) {
    events_ = std::move(out.stream);
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: qiusuo\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n";
    for (auto& [name, value] : out.headers)
      head.append(name).append(": ").append(value).append("\r\n");
    head += "\r\n";
    stream_.expires_never();
    // The first events go with the header: a page shows its data at once, not a tick later.
    EventStream::Chunk first;
    try {
      first = events_->Next();
    } catch (const std::exception& e) {
      spdlog::error("event stream threw: {}", e.what());
      first.data.clear();  // nothing to send yet: the next tick tries again
    }
    head += first.data;
    if (first.done) {
      outgoing_ = std::move(head);
      stream_.expires_after(kIdleTimeout);
      net::async_write(
          stream_, net::buffer(outgoing_),
          [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
      return;
    }
    SendEvents(std::move(head), first.more);
  }

  // Writes `bytes`, then asks the stream for more: at once when it said it has more,
  // else after its interval. Nothing more is read from the stream while a write is
  // under way, so a slow reader holds one piece of it, never a pile; a reader that
  // takes nothing for kIdleTimeout is dropped. No thread waits on either.
  void SendEvents(std::string bytes, bool more) {
    outgoing_ = std::move(bytes);
    stream_.expires_after(kIdleTimeout);
    net::async_write(stream_, net::buffer(outgoing_),
                     [self = shared_from_this(), more](beast::error_code ec, std::size_t) {
                       if (ec) return self->Close();
                       self->stream_.expires_never();
                       self->idle_ticks_ = 0;
                       if (more) {
                         net::post(self->stream_.get_executor(), [self] { self->NextEvents(); });
                       } else {
                         self->WaitForEvents();
                       }
                     });
  }

  void WaitForEvents() {
    timer_.expires_after(events_->interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Close();
      self->NextEvents();
    });
  }

  void NextEvents() {
    EventStream::Chunk chunk;
    try {
      chunk = events_->Next();
    } catch (const std::exception& e) {
      spdlog::error("event stream threw, closing it: {}", e.what());
      chunk.done = true;
    }
    if (chunk.done) {
      if (!chunk.data.empty()) {
        outgoing_ = std::move(chunk.data);
        stream_.expires_after(kIdleTimeout);
        net::async_write(
            stream_, net::buffer(outgoing_),
            [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
        return;
      }
      return Close();
    }
    // A comment every ~15 s: writing it is how a client that went away is noticed.
    if (chunk.data.empty() && ++idle_ticks_ * events_->interval >= std::chrono::seconds(15)) {
      chunk.data = ": still here\n\n";
    }
    if (chunk.data.empty()) return WaitForEvents();
    SendEvents(std::move(chunk.data), chunk.more);
  }

  void Close() {
    beast::error_code ec;
    (void)stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::shared_ptr<EventStream> events_;
  std::string outgoing_;
  int idle_ticks_ = 0;
  net::steady_timer timer_{stream_.get_executor()};
  const Handler& handler_;
  const ServerOptions& options_;
  std::shared_ptr<ClientConnections> clients_;
  std::string address_;
};

class BeastServer final : public Server {
 public:
  BeastServer(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        threads_(options_.threads > 0
                     ? options_.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        clients_(
            std::make_shared<ClientConnections>(std::max(1, options_.max_connections_per_client))),
        ioc_(threads_),
        acceptor_(net::make_strand(ioc_)),
        accept_timer_(acceptor_.get_executor()),
        signals_(ioc_) {}

  ~BeastServer() override { Stop(); }

  Status Listen() {
    beast::error_code ec;
    const auto address = net::ip::make_address(options_.host, ec);
    if (ec) {
      return InvalidArgument(
          "listen", "'" + options_.host + "' is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0");
    }
    const tcp::endpoint endpoint(address, options_.port);
    (void)acceptor_.open(endpoint.protocol(), ec);
    if (!ec) (void)acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) (void)acceptor_.bind(endpoint, ec);
    if (!ec) (void)acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                               std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    return {};
  }

  void Run(bool handle_signals) {
    if (handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](beast::error_code ec, int) {
        if (!ec) RequestStop();
      });
    }
    Accept();
    for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { ioc_.run(); });
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    RequestStop();
    for (auto& t : workers_) {
      if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    }
  }

  void Wait() override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_; });
    lock.unlock();
    Stop();
  }

 private:
  void RequestStop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    ioc_.stop();
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec == net::error::no_descriptors || ec.value() == ENFILE ||
          ec == net::error::no_buffer_space || ec == net::error::no_memory) {
        // The connection waits in the backlog; the ones already open go on being served.
        const auto now = std::chrono::steady_clock::now();
        if (now - last_accept_warning_ > std::chrono::seconds(10)) {
          last_accept_warning_ = now;
          spdlog::warn("cannot accept connections ({}); retrying every {} ms", ec.message(),
                       kAcceptBackoff.count());
        }
        accept_timer_.expires_after(kAcceptBackoff);
        accept_timer_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && acceptor_.is_open()) Accept();
        });
        return;
      }
      if (!ec) Admit(std::move(s));
      Accept();
    });
  }

  // Serves `socket` unless its address already holds its share of connections: then
  // a 503 (best effort: the socket is new, its send buffer empty) and it is closed.
  void Admit(tcp::socket socket) {
    beast::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;  // gone already
    std::string address = remote.address().to_string();
    if (!clients_->Acquire(address)) {
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: 121\r\n\r\n"
          "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many open connections from "
          "this address; close some and retry\",\"field\":\"\"}}";
      (void)socket.non_blocking(true, ec);
      (void)socket.write_some(net::buffer(kBusy.data(), kBusy.size()), ec);
      (void)socket.shutdown(tcp::socket::shutdown_both, ec);
      (void)socket.close(ec);
      return;
    }
    std::make_shared<Session>(std::move(socket), handler_, options_, clients_, std::move(address))
        ->Run();
  }

  ServerOptions options_;
  Handler handler_;
  int threads_;
  std::shared_ptr<ClientConnections> clients_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_timer_;                             // on the acceptor's strand
  std::chrono::steady_clock::time_point last_accept_warning_;  // on the acceptor's strand
  net::signal_set signals_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<Server>> StartServer(const ServerOptions& options, Handler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  QS_TRY_STATUS(server->Listen());
  server->Run(options.handle_signals);
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace qiusuo::http
