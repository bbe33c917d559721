// The one place (with server.cc) that includes Boost.Beast.
#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace qiusuo::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Endpoint {
  std::string host;
  std::string port;
};

Result<Endpoint> ParseBaseUrl(const std::string& url) {
  std::string rest = url;
  if (rest.starts_with("https://")) {
    return InvalidArgument("server",
                           "https is not supported by this client; put qiusuo behind a "
                           "TLS proxy and talk to it on http://127.0.0.1 locally");
  }
  if (rest.starts_with("http://")) rest = rest.substr(7);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  const auto colon = rest.rfind(':');
  if (rest.empty() || colon == 0) {
    return InvalidArgument("server",
                           "'" + url + "' is not a server URL like http://127.0.0.1:8080");
  }
  if (colon == std::string::npos) return Endpoint{rest, "80"};
  return Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
}

}  // namespace

Result<ClientResponse> Call(const std::string& base_url, const std::string& method,
                            const std::string& target, const std::string& body,
                            const std::string& token) {
  const Endpoint ep = QS_TRY(ParseBaseUrl(base_url));
  const auto unreachable = [&](const beast::error_code& ec) {
    return Fail(ErrorCode::kUnavailable, "cannot reach the qiusuo server at " + base_url + " (" +
                                             ec.message() +
                                             "); is `qiusuo serve` running there? Set it with "
                                             "--server or QIUSUO_SERVER");
  };
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(ep.host, ep.port, ec);
  if (ec) return unreachable(ec);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(endpoints, ec);
  if (ec) return unreachable(ec);

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, ep.host);
  req.set(bhttp::field::user_agent, "qiusuo-cli");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec) return unreachable(ec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256u << 20);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return unreachable(ec);
  (void)stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  auto res = parser.release();
  return ClientResponse{static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace qiusuo::http
