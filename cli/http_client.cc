// HTTP/1.1 over a unix socket with Boost.Beast: the request is a beast::http message, the response
// is read by beast::http::response_parser (with header and body limits), and every socket operation
// runs on beast::basic_stream, whose deadline bounds the whole call. Beast's blocking calls cannot
// time out, so the client starts Beast's asynchronous operations on a private io_context and runs it
// until each one completes: call() blocks its caller like a synchronous call.
#include "cli/http_client.h"

#include <sys/un.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstring>
#include <sstream>
#include <thread>

namespace movn::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Local = asio::local::stream_protocol;
using Stream = beast::basic_stream<Local>;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunkBytes = 64 * 1024;
constexpr auto kConnectRetryDelay = std::chrono::milliseconds(5);

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string to_string(beast::string_view text) { return std::string(text.data(), text.size()); }

Error malformed(std::string detail) {
  return make_error(Errc::kCorruption, "invalid response from microovnd: " + std::move(detail));
}

// Offset just past the blank line that ends the head, or npos. Accepts CRLF and bare LF.
std::size_t find_head_end(std::string_view data) {
  std::size_t line_start = 0;
  while (line_start < data.size()) {
    std::size_t nl = data.find('\n', line_start);
    if (nl == std::string_view::npos) return std::string_view::npos;
    std::string_view line = data.substr(line_start, nl - line_start);
    if (line.empty() || line == "\r") return nl + 1;
    line_start = nl + 1;
  }
  return std::string_view::npos;
}

// Rewrites a complete head into what Beast's strict parser takes, keeping what this client has
// always accepted: bare LF line ends (RFC 9112 §2.2), a status line without a reason phrase, and
// Transfer-Encoding winning over Content-Length (RFC 9112 §6.3; Beast refuses the pair). Folded
// header lines (obs-fold) are refused here, where Beast would join them.
Result<std::string> normalize_head(std::string_view head) {
  std::string out;
  out.reserve(head.size() + 64);
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t nl = head.find('\n', start);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    start = nl + 1;
  }
  if (lines.empty() || head.starts_with("\n") || head.starts_with("\r\n")) {
    return malformed("empty status line");
  }
  bool has_transfer_encoding = false;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].front() == ' ' || lines[i].front() == '\t') return malformed("folded header line");
    std::string_view name = lines[i].substr(0, lines[i].find(':'));
    if (iequals(name, "Transfer-Encoding")) has_transfer_encoding = true;
  }
  out += lines[0];
  if (lines[0].size() == 12) out += ' ';  // "HTTP/1.1 200": an empty reason phrase
  out += "\r\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view name = lines[i].substr(0, lines[i].find(':'));
    if (has_transfer_encoding && iequals(name, "Content-Length")) continue;
    out += lines[i];
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

// Reads one response incrementally: bytes go in as they arrive, Beast parses them. 1xx interim
// responses (except 101) are skipped. Every error is a kCorruption naming what was wrong.
class ResponseReader {
 public:
  // Takes more bytes. Returns true once a final response is complete.
  Result<bool> feed(std::string_view data) {
    pending_.append(data);
    return advance();
  }

  // The peer closed the connection: completes a body that runs to EOF, or explains what is missing.
  Result<HttpResponse> finish() {
    if (parser_ && parser_->is_done()) return take();
    if (!parser_) {
      if (pending_.empty()) return malformed("connection closed without a response");
      return malformed("truncated headers");
    }
    beast::error_code ec;
    parser_->put_eof(ec);
    if (ec) {
      if (ec != http::error::partial_message) return malformed(ec.message());
      if (parser_->chunked()) return malformed("truncated chunked body");
      if (auto length = parser_->content_length()) {
        return malformed("truncated body: got " + std::to_string(parser_->get().body().size()) +
                         " of " + std::to_string(*length) + " bytes");
      }
      return malformed("truncated body");
    }
    return take();
  }

  Result<HttpResponse> take() {
    const auto& message = parser_->get();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    response.reason = to_string(message.reason());
    for (const auto& field : message) {
      response.headers.emplace_back(to_string(field.name_string()), to_string(field.value()));
    }
    response.body = std::move(parser_->get().body());
    return response;
  }

 private:
  using Parser = http::response_parser<http::string_body>;

