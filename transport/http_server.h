// The local API server: HTTP/1.1 over a unix socket (Boost.Beast), bound under umask 077 so the
// socket is never reachable by other users. Requests over the size bounds or that do not parse
// get a 4xx envelope and the connection is closed. Runs entirely on the io_context thread that
// owns it (the daemon's core thread); not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "transport/http_types.h"

namespace movn::transport {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;
inline constexpr std::size_t kMaxHeaderBytes = 16 << 10;
// A request (headers and body) must arrive, be answered by the handler, and its response be
// written, each within this time. A handler that has not answered by then gets a 504 sent for it
// (its late answer is dropped) and the connection is closed.
inline constexpr int kIdleTimeoutMs = 30'000;
// Delay before accepting again after an accept error (for example no file descriptor left).
inline constexpr int kAcceptRetryMs = 100;

class LocalApiServer {
 public:
  ~LocalApiServer();
  LocalApiServer(const LocalApiServer&) = delete;
  LocalApiServer& operator=(const LocalApiServer&) = delete;

  // Binds and starts accepting. Fails with a clear error when the path is too long for a unix
  // socket or another process is already serving it; removes a stale socket file.
  static Result<std::unique_ptr<LocalApiServer>> listen(boost::asio::io_context& io,
                                                        const std::filesystem::path& socket_path,
                                                        Handler handler, int timeout_ms = kIdleTimeoutMs);
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
