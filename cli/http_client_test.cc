#include "cli/http_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <thread>

#include "cli/api_client.h"

namespace movn::cli {
namespace {

using namespace std::chrono_literals;

Result<std::optional<HttpResponse>> parse(std::string_view data, bool at_eof = false) {
  return try_parse_http_response(data, at_eof);
}

// ---------------------------------------------------------------- response parsing

TEST(ParseHttpResponse, ContentLength) {
  auto r =
      parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  const HttpResponse& resp = **r;
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.reason, "OK");
  EXPECT_EQ(resp.body, "hello");
  EXPECT_EQ(resp.header("content-type").value_or(""), "application/json");
  EXPECT_FALSE(resp.header("X-Missing").has_value());
}

TEST(ParseHttpResponse, IgnoresBytesAfterContentLength) {
  auto r = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nabXYZ");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->status, 404);
  EXPECT_EQ((*r)->body, "ab");
}

TEST(ParseHttpResponse, IncompleteNeedsMoreUnlessEof) {
  for (std::string_view partial :
       {std::string_view("HTTP/1.1 200 OK\r\nContent-Len"),
        std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")}) {
    auto more = parse(partial, false);
    ASSERT_TRUE(more.ok()) << partial;
    EXPECT_FALSE(more->has_value()) << partial;
    auto eof = parse(partial, true);
    ASSERT_FALSE(eof.ok()) << partial;
    EXPECT_EQ(eof.error().code, Errc::kCorruption);
    EXPECT_NE(eof.error().message.find("invalid response from microovnd"), std::string::npos);
  }
  auto empty = parse("", true);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("without a response"), std::string::npos);
}

TEST(ParseHttpResponse, BodyToEofWithoutFraming) {
  std::string_view data = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"a\":1}";
  auto more = parse(data, false);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(more->has_value());
  auto done = parse(data, true);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->body, "{\"a\":1}");
}

TEST(ParseHttpResponse, Chunked) {
  std::string_view data =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n";
  auto r = parse(data);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->body, "Wikipedia in\r\n\r\nchunks.");
  // Every strict prefix needs more bytes, and is an error at EOF.
  for (std::size_t n = 0; n < data.size(); ++n) {
    auto prefix = parse(data.substr(0, n), false);
    ASSERT_TRUE(prefix.ok()) << n;
    EXPECT_FALSE(prefix->has_value()) << n;
    EXPECT_FALSE(parse(data.substr(0, n), true).ok()) << n;
  }
}

TEST(ParseHttpResponse, ChunkedWinsOverContentLength) {
  auto r = parse(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nok\r\n0\r\n\r\n");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->body, "ok");
}

TEST(ParseHttpResponse, SkipsInterimResponses) {
  auto r = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->status, 201);
  EXPECT_EQ((*r)->body, "");
}

TEST(ParseHttpResponse, AcceptsBareLineFeeds) {
  auto r = parse("HTTP/1.1 503 Service Unavailable\nContent-Length: 3\n\nabc");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->status, 503);
  EXPECT_EQ((*r)->reason, "Service Unavailable");
  EXPECT_EQ((*r)->body, "abc");
}

TEST(ParseHttpResponse, MalformedIsAnErrorNotACrash) {
  const std::vector<std::string_view> bad = {
      "garbage\r\n\r\n",
      "\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1200 OK\r\n\r\n",
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty-name\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
  };
  for (std::string_view data : bad) {
    auto r = parse(data, true);
    ASSERT_FALSE(r.ok()) << data;
    EXPECT_EQ(r.error().code, Errc::kCorruption) << data;
  }
}

TEST(ParseHttpResponse, AgreeingDuplicateContentLengthIsFine) {
  auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab");
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->body, "ab");
}

TEST(ParseHttpResponse, OversizedHeadersAreRejectedEarly) {
  std::string data = "HTTP/1.1 200 OK\r\nX: " + std::string(kHeaderBytesMax + 10, 'a');
  auto r = parse(data, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("headers too large"), std::string::npos);
}

TEST(ParseHttpResponse, RandomMutationsNeverCrash) {
  const std::vector<std::string> seeds = {
      "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n{\"type\":\"x\"}",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n0\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\nbody",
  };
  std::mt19937 rng(12345);
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string data = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !data.empty(); ++e) {
      std::size_t at = rng() % data.size();
      switch (rng() % 3) {
        case 0:
          data[at] = static_cast<char>(rng());
          break;
        case 1:
          data.erase(at, 1 + rng() % 8);
          break;
        default:
          data.insert(at, 1, "\r\n:0123456789abcdef; "[rng() % 22]);
          break;
      }
    }
    for (bool at_eof : {false, true}) {
      auto r = try_parse_http_response(data, at_eof);
      if (r.ok() && r->has_value()) {
        ++parsed;
        EXPECT_LE((*r)->body.size(), data.size());
        (void)decode_envelope(**r);  // must not throw or crash either
      }
      if (at_eof && r.ok()) {
        EXPECT_TRUE(r->has_value()) << "nullopt at EOF";
      }
    }
  }
  EXPECT_GT(parsed, 0);  // the mutations do not only produce garbage
}

