// The HTTP server at the socket level: what it refuses before any handler runs
// (ambiguous body framing, too many connections from one address) and how it
// behaves out of file descriptors, with raw sockets, as an attacker would send.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace qiusuo::http {
namespace {

// A connected socket to 127.0.0.1:port, or -1.
int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

struct Received {
  std::string bytes;
  bool closed = false;  // the server closed the connection (rather than the wait ending)
};

// Everything the server sends until it closes the connection (or 10 s of silence).
Received ReadToEnd(int fd) {
  Received out;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      out.closed = true;
      return out;
    }
    if (n < 0) return out;
    out.bytes.append(buf, static_cast<std::size_t>(n));
  }
}

// Reads one response whose head says Content-Length (the server's own answers do).
std::string ReadOneResponse(int fd) {
  std::string got;
  char buf[4096];
  while (true) {
    const auto head_end = got.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const auto at = got.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) {
        const std::size_t length = std::stoul(got.substr(at + 16));
        if (got.size() >= head_end + 4 + length) return got;
      }
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

// Status lines ("HTTP/1.1 200") in `bytes`; an error message may name HTTP/1.1 too.
int CountResponses(const std::string& bytes) {
  int count = 0;
  for (auto at = bytes.find("HTTP/1.1 "); at != std::string::npos;
       at = bytes.find("HTTP/1.1 ", at + 1)) {
    if (at + 9 < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at + 9]))) ++count;
  }
  return count;
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    options.port = 0;
    options.threads = 2;
    auto server = StartServer(options, [this](const Request& r) {
      {
        std::lock_guard lock(mu_);
        seen_.push_back(r.method + " " + r.path + " " + std::to_string(r.body.size()));
      }
      return Response{200, "text/plain", "ok " + r.body + "\n", {}};
    });
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::vector<std::string> Seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<std::string> seen_;  // guarded by mu_: "METHOD /path body-size"
};

// A chunked body whose only chunk is the last one, then a second request that a
// server reading the framing differently from a proxy would serve on its own.
constexpr const char* kSmuggled =
    "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";

TEST_F(ServerTest, AmbiguousBodyFramingIs400AndTheConnectionIsClosed) {
  Start();
  const char* shapes[] = {
      "Transfer-Encoding: xchunked\r\n",
      "Transfer-Encoding: chunked, identity\r\n",
      "Transfer-Encoding: identity, chunked\r\n",
      "Transfer-Encoding: identity\r\n",
      "Transfer-Encoding: gzip, chunked\r\n",
      "Transfer-Encoding: \"chunked\"\r\n",
      "Transfer-Encoding: chunked;q=1\r\n",
      "Transfer-Encoding:\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
      "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
      "Content-Length: 0\r\nTransfer-Encoding: xchunked\r\n",
      "Content-Length: 5\r\nContent-Length: 60\r\n",
      "Content-Length: 5, 5\r\n",
      "Content-Length: +5\r\n",
      "Content-Length: -1\r\n",
      "Content-Length: 99999999999999999999999\r\n",
      "Transfer-Encoding : chunked\r\n",
      "Transfer-Encoding:\r\n chunked\r\n",
      " Transfer-Encoding: chunked\r\n",
      "Transfer-Encoding: \x0b"
      "chunked\r\n",
      "Transfer-Encoding: chunked\x0b\r\n",
      "Transfer\tEncoding: chunked\r\n",
  };
  for (const char* shape : shapes) {
    SCOPED_TRACE(testing::Message() << "headers: " << testing::PrintToString(std::string(shape)));
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, std::string("POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\n") + shape +
                                "\r\n" + kSmuggled));
    const Received got = ReadToEnd(fd);
    ::close(fd);
    EXPECT_TRUE(got.bytes.starts_with("HTTP/1.1 400")) << got.bytes;
    EXPECT_EQ(CountResponses(got.bytes), 1) << got.bytes;
    EXPECT_TRUE(got.closed) << "the connection stayed open after the 400";
  }
  const char* whole_requests[] = {
      // HTTP/1.0 has no Transfer-Encoding: a 1.0 request that sends one is ambiguous too.
      "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
      // Blank lines before the request line do not hide a folded header.
      "\r\n\r\nPOST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tTransfer-Encoding: chunked\r\n\r\n",
  };
  for (const char* request : whole_requests) {
    SCOPED_TRACE(testing::Message() << "request: " << testing::PrintToString(std::string(request)));
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, std::string(request) + kSmuggled));
    const Received got = ReadToEnd(fd);
    ::close(fd);
    EXPECT_TRUE(got.bytes.starts_with("HTTP/1.1 400")) << got.bytes;
    EXPECT_EQ(CountResponses(got.bytes), 1) << got.bytes;
    EXPECT_TRUE(got.closed);
  }

  for (const std::string& seen : Seen()) {
    EXPECT_EQ(seen.find("/smuggled"), std::string::npos) << "served a smuggled request";
  }
}

TEST_F(ServerTest, PlainChunkedAndContentLengthBodiesStillWorkPipelined) {
  Start();
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n0\r\n\r\n"
                      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      "2\r\nde\r\n0\r\n\r\n"
                      "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz"
                      "GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const Received got = ReadToEnd(fd);
  ::close(fd);
  EXPECT_EQ(CountResponses(got.bytes), 4) << got.bytes;
  EXPECT_NE(got.bytes.find("ok abc\n"), std::string::npos) << got.bytes;
  EXPECT_NE(got.bytes.find("ok de\n"), std::string::npos) << got.bytes;
  EXPECT_NE(got.bytes.find("ok wxyz\n"), std::string::npos) << got.bytes;
  EXPECT_EQ(Seen(), (std::vector<std::string>{"POST /a 3", "POST /b 2", "POST /c 4", "GET /d 0"}));
  EXPECT_NE(got.bytes.find("X-Request-Id: "), std::string::npos) << got.bytes;
}

