#include "transport/http_server.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <utility>  // before Asio (docs/design.md §5)
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "transport/envelope.h"

namespace movn::transport {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Local = asio::local::stream_protocol;

PeerCredentials peer_of(int fd) {
  PeerCredentials p;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    p.pid = cred.pid;
    p.uid = cred.uid;
    passwd pw{};
    passwd* result = nullptr;
    char buf[1024];
    if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &result) == 0 && result != nullptr)
      p.user = pw.pw_name;
    else
      p.user = "uid:" + std::to_string(cred.uid);
  }
  return p;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Local::socket socket, const Handler& handler, int timeout_ms)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), handler_(handler), timeout_ms_(timeout_ms) {
    peer_ = peer_of(socket_.native_handle());
  }

  void start() { read_next(); }

 private:
  void read_next() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    arm_timer();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  // One timer bounds each phase: reading a request, handling it, writing the response.
  void arm_timer() {
    timer_.expires_after(std::chrono::milliseconds(timeout_ms_));
    timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self) return;
      if (self->handling_) {
        // The handler has not answered in time: answer for it and close; its late answer is dropped.
        self->handling_ = false;
        self->write(HttpResponse{504, error_envelope(504, "the request did not finish within " +
                                                            std::to_string(self->timeout_ms_) +
                                                            " ms; it may still take effect: retry it with the "
                                                            "same X-Request-Id to learn its outcome")},
                    false);
        return;
      }
      beast::error_code ignored;
      self->socket_.close(ignored);
    });
  }

  void on_read(beast::error_code ec) {
    timer_.cancel();
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      close();
      return;
    }
    if (ec == http::error::body_limit) {
      write(HttpResponse{413, error_envelope(413, "request body is over the limit of " +
                                                      std::to_string(kMaxBodyBytes) + " bytes")},
            false);
      return;
    }
    if (ec == http::error::header_limit) {
      write(HttpResponse{431, error_envelope(431, "request headers are too large")}, false);
      return;
    }
    if (ec) {
      write(HttpResponse{400, error_envelope(400, "malformed HTTP request: " + ec.message())}, false);
      return;
    }
    auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    req.peer = peer_;
    bool keep_alive = msg.keep_alive();
    handling_ = true;
    const std::uint64_t generation = ++generation_;
    arm_timer();
    handler_(std::move(req), [self = shared_from_this(), keep_alive, generation](HttpResponse resp) {
      // Dropped when the timer already answered this request.
      if (!self->handling_ || self->generation_ != generation) return;
      self->handling_ = false;
      self->write(std::move(resp), keep_alive);
    });
  }

  void write(HttpResponse resp, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(resp.status), 11);
    res->set(http::field::content_type, "application/json");
    res->set(http::field::server, "microovnd");
    res->keep_alive(keep_alive);
    res->body() = std::move(resp.body);
    res->prepare_payload();
    arm_timer();
    http::async_write(socket_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                        self->timer_.cancel();
                        if (ec || !keep_alive) {
                          self->close();
                          return;
                        }
                        self->read_next();
                      });
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(Local::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  Local::socket socket_;
  asio::steady_timer timer_;
  const Handler& handler_;
  const int timeout_ms_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  PeerCredentials peer_;
  bool handling_ = false;         // a request was handed to the handler and is not answered yet
  std::uint64_t generation_ = 0;  // which request the pending answer belongs to
};
}  // namespace

struct LocalApiServer::Impl {
  Impl(asio::io_context& io, Handler h, int timeout)
      : acceptor(io), retry(io), handler(std::move(h)), timeout_ms(timeout) {}
  Local::acceptor acceptor;
  asio::steady_timer retry;
  Handler handler;
  int timeout_ms;
  std::filesystem::path path;
  bool open = false;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, Local::socket socket) {
      if (ec == asio::error::operation_aborted || !open) return;
      if (ec) {
        // Out of file descriptors or similar: back off instead of spinning on the error.
        retry.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
        retry.async_wait([this](beast::error_code wec) {
          if (!wec && open) accept();
        });
        return;
      }
      std::make_shared<Session>(std::move(socket), handler, timeout_ms)->start();
      accept();
    });
  }
};

LocalApiServer::LocalApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LocalApiServer::~LocalApiServer() { close(); }

Result<void> LocalApiServer::check_path(const std::filesystem::path& socket_path) {
  const std::string p = socket_path.string();
  constexpr std::size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (p.size() > kMaxPath)
    return make_error(Errc::kInvalidArgument,
                      "socket path " + p + " is too long (" + std::to_string(p.size()) +
                          " bytes; a unix socket path holds at most " + std::to_string(kMaxPath) +
                          "): choose a shorter --state-dir");
  return {};
}

Result<std::unique_ptr<LocalApiServer>> LocalApiServer::listen(asio::io_context& io,
                                                               const std::filesystem::path& socket_path,
                                                               Handler handler, int timeout_ms) {
  const std::string p = socket_path.string();
  MOVN_TRY(check_path(socket_path));
  std::error_code fec;
  if (std::filesystem::exists(socket_path, fec)) {
    // Refuse to steal the socket of a daemon that is still running; remove a stale one.
    Local::socket probe(io);
    beast::error_code ec;
    probe.connect(Local::endpoint(p), ec);
    if (!ec) return make_error(Errc::kAlreadyExists, "another microovnd is already serving " + p);
    if (::unlink(p.c_str()) != 0)
      return make_error(Errc::kIo, "failed to remove stale socket " + p + ": " + std::strerror(errno));
  }
  auto impl = std::make_unique<Impl>(io, std::move(handler), timeout_ms);
  beast::error_code ec;
  impl->acceptor.open(Local(), ec);
  if (ec) return make_error(Errc::kIo, "failed to open socket " + p + ": " + ec.message());
  // umask 077 while binding: the socket is created 0700 and is never reachable by others.
  mode_t old = ::umask(077);
  impl->acceptor.bind(Local::endpoint(p), ec);
  ::umask(old);
  if (ec) return make_error(Errc::kIo, "failed to bind " + p + ": " + ec.message());
  ::chmod(p.c_str(), 0600);
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(Errc::kIo, "failed to listen on " + p + ": " + ec.message());
  impl->path = socket_path;
  impl->open = true;
  impl->accept();
  return std::unique_ptr<LocalApiServer>(new LocalApiServer(std::move(impl)));
}

void LocalApiServer::close() {
  if (!impl_ || !impl_->open) return;
  impl_->open = false;
  impl_->retry.cancel();
  beast::error_code ec;
  impl_->acceptor.close(ec);
  std::error_code fec;
  std::filesystem::remove(impl_->path, fec);
}

}  // namespace movn::transport