// ---------------------------------------------------------------- request side

TEST(UrlEncode, KeepsUnreservedEncodesTheRest) {
  EXPECT_EQ(url_encode("ovn.central-ips"), "ovn.central-ips");
  EXPECT_EQ(url_encode("A-Za-z0-9._~"), "A-Za-z0-9._~");
  EXPECT_EQ(url_encode("a b/c?d=e&f#g%"), "a%20b%2Fc%3Fd%3De%26f%23g%25");
  EXPECT_EQ(url_encode("é"), "%C3%A9");
  EXPECT_EQ(url_encode(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(url_encode(""), "");
}

TEST(FormatHttpRequest, HasHostLengthCloseAndRequestId) {
  HttpRequest request{"PUT", "/1.0/config/ovn.central-ips", "{\"value\":\"x\"}", "abc123"};
  EXPECT_EQ(format_http_request(request, "microovn/0.1.0"),
            "PUT /1.0/config/ovn.central-ips HTTP/1.1\r\n"
            "Host: localhost\r\n"
            "User-Agent: microovn/0.1.0\r\n"
            "Accept: application/json\r\n"
            "X-Request-Id: abc123\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 13\r\n"
            "Connection: close\r\n"
            "\r\n"
            "{\"value\":\"x\"}");
  HttpRequest get{"GET", "/1.0/cluster", "", ""};
  EXPECT_EQ(format_http_request(get, "ua"),
            "GET /1.0/cluster HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ua\r\n"
            "Accept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

// ---------------------------------------------------------------- against a fake daemon

// A one-connection unix socket server. `script` gets the accepted fd and the request bytes.
class FakeDaemon {
 public:
  using Script = std::function<void(int fd, const std::string& request)>;

  FakeDaemon() {
    char tmpl[] = "/tmp/movn-cli-test-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    EXPECT_NE(dir, nullptr);
    dir_ = dir ? dir : "/tmp";
    path_ = dir_ + "/control.socket";
  }
  ~FakeDaemon() {
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const std::string& dir() const { return dir_; }
  const std::string& path() const { return path_; }
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

  void serve(Script script) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listen_fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(::listen(listen_fd_, 4), 0);
    thread_ = std::thread([this, script = std::move(script)] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      request_ = read_request(fd);
      script(fd, request_);
      ::close(fd);
    });
  }

  static void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Blocks until the client closes its end.
  static void drain_until_eof(int fd) {
    char buf[256];
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
  }

 private:
  static std::string read_request(int fd) {
    std::string data;
    char buf[4096];
    while (true) {
      std::size_t head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        std::size_t at = data.find("Content-Length: ");
        if (at != std::string::npos && at < head_end) length = std::stoul(data.substr(at + 16));
        if (data.size() >= head_end + 4 + length) return data;
      }
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) return data;
      data.append(buf, static_cast<std::size_t>(n));
    }
  }

  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::string request_;
};

constexpr std::string_view kOkEnvelope =
    "{\"type\":\"sync\",\"status\":\"Success\",\"status_code\":200,\"operation\":\"\","
    "\"error_code\":0,\"error\":\"\",\"metadata\":[\"ovn.central-ips\"]}";

std::string ok_response(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST(UnixHttpClient, RoundTripSendsTheRequestAndReadsTheAnswer) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) {
    FakeDaemon::send_all(fd, ok_response(kOkEnvelope));
    FakeDaemon::drain_until_eof(
        fd);  // does not close first: the client must stop at Content-Length
  });
  UnixHttpClient client(daemon.path(), "microovn/test");
  auto start = std::chrono::steady_clock::now();
  auto r = client.call({"POST", "/1.0/tokens", "{\"name\":\"movn2\"}", "rid-1"}, 5s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kOkEnvelope);
  EXPECT_EQ(client.last_failure(), TransportFailure::kNone);
  std::string request = daemon.request();
  EXPECT_TRUE(request.starts_with("POST /1.0/tokens HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("X-Request-Id: rid-1\r\n"), std::string::npos);
  EXPECT_NE(request.find("Content-Length: 16\r\n"), std::string::npos);
  EXPECT_NE(request.find("Host: localhost\r\n"), std::string::npos);
  EXPECT_TRUE(request.ends_with("\r\n\r\n{\"name\":\"movn2\"}"));
}

TEST(UnixHttpClient, ChunkedAnswerInPieces) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) {
    FakeDaemon::send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab");
    std::this_thread::sleep_for(20ms);
    FakeDaemon::send_all(fd, "c\r\n");
    std::this_thread::sleep_for(20ms);
    FakeDaemon::send_all(fd, "0\r\n\r\n");
    FakeDaemon::drain_until_eof(fd);
  });
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0", "", ""}, 5s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, "abc");
}

