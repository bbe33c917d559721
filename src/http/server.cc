// The one place (with client.cc) that includes Boost.Beast.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace qiusuo::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(60);

std::string ErrorJson(std::string_view code, std::string_view message) {
  // Only fixed ASCII messages come here, so no escaping is needed.
  return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" +
         std::string(message) + "\",\"field\":\"\"}}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, const ServerOptions& options)
      : stream_(std::move(socket)), handler_(handler), options_(options) {}

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
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
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
    if (ec) return WriteFixed(400, ErrorJson("malformed", "the request is not valid HTTP/1.1"));

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

    Response out;
    try {
      out = handler_(r);
    } catch (const std::exception& e) {
      // Api::Handle catches its handlers' exceptions; this is for the rest (static files, ...).
      spdlog::error("{} {} threw: {}", r.method, r.path, e.what());
      out = {500, "application/json", ErrorJson("internal", "the server failed; see its log"), {}};
    }
    if (out.later) return Later(std::move(out), req.version(), req.keep_alive());
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
  void Later(Response out, unsigned version, bool keep_alive) {
    out.later([self = shared_from_this(), version, keep_alive](Response answer) {
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
      net::async_write(
          stream_, net::buffer(outgoing_),
          [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
      return;
    }
    SendEvents(std::move(head));
  }

  void SendEvents(std::string bytes) {
    outgoing_ = std::move(bytes);
    net::async_write(stream_, net::buffer(outgoing_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->Close();
                       self->idle_ticks_ = 0;
                       self->WaitForEvents();
                     });
  }

  void WaitForEvents() {
    timer_.expires_after(events_->interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Close();
      EventStream::Chunk chunk;
      try {
        chunk = self->events_->Next();
      } catch (const std::exception& e) {
        spdlog::error("event stream threw, closing it: {}", e.what());
        chunk.done = true;
      }
      if (chunk.done) {
        if (!chunk.data.empty()) {
          self->outgoing_ = std::move(chunk.data);
          net::async_write(self->stream_, net::buffer(self->outgoing_),
                           [self](beast::error_code, std::size_t) { self->Close(); });
          return;
        }
        return self->Close();
      }
      // A comment every ~15 s: writing it is how a client that went away is noticed.
      if (chunk.data.empty() &&
          ++self->idle_ticks_ * self->events_->interval >= std::chrono::seconds(15)) {
        chunk.data = ": still here\n\n";
      }
      if (chunk.data.empty()) return self->WaitForEvents();
      self->SendEvents(std::move(chunk.data));
    });
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
};

class BeastServer final : public Server {
 public:
  BeastServer(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        threads_(options_.threads > 0
                     ? options_.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        ioc_(threads_),
        acceptor_(net::make_strand(ioc_)),
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
      if (!ec) std::make_shared<Session>(std::move(s), handler_, options_)->Run();
      if (acceptor_.is_open()) Accept();
    });
  }

  ServerOptions options_;
  Handler handler_;
  int threads_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
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
