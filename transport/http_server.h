// The local API server: HTTP/1.1 over a unix socket (Boost.Beast), bound under umask 077 so the
// socket is never reachable by other users. Requests over the size bounds or that do not parse
// get a 4xx envelope and the connection is closed. Runs entirely on the io_context thread that
// owns it (the daemon's core thread); not thread-safe.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace movn::transport {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;
inline constexpr std::size_t kMaxHeaderBytes = 16 << 10;
// A request (headers and body) must arrive, and a response be written, within this time.
inline constexpr int kIdleTimeoutMs = 30'000;
// Delay before accepting again after an accept error (for example no file descriptor left).
inline constexpr int kAcceptRetryMs = 100;

struct PeerCredentials {
  pid_t pid = -1;
  uid_t uid = static_cast<uid_t>(-1);
  std::string user;  // the user name of uid, or "uid:N"
};

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  PeerCredentials peer;
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;
};

// Must be called exactly once, on the server's io_context thread.
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest, Responder)>;

class LocalApiServer {
 public:
  ~LocalApiServer();
  LocalApiServer(const LocalApiServer&) = delete;
  LocalApiServer& operator=(const LocalApiServer&) = delete;

  // Binds and starts accepting. Fails with a clear error when the path is too long for a unix
  // socket or another process is already serving it; removes a stale socket file.
  static Result<std::unique_ptr<LocalApiServer>> listen(boost::asio::io_context& io,
                                                        const std::filesystem::path& socket_path,
                                                        Handler handler);
  // The path-length check of listen(), on its own (so callers can refuse early).
  static Result<void> check_path(const std::filesystem::path& socket_path);
  // Stops accepting and removes the socket file. Open connections finish their current request.
  void close();

 private:
  struct Impl;
  explicit LocalApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace movn::transport
