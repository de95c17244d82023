// HTTP/1.1 client over a unix stream socket, used by the CLI to reach microovnd: Boost.Beast
// messages and response parser over an Asio local socket (header-only; no OpenSSL, which would
// cost CLI start-up time). Owned by cli/; one UnixHttpClient per CLI invocation. Not thread-safe
// (a client object must not be used from two threads at once). Every call is bounded by a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace movn::cli {

// Upper bound for a whole response (status line, headers and body).
inline constexpr std::size_t kResponseBytesMax = 64 * 1024 * 1024;
// Upper bound for the status line plus headers.
inline constexpr std::size_t kHeaderBytesMax = 64 * 1024;

struct HttpRequest {
  std::string method;      // "GET", "POST", ...
  std::string target;      // origin-form: "/1.0/cluster?x=y" (already URL-encoded)
  std::string body;        // sent with Content-Length (also when empty)
  std::string request_id;  // sent as X-Request-Id when not empty
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;                                          // de-chunked

  // Case-insensitive header lookup; the first match.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Parses a response from the bytes read so far. Returns:
//  - a response, when the bytes hold a complete response (1xx interim responses are skipped);
//  - std::nullopt, when more bytes are needed and `at_eof` is false;
//  - an error, when the bytes are malformed, or incomplete and `at_eof` is true.
// A body without Content-Length or chunked encoding runs to EOF.
Result<std::optional<HttpResponse>> try_parse_http_response(std::string_view data, bool at_eof);

// Serialises a request: Host: localhost, Content-Length, Connection: close, X-Request-Id.
std::string format_http_request(const HttpRequest& request, std::string_view user_agent);

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
// Good for both a path segment and a query value.
std::string url_encode(std::string_view text);

// Why a call failed at the transport level; lets waitready tell "not up yet" from "broken".
enum class TransportFailure {
  kNone,
  kNotListening,  // socket missing or connection refused: the daemon is not (yet) running
  kPermission,    // EACCES/EPERM on the socket
  kTimeout,       // the deadline passed
  kBroken,        // reset, short read, malformed response
};

class UnixHttpClient {
 public:
  UnixHttpClient(std::string socket_path, std::string user_agent)
      : socket_path_(std::move(socket_path)), user_agent_(std::move(user_agent)) {}

  // Sends one request on a fresh connection and reads the whole response, within `timeout`.
  // Errors: kUnavailable (cannot connect), kTimeout, kIo (read/write), kCorruption (malformed).
  Result<HttpResponse> call(const HttpRequest& request, std::chrono::milliseconds timeout);

  // What kind of failure the last call() hit (kNone after a success).
  TransportFailure last_failure() const { return last_failure_; }
  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::string user_agent_;
  TransportFailure last_failure_ = TransportFailure::kNone;
};

}  // namespace movn::cli
