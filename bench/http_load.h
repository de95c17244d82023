// Closed-loop HTTP load shared by the bench drivers (microovn-bench-append, microovn-bench-load):
// blocking sockets, one thread and one keep-alive connection per client, each client sending its
// next request when the previous answer arrived. An endpoint is a unix socket or a TCP host:port.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace movn::bench {

// "unix:PATH", "tcp:IP:PORT", "IP:PORT" or a path (anything with a '/' and no "tcp:" prefix).
struct Endpoint {
  bool is_unix = true;
  std::string path;  // unix
  std::string host;  // tcp: a numeric IPv4 address
  int port = 0;      // tcp
  std::string to_string() const;
};
std::optional<Endpoint> parse_endpoint(const std::string& text);

// A connected socket (TCP_NODELAY on TCP), or -1 with the reason printed on stderr.
int connect_endpoint(const Endpoint& e);

// Reads one HTTP/1.1 response from fd (Content-Length or chunked body); `buf` keeps bytes read past
// it for the next call. Returns the status code, or -1 when the connection closed or broke. The body
// is stored in *body when body is not null.
int read_response(int fd, std::string& buf, std::string* body = nullptr);

// One request on a fresh connection; returns the status code (-1 on failure) and the body.
int http_request(const Endpoint& e, const std::string& method, const std::string& path, const std::string& body,
                 std::string* response_body);

// 32 lower-case hex characters from a per-thread generator seeded by std::random_device.
std::string random_hex32();

struct LoadSpec {
  std::string method = "PUT";
  std::string path = "/1.0/config/ovn.central-ips";
  std::function<std::string(int client)> body;  // the request body a client sends
  std::string content_type = "application/json";
  bool request_id = false;  // a fresh X-Request-Id (random_hex32) on every request
};

struct LoadResult {
  std::vector<double> latencies_us;      // one per 200 answer inside the measured window, sorted
  std::vector<std::size_t> per_endpoint;  // answers counted, per endpoint
  double seconds = 0;                     // the measured window
  std::size_t all_ok = 0;                 // 200 answers including the warm-up and the last in flight
  long errors = 0;                        // answers other than 200, broken connections
  std::string first_error;                // the first such answer's status and body, for the report
  double percentile_us(double p) const;
  double commits_per_s() const { return seconds > 0 ? latencies_us.size() / seconds : 0; }
};

// Runs `clients` clients for `warmup` + `seconds` seconds; client i talks to endpoints[i %
// endpoints.size()]. Requests that complete during the warm-up are not counted. A client whose
// connection breaks counts an error and reconnects after 10 ms.
LoadResult run_load(const std::vector<Endpoint>& endpoints, int clients, double seconds, double warmup,
                    const LoadSpec& spec);

// GET /1.0/stats -> "synced_writes" (a microovnd control socket), -1 when unavailable.
long synced_writes(const Endpoint& e);

}  // namespace movn::bench