  Result<bool> advance() {
    while (true) {
      if (!parser_) {
        std::size_t head_end = find_head_end(pending_);
        if (head_end == std::string_view::npos) {
          if (pending_.size() > kHeaderBytesMax) return malformed("headers too large");
          return false;
        }
        if (head_end > kHeaderBytesMax) return malformed("headers too large");
        auto head = normalize_head(std::string_view(pending_).substr(0, head_end));
        if (!head.ok()) return std::move(head).error();
        pending_.erase(0, head_end);
        parser_.emplace();
        parser_->eager(true);
        // The head is at most kHeaderBytesMax before its bare LFs became CRLFs.
        parser_->header_limit(static_cast<std::uint32_t>(2 * kHeaderBytesMax + 4));
        parser_->body_limit(kResponseBytesMax);
        beast::error_code ec;
        parser_->put(asio::buffer(*head), ec);
        if (ec && ec != http::error::need_more) return beast_error(ec);
        if (!parser_->is_header_done()) return malformed("truncated headers");
        const unsigned status = parser_->get().result_int();
        if (status < 100) return malformed("bad status code " + std::to_string(status));
        if (status < 200 && status != 101) {
          parser_.reset();  // interim response (100 Continue): the real one follows
          continue;
        }
      }
      // Beast takes a chunk at a time; what it leaves must come back with the next bytes.
      std::size_t offset = 0;
      while (!parser_->is_done() && offset < pending_.size()) {
        beast::error_code ec;
        const std::size_t used =
            parser_->put(asio::buffer(pending_.data() + offset, pending_.size() - offset), ec);
        offset += used;
        if (ec == http::error::need_more) break;
        if (ec) return beast_error(ec);
        if (used == 0) break;
      }
      pending_.erase(0, offset);
      if (parser_->is_done()) pending_.clear();  // bytes after the response are not ours
      return parser_->is_done();
    }
  }

  static Error beast_error(const beast::error_code& ec) {
    if (ec == http::error::header_limit) return malformed("headers too large");
    if (ec == http::error::body_limit) return malformed("body too large");
    return malformed(ec.message());
  }

  std::string pending_;
  std::optional<Parser> parser_;
};

http::request<http::string_body> make_request(const HttpRequest& request,
                                              std::string_view user_agent) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  out.set(http::field::host, "localhost");
  out.set(http::field::user_agent, beast::string_view(user_agent.data(), user_agent.size()));
  out.set(http::field::accept, "application/json");
  if (!request.request_id.empty()) out.set("X-Request-Id", request.request_id);
  if (!request.body.empty()) out.set(http::field::content_type, "application/json");
  out.set(http::field::content_length, std::to_string(request.body.size()));
  out.set(http::field::connection, "close");
  out.body() = request.body;
  return out;
}

// errno's text for system errors (the messages users and tests know), Asio's otherwise.
std::string error_text(const beast::error_code& ec) {
  if (ec.category() == boost::system::system_category()) return std::strerror(ec.value());
  return ec.message();
}

// Starts one asynchronous operation and runs the io_context until it (and the stream's deadline
// timer) are done. Returns what the operation reported.
template <typename Start>
std::pair<beast::error_code, std::size_t> run_one(asio::io_context& io, Start start) {
  beast::error_code result;
  std::size_t bytes = 0;
  start([&](beast::error_code ec, std::size_t n) {
    result = ec;
    bytes = n;
  });
  io.restart();
  io.run();
  return {result, bytes};
}

}  // namespace

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Result<std::optional<HttpResponse>> try_parse_http_response(std::string_view data, bool at_eof) {
  if (data.size() > kResponseBytesMax) return malformed("response too large");
  ResponseReader reader;
  auto done = reader.feed(data);
  if (!done.ok()) return std::move(done).error();
  if (*done) {
    auto response = reader.take();
    if (!response.ok()) return std::move(response).error();
    return std::optional<HttpResponse>(std::move(*response));
  }
  if (!at_eof) return std::optional<HttpResponse>();
  auto response = reader.finish();
  if (!response.ok()) return std::move(response).error();
  return std::optional<HttpResponse>(std::move(*response));
}

