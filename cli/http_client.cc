// HTTP/1.1 over a unix socket: request formatting, response parsing, and the blocking call loop.
#include "cli/http_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

namespace movn::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunkBytes = 64 * 1024;
constexpr std::size_t kChunkSizeLineBytesMax = 1024;
constexpr auto kConnectRetryDelay = std::chrono::milliseconds(5);

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error malformed(std::string detail) {
  return make_error(Errc::kCorruption, "invalid response from microovnd: " + std::move(detail));
}

// RFC 9110 token characters, for header names.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Offset just past the blank line that ends the head, or npos. Accepts CRLF and bare LF.
std::size_t find_head_end(std::string_view data) {
  std::size_t line_start = 0;
  while (line_start < data.size()) {
    std::size_t nl = data.find('\n', line_start);
    if (nl == std::string_view::npos) return std::string_view::npos;
    std::string_view line = data.substr(line_start, nl - line_start);
    if (line.empty() || line == "\r") {
      // A blank line first would be an empty status line; let the head parser reject it.
      return nl + 1;
    }
    line_start = nl + 1;
  }
  return std::string_view::npos;
}

struct Head {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
};

Result<Head> parse_head(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < head.size()) {
    std::size_t nl = head.find('\n', start);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = nl + 1;
  }
  // The last line is the blank terminator.
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return malformed("empty status line");

  Head out;
  std::string_view status_line = lines[0];
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    return malformed("bad status line '" + std::string(status_line.substr(0, 80)) + "'");
  }
  std::string_view code = status_line.substr(9, 3);
  for (char c : code) {
    if (c < '0' || c > '9') return malformed("bad status code '" + std::string(code) + "'");
  }
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (out.status < 100) return malformed("bad status code '" + std::string(code) + "'");
  if (status_line.size() > 12) {
    if (status_line[12] != ' ') return malformed("bad status line");
    out.reason = std::string(status_line.substr(13));
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') return malformed("folded header line");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return malformed("bad header line '" + std::string(line.substr(0, 80)) + "'");
    }
    std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!is_token_char(c)) return malformed("bad header name '" + std::string(name) + "'");
    }
    out.headers.emplace_back(std::string(name), std::string(trim_ows(line.substr(colon + 1))));
  }
  return out;
}

Result<std::size_t> parse_content_length(
    const std::vector<std::pair<std::string, std::string>>& headers, bool& present) {
  present = false;
  std::size_t value = 0;
  for (const auto& [name, raw] : headers) {
    if (!iequals(name, "Content-Length")) continue;
    // A list like "12, 12" is allowed if every element agrees.
    std::string_view rest = raw;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view item = trim_ows(rest.substr(0, comma));
      std::size_t parsed = 0;
      auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), parsed);
      if (item.empty() || ec != std::errc() || ptr != item.data() + item.size()) {
        return malformed("bad Content-Length '" + raw + "'");
      }
      if (present && parsed != value) return malformed("conflicting Content-Length values");
      present = true;
      value = parsed;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (present && value > kResponseBytesMax) return malformed("body too large");
  return value;
}