TEST(UnixHttpClient, NoDaemonGivesAClearError) {
  FakeDaemon daemon;  // directory only, nobody listening
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0/cluster", "", ""}, 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
  EXPECT_EQ(r.error().message, "failed to connect to microovnd at " + daemon.path() +
                                   ": No such file or directory (is microovnd running?)");
  EXPECT_EQ(client.last_failure(), TransportFailure::kNotListening);
}

TEST(UnixHttpClient, StaleSocketIsConnectionRefused) {
  FakeDaemon daemon;
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, daemon.path().c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);  // bound, never listened: the file stays, connections are refused
  }
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0", "", ""}, 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Connection refused (is microovnd running?)"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(client.last_failure(), TransportFailure::kNotListening);
}

TEST(UnixHttpClient, SilentDaemonTimesOutInsteadOfHanging) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) { FakeDaemon::drain_until_eof(fd); });
  UnixHttpClient client(daemon.path(), "t");
  auto start = std::chrono::steady_clock::now();
  auto r = client.call({"GET", "/1.0/cluster", "", ""}, 200ms);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTimeout);
  EXPECT_NE(r.error().message.find("timed out after 200 ms"), std::string::npos);
  EXPECT_EQ(client.last_failure(), TransportFailure::kTimeout);
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(UnixHttpClient, TruncatedAnswerIsAnError) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) {
    FakeDaemon::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"type\"");
  });
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0/cluster", "", ""}, 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("truncated body"), std::string::npos) << r.error().message;
}

TEST(UnixHttpClient, ClosedWithoutAnswerIsAnError) {
  FakeDaemon daemon;
  daemon.serve([](int, const std::string&) {});
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0/cluster", "", ""}, 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("closed without a response"), std::string::npos)
      << r.error().message;
}

TEST(UnixHttpClient, OversizedAnswersAreRefusedNotRead) {
  {
    FakeDaemon daemon;
    daemon.serve([](int fd, const std::string&) {
      FakeDaemon::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " +
                                   std::to_string(kResponseBytesMax + 1) + "\r\n\r\nabc");
      FakeDaemon::drain_until_eof(fd);
    });
    UnixHttpClient client(daemon.path(), "t");
    auto r = client.call({"GET", "/1.0/events", "", ""}, 5s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kCorruption);
    EXPECT_NE(r.error().message.find("body too large"), std::string::npos) << r.error().message;
    EXPECT_EQ(client.last_failure(), TransportFailure::kBroken);
  }
  {
    FakeDaemon daemon;
    daemon.serve([](int fd, const std::string&) {
      FakeDaemon::send_all(fd, "HTTP/1.1 200 OK\r\nX: " + std::string(kHeaderBytesMax, 'a'));
      FakeDaemon::drain_until_eof(fd);
    });
    UnixHttpClient client(daemon.path(), "t");
    auto r = client.call({"GET", "/1.0", "", ""}, 5s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::kCorruption);
    EXPECT_NE(r.error().message.find("headers too large"), std::string::npos) << r.error().message;
  }
}

TEST(UnixHttpClient, MalformedAnswerIsAnError) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) {
    FakeDaemon::send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    FakeDaemon::drain_until_eof(fd);
  });
  UnixHttpClient client(daemon.path(), "t");
  auto r = client.call({"GET", "/1.0", "", ""}, 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kCorruption);
  EXPECT_NE(r.error().message.find("invalid response from microovnd"), std::string::npos);
}

TEST(UnixHttpClient, TooLongSocketPathIsRejected) {
  UnixHttpClient client("/" + std::string(200, 'x') + "/control.socket", "t");
  auto r = client.call({"GET", "/1.0", "", ""}, 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("longer than"), std::string::npos);
}

TEST(ApiClient, DecodesTheEnvelopeOfARealCall) {
  FakeDaemon daemon;
  daemon.serve([](int fd, const std::string&) {
    std::string body =
        "{\"type\":\"error\",\"status\":\"\",\"status_code\":0,\"operation\":\"\","
        "\"error_code\":409,\"error\":\"a member named movn2 exists already\",\"metadata\":null}";
    FakeDaemon::send_all(fd, "HTTP/1.1 409 Conflict\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  ApiClient client(ApiOptions{daemon.dir(), "req-42", 5s, false});
  Json body = {{"name", "movn2"}};
  auto r = client.post("/1.0/tokens", body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kConflict);
  EXPECT_EQ(r.error().message, "a member named movn2 exists already");
  EXPECT_NE(daemon.request().find("X-Request-Id: req-42\r\n"), std::string::npos);
}

}  // namespace
}  // namespace movn::cli