std::string format_http_request(const HttpRequest& request, std::string_view user_agent) {
  std::ostringstream out;
  out << make_request(request, user_agent);
  return std::move(out).str();
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<HttpResponse> UnixHttpClient::call(const HttpRequest& request,
                                          std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  last_failure_ = TransportFailure::kBroken;
  const std::string what = request.method + " " + request.target;

  constexpr std::size_t kPathBytesMax = sizeof(sockaddr_un::sun_path) - 1;
  if (socket_path_.empty() || socket_path_.size() > kPathBytesMax) {
    return make_error(Errc::kInvalidArgument, "failed to connect to microovnd at " + socket_path_ +
                                                  ": socket path is empty or longer than " +
                                                  std::to_string(kPathBytesMax) + " bytes");
  }
  const Local::endpoint endpoint(socket_path_);
  asio::io_context io(1);
  Stream stream(io);
  auto timed_out = [&](std::string doing) {
    last_failure_ = TransportFailure::kTimeout;
    return make_error(Errc::kTimeout, "timed out after " + std::to_string(timeout.count()) +
                                          " ms " + std::move(doing));
  };

  // Connect. A unix socket connects at once or fails; EAGAIN means the listen backlog is full,
  // which Asio may report as a connection that is not there: both are retried until the deadline.
  while (true) {
    if (Clock::now() >= deadline) {
      last_failure_ = TransportFailure::kTimeout;
      return make_error(Errc::kTimeout, "timed out connecting to microovnd at " + socket_path_);
    }
    stream.expires_at(deadline);
    auto [ec, unused] = run_one(io, [&](auto handler) {
      stream.async_connect(endpoint, [handler](beast::error_code e) mutable { handler(e, 0); });
    });
    beast::error_code peer_ec;
    if (!ec) stream.socket().remote_endpoint(peer_ec);
    if (!ec && !peer_ec) break;
    if (ec == beast::error::timeout) {
      last_failure_ = TransportFailure::kTimeout;
      return make_error(Errc::kTimeout, "timed out connecting to microovnd at " + socket_path_);
    }
    if (!ec || ec == asio::error::would_block || ec == asio::error::try_again) {
      stream.close();
      std::this_thread::sleep_for(kConnectRetryDelay);
      continue;
    }
    std::string hint;
    if (ec == boost::system::errc::no_such_file_or_directory ||
        ec == asio::error::connection_refused) {
      last_failure_ = TransportFailure::kNotListening;
      hint = " (is microovnd running?)";
    } else if (ec == asio::error::access_denied || ec == boost::system::errc::operation_not_permitted) {
      last_failure_ = TransportFailure::kPermission;
      hint = " (the socket is accessible to root only)";
    }
    return make_error(Errc::kUnavailable, "failed to connect to microovnd at " + socket_path_ +
                                              ": " + error_text(ec) + hint);
  }

  // Send. If the daemon closes early (e.g. a 413 for a large body) its answer may still be
  // readable, so a failed send goes on to read.
  auto message = make_request(request, user_agent_);
  stream.expires_at(deadline);
  auto [send_ec, sent] = run_one(io, [&](auto handler) { http::async_write(stream, message, handler); });
  (void)sent;
  if (send_ec == beast::error::timeout) return timed_out("sending " + what + " to microovnd");

  // Receive until the response is complete or the daemon closes the connection.
  ResponseReader reader;
  std::string chunk(kReadChunkBytes, '\0');
  std::size_t received = 0;
  while (true) {
    stream.expires_at(deadline);
    auto [ec, n] = run_one(io, [&](auto handler) {
      stream.async_read_some(asio::buffer(chunk), handler);
    });
    if (ec == beast::error::timeout) return timed_out("waiting for microovnd to answer " + what);
    received += n;
    if (received > kResponseBytesMax) {
      return malformed("response larger than " + std::to_string(kResponseBytesMax) + " bytes");
    }
    if (n > 0) {
      auto done = reader.feed(std::string_view(chunk).substr(0, n));
      if (!done.ok()) return std::move(done).error();
      if (*done) {
        last_failure_ = TransportFailure::kNone;
        return reader.take();
      }
    }
    if (!ec) continue;
    // End of stream, or a read error (reset): what arrived so far must be a whole response.
    if (send_ec && received == 0) {
      return make_error(Errc::kIo, "failed to send request to microovnd: " + error_text(send_ec));
    }
    if (ec != asio::error::eof && received == 0) {
      return make_error(Errc::kIo, "failed to read the response of microovnd: " + error_text(ec));
    }
    auto response = reader.finish();
    if (response.ok()) last_failure_ = TransportFailure::kNone;
    return response;
  }
}

}  // namespace movn::cli
