// The values the local API server hands its handler: a parsed request with the caller's
// credentials, and the response. No Asio here, so request parsing can be tested and fuzzed on its own.
// Value types; thread-safe as values.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

namespace movn::transport {

struct PeerCredentials {
  pid_t pid = -1;
  uid_t uid = static_cast<uid_t>(-1);
  std::string user;  // the user name of uid, or "uid:N"
};

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent
  std::multimap<std::string, std::string> headers;  // lower-case names; a repeated header appears once per copy
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

}  // namespace movn::transport