// Decodes a chunked body. nullopt: more bytes needed.
Result<std::optional<std::string>> decode_chunked(std::string_view data, bool at_eof) {
  std::string out;
  std::size_t p = 0;
  auto incomplete = [&]() -> Result<std::optional<std::string>> {
    if (at_eof) return malformed("truncated chunked body");
    return std::optional<std::string>();
  };
  while (true) {
    std::size_t nl = data.find('\n', p);
    if (nl == std::string_view::npos) {
      if (data.size() - p > kChunkSizeLineBytesMax) return malformed("chunk size line too long");
      return incomplete();
    }
    std::string_view line = data.substr(p, nl - p);
    if (line.size() > kChunkSizeLineBytesMax) return malformed("chunk size line too long");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim_ows(line.substr(0, line.find(';')));
    std::size_t size = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || ptr != line.data() + line.size()) {
      return malformed("bad chunk size '" + std::string(line.substr(0, 40)) + "'");
    }
    if (size > kResponseBytesMax || out.size() + size > kResponseBytesMax) {
      return malformed("body too large");
    }
    p = nl + 1;
    if (size == 0) {
      // Trailer section: header lines until a blank line.
      while (true) {
        std::size_t tnl = data.find('\n', p);
        if (tnl == std::string_view::npos) return incomplete();
        std::string_view tline = data.substr(p, tnl - p);
        p = tnl + 1;
        if (tline.empty() || tline == "\r") return std::optional<std::string>(std::move(out));
      }
    }
    if (data.size() - p < size + 1) return incomplete();
    out.append(data.substr(p, size));
    p += size;
    if (data[p] == '\n') {
      p += 1;
    } else if (data[p] == '\r') {
      if (data.size() - p < 2) return incomplete();
      if (data[p + 1] != '\n') return malformed("chunk not followed by CRLF");
      p += 2;
    } else {
      return malformed("chunk not followed by CRLF");
    }
  }
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
  std::size_t pos = 0;
  while (true) {
    std::string_view rest = data.substr(pos);
    std::size_t head_end = find_head_end(rest);
    if (head_end == std::string_view::npos) {
      if (rest.size() > kHeaderBytesMax) return malformed("headers too large");
      if (at_eof) {
        return rest.empty() ? malformed("connection closed without a response")
                            : malformed("truncated headers");
      }
      return std::optional<HttpResponse>();
    }
    if (head_end > kHeaderBytesMax) return malformed("headers too large");
    auto head = parse_head(rest.substr(0, head_end));
    if (!head.ok()) return std::move(head).error();
    if (head->status >= 100 && head->status < 200 && head->status != 101) {
      pos += head_end;  // interim response (100 Continue): the real one follows
      continue;
    }
    std::string_view body_data = rest.substr(head_end);
    HttpResponse response;
    response.status = head->status;
    response.reason = std::move(head->reason);
    response.headers = std::move(head->headers);

    bool chunked = false;
    bool has_transfer_encoding = false;
    if (auto te = response.header("Transfer-Encoding")) {
      has_transfer_encoding = true;
      std::string_view codings = *te;
      std::size_t comma = codings.rfind(',');
      std::string_view last =
          trim_ows(comma == std::string_view::npos ? codings : codings.substr(comma + 1));
      chunked = iequals(last, "chunked");
    }
    if (chunked) {
      auto body = decode_chunked(body_data, at_eof);
      if (!body.ok()) return std::move(body).error();
      if (!body->has_value()) return std::optional<HttpResponse>();
      response.body = std::move(**body);
      return std::optional<HttpResponse>(std::move(response));
    }
    bool has_length = false;
    auto length = parse_content_length(response.headers, has_length);
    if (!length.ok()) return std::move(length).error();
    if (has_length && !has_transfer_encoding) {
      if (body_data.size() < *length) {
        if (at_eof) {
          return malformed("truncated body: got " + std::to_string(body_data.size()) + " of " +
                           std::to_string(*length) + " bytes");
        }
        return std::optional<HttpResponse>();
      }
      response.body = std::string(body_data.substr(0, *length));
      return std::optional<HttpResponse>(std::move(response));
    }
    if (response.status == 204 || response.status == 304) {
      return std::optional<HttpResponse>(std::move(response));
    }
    // No framing: the body runs to the end of the connection.
    if (!at_eof) return std::optional<HttpResponse>();
    response.body = std::string(body_data);
    return std::optional<HttpResponse>(std::move(response));
  }
}