TEST_F(ServerTest, EachResponseCarriesItsOwnRequestId) {
  Start();
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const Received got = ReadToEnd(fd);
  ::close(fd);
  std::vector<std::string> ids;
  for (auto at = got.bytes.find("X-Request-Id: "); at != std::string::npos;
       at = got.bytes.find("X-Request-Id: ", at + 1)) {
    ids.push_back(got.bytes.substr(at + 14, got.bytes.find("\r\n", at) - at - 14));
  }
  ASSERT_EQ(ids.size(), 2u) << got.bytes;
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_FALSE(ids[0].empty());
}

TEST_F(ServerTest, OneAddressGetsItsShareOfConnectionsAndTheRestA503) {
  ServerOptions options;
  options.max_connections_per_client = 3;
  Start(options);
  // Three connections, each proven served (and so counted) by an answered request.
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, "GET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_TRUE(ReadOneResponse(fd).starts_with("HTTP/1.1 200"));
    held.push_back(fd);
  }
  const int extra = Connect(server_->port());
  ASSERT_GE(extra, 0);
  (void)SendAll(extra, "GET /extra HTTP/1.1\r\nHost: x\r\n\r\n");
  const Received refused = ReadToEnd(extra);
  ::close(extra);
  EXPECT_TRUE(refused.bytes.starts_with("HTTP/1.1 503")) << refused.bytes;
  EXPECT_NE(refused.bytes.find("too many open connections"), std::string::npos);
  EXPECT_TRUE(refused.closed);
  // The held ones are still served.
  ASSERT_TRUE(SendAll(held[0], "GET /again HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(ReadOneResponse(held[0]).starts_with("HTTP/1.1 200"));
  // One closes; its slot comes back once the server has seen it go.
  ::close(held.back());
  held.pop_back();
  std::string answer;
  for (int attempt = 0; attempt < 200 && !answer.starts_with("HTTP/1.1 200"); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    (void)SendAll(fd, "GET /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    answer = ReadToEnd(fd).bytes;
    ::close(fd);
  }
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  for (int fd : held) ::close(fd);
  for (const std::string& seen : Seen()) EXPECT_NE(seen, "GET /extra 0");
}

// utime + stime of `pid`, in clock ticks.
long CpuTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::stol(field);
    if (index == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

// A server in a child process whose open-file limit is 64, flooded with more
// connections than that: it neither spins nor stops answering once they go.
TEST(ServerAtTheFileLimit, BacksOffInsteadOfSpinningAndAnswersAgainWhenFdsComeBack) {
#ifdef __SANITIZE_ADDRESS__
  // Under ASan+UBSan the forked child dies in its first spdlog call at the 64-fd
  // limit (a UBSan vptr report on spdlog's logger); not yet understood, so this runs
  // in the plain build (make test) only.
  GTEST_SKIP() << "the sanitizers' child dies at the fd limit in spdlog; see make test";
#endif
  int port_pipe[2];
  ASSERT_EQ(::pipe(port_pipe), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(port_pipe[0]);
    const rlimit limit{64, 64};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(3);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.max_connections_per_client = 10'000;  // the file limit is what is tested
    options.handle_signals = true;
    auto server = StartServer(options, [](const Request& r) {
      return Response{200, "text/plain", r.path == "/healthz" ? "ok\n" : "hi\n", {}};
    });
    if (!server) ::_exit(4);
    const std::uint16_t port = (*server)->port();
    if (::write(port_pipe[1], &port, sizeof port) != sizeof port) ::_exit(5);
    (*server)->Wait();
    ::_exit(0);
  }
  ::close(port_pipe[1]);
  std::uint16_t port = 0;
  ASSERT_EQ(::read(port_pipe[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(port_pipe[0]);

  // 150 idle connections: the kernel queues them; the child runs out of fds accepting.
  std::vector<int> flood;
  for (int i = 0; i < 150; ++i) {
    const int fd = Connect(port);
    if (fd >= 0) flood.push_back(fd);
  }
  ASSERT_GT(flood.size(), 64u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it reach the limit
  const long before = CpuTicks(child);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long spent = CpuTicks(child) - before;
  // Spinning on accept burns a whole core (~100 ticks a second); backing off, a few.
  EXPECT_LT(spent, ::sysconf(_SC_CLK_TCK) / 2) << "the accept loop spins at the file limit";
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, WNOHANG), 0) << "the server died at the file limit";

  // The flood goes; /healthz answers again (the server accepts and drops the
  // connections that queued meanwhile on its way).
  for (int fd : flood) ::close(fd);
  std::string answer;
  for (int attempt = 0; attempt < 100 && !answer.starts_with("HTTP/1.1 200"); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int fd = Connect(port);
    if (fd < 0) continue;
    (void)SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    answer = ReadToEnd(fd).bytes;
    ::close(fd);
  }
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("ok\n"), std::string::npos) << answer;

  ::kill(child, SIGTERM);
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace qiusuo::http
