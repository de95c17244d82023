// The local API server against a real unix socket: what reaches the handler, and the answer a
// caller gets when the handler does not answer in time.
#include "transport/http_server.h"

#include <gtest/gtest.h>

#include <utility>  // before Asio
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "tests/support/temp_dir.h"

namespace movn::transport {
namespace {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

// Sends `request` on a new connection and reads until the server closes it.
std::string exchange(const std::filesystem::path& socket, const std::string& request) {
  asio::io_context io;
  Local::socket s(io);
  s.connect(Local::endpoint(socket.string()));
  asio::write(s, asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    std::size_t n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

struct Server {
  Server(Handler h, int timeout_ms) {
    auto s = LocalApiServer::listen(io, dir / "control.socket", std::move(h), timeout_ms);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    server = std::move(s).value();
    thread = std::thread([this] { io.run(); });
  }
  ~Server() {
    asio::post(io, [this] { server->close(); io.stop(); });
    thread.join();
  }
  movn::testing::TempDir dir;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<LocalApiServer> server;
  std::thread thread;
};

TEST(LocalApiServer, AHandlerThatDoesNotAnswerGets504AndItsLateAnswerIsDropped) {
  Responder kept;
  Server srv([&](HttpRequest, Responder r) { kept = std::move(r); }, 200);
  std::string answer = exchange(srv.dir / "control.socket", "GET /1.0 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 504", 0), 0u) << answer;
  EXPECT_NE(answer.find("retry it with the same X-Request-Id"), std::string::npos) << answer;
  // The handler answers after all: nothing is written to the closed connection, nothing breaks.
  std::promise<void> done;
  asio::post(srv.io, [&] {
    kept(HttpResponse{200, "{}"});
    kept = nullptr;  // its session must go before the server's io_context does
    done.set_value();
  });
  done.get_future().wait();
}

TEST(LocalApiServer, RepeatedHeadersReachTheHandlerEachTime) {
  std::promise<std::size_t> ids;
  Server srv(
      [&](HttpRequest req, Responder r) {
        ids.set_value(req.headers.count("x-request-id"));
        r(HttpResponse{200, "{}"});
      },
      5000);
  std::string answer = exchange(srv.dir / "control.socket",
                                "GET /1.0 HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\nx-request-id: b\r\n"
                                "Connection: close\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_EQ(ids.get_future().get(), 2u);
}

}  // namespace
}  // namespace movn::transport