std::string format_http_request(const HttpRequest& request, std::string_view user_agent) {
  std::string out;
  out.reserve(256 + request.body.size());
  out += request.method;
  out += ' ';
  out += request.target;
  out += " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ";
  out += user_agent;
  out += "\r\nAccept: application/json\r\n";
  if (!request.request_id.empty()) {
    out += "X-Request-Id: ";
    out += request.request_id;
    out += "\r\n";
  }
  if (!request.body.empty()) out += "Content-Type: application/json\r\n";
  out += "Content-Length: ";
  out += std::to_string(request.body.size());
  out += "\r\nConnection: close\r\n\r\n";
  out += request.body;
  return out;
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

namespace {

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Milliseconds left until the deadline, rounded up; 0 when it has passed.
int remaining_ms(Clock::time_point deadline) {
  auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
}

// Waits until fd is ready for `events`. Returns false on timeout.
Result<bool> wait_fd(int fd, short events, Clock::time_point deadline) {
  while (true) {
    int ms = remaining_ms(deadline);
    if (ms == 0) return false;
    pollfd pfd{fd, events, 0};
    int rc = ::poll(&pfd, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) continue;  // re-check the deadline
    if (errno == EINTR) continue;
    return make_error(Errc::kIo, std::string("poll failed: ") + std::strerror(errno));
  }
}

}  // namespace

Result<HttpResponse> UnixHttpClient::call(const HttpRequest& request,
                                          std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  last_failure_ = TransportFailure::kBroken;
  const std::string what = request.method + " " + request.target;

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.empty() || socket_path_.size() >= sizeof(addr.sun_path)) {
    return make_error(Errc::kInvalidArgument, "failed to connect to microovnd at " + socket_path_ +
                                                  ": socket path is empty or longer than " +
                                                  std::to_string(sizeof(addr.sun_path) - 1) +
                                                  " bytes");
  }
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());

  FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    return make_error(Errc::kIo, std::string("failed to create a socket: ") + std::strerror(errno));
  }

  // Connect. A unix socket connects at once or fails; EAGAIN means the listen backlog is full.
  while (true) {
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) break;
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EINPROGRESS) {
      if (remaining_ms(deadline) == 0) {
        last_failure_ = TransportFailure::kTimeout;
        return make_error(Errc::kTimeout, "timed out connecting to microovnd at " + socket_path_);
      }
      std::this_thread::sleep_for(kConnectRetryDelay);
      continue;
    }
    std::string hint;
    if (err == ENOENT || err == ECONNREFUSED) {
      last_failure_ = TransportFailure::kNotListening;
      hint = " (is microovnd running?)";
    } else if (err == EACCES || err == EPERM) {
      last_failure_ = TransportFailure::kPermission;
      hint = " (the socket is accessible to root only)";
    }
    return make_error(Errc::kUnavailable, "failed to connect to microovnd at " + socket_path_ +
                                              ": " + std::strerror(err) + hint);
  }

  // Send. If the daemon closes early (e.g. a 413 for a large body) its answer may still be
  // readable.
  const std::string wire = format_http_request(request, user_agent_);
  std::size_t sent = 0;
  int send_errno = 0;
  while (sent < wire.size()) {
    ssize_t n = ::send(fd.get(), wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = wait_fd(fd.get(), POLLOUT, deadline);
      if (!ready.ok()) return std::move(ready).error();
      if (!*ready) {
        last_failure_ = TransportFailure::kTimeout;
        return make_error(Errc::kTimeout, "timed out after " + std::to_string(timeout.count()) +
                                              " ms sending " + what + " to microovnd");
      }
      continue;
    }
    send_errno = n < 0 ? errno : EPIPE;
    break;
  }

  // Receive until the response is complete or the daemon closes the connection.
  std::string buffer;
  char chunk[kReadChunkBytes];
  while (true) {
    auto ready = wait_fd(fd.get(), POLLIN, deadline);
    if (!ready.ok()) return std::move(ready).error();
    if (!*ready) {
      last_failure_ = TransportFailure::kTimeout;
      return make_error(Errc::kTimeout, "timed out after " + std::to_string(timeout.count()) +
                                            " ms waiting for microovnd to answer " + what);
    }
    bool at_eof = false;
    int read_errno = 0;
    // Drain what is available, then parse once per burst (keeps parsing linear in practice).
    while (true) {
      ssize_t n = ::recv(fd.get(), chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer.append(chunk, static_cast<std::size_t>(n));
        if (buffer.size() > kResponseBytesMax) {
          return malformed("response larger than " + std::to_string(kResponseBytesMax) + " bytes");
        }
        continue;
      }
      if (n == 0) {
        at_eof = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      read_errno = errno;
      at_eof = true;
      break;
    }
    auto parsed = try_parse_http_response(buffer, at_eof);
    if (parsed.ok() && parsed->has_value()) {
      last_failure_ = TransportFailure::kNone;
      return std::move(**parsed);
    }
    if (!at_eof) continue;
    if (send_errno != 0 && buffer.empty()) {
      return make_error(Errc::kIo, std::string("failed to send request to microovnd: ") +
                                       std::strerror(send_errno));
    }
    if (read_errno != 0 && buffer.empty()) {
      return make_error(Errc::kIo, std::string("failed to read the response of microovnd: ") +
                                       std::strerror(read_errno));
    }
    if (!parsed.ok()) return std::move(parsed).error();
    return malformed("incomplete response");  // unreachable: at_eof parsing never yields nullopt
  }
}

}  // namespace movn::cli
