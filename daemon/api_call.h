// One call to the local API as its handlers see it (daemon/api*.cc): the parsed request, and
// how to answer it once, now or later on the core thread. Internal to the daemon's API.
#pragma once

#include <spdlog/spdlog.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/api.h"
#include "transport/envelope.h"

namespace movn::daemon {

struct Api::Call : std::enable_shared_from_this<Api::Call> {
  transport::HttpRequest req;
  transport::Responder respond;
  std::vector<std::string> path;               // decoded segments
  std::map<std::string, std::string> query;    // decoded
  std::string request_id;
  events::Actor actor;
  bool answered = false;
  std::function<Error(Error)> explain;  // adds what this member reaches to an unavailable cluster's error

  void ok(const nlohmann::ordered_json& metadata) { send(200, transport::sync_envelope(metadata)); }
  void fail(Error e) {
    if (e.code == Errc::kUnavailable && explain) e = explain(std::move(e));
    unsigned status = transport::http_status_for(e.code);
    if (status >= 500) spdlog::error("{} {}: {}", req.method, req.target, e.message);
    send(status, transport::error_envelope(status, e.message));
  }
  void send(unsigned status, std::string body) {
    if (answered) return;
    answered = true;
    respond(transport::HttpResponse{status, std::move(body)});
  }
  // Wraps a continuation that runs later on the core thread: an exception thrown in it is a bug,
  // answered with 500 instead of escaping into the event loop (where it would stop the daemon).
  template <class F>
  auto guard(F f) {
    return [self = shared_from_this(), f = std::move(f)](auto&&... args) mutable {
      try {
        f(std::forward<decltype(args)>(args)...);
      } catch (const std::exception& ex) {
        self->fail(make_error(Errc::kInternal, std::string("internal error: ") + ex.what()));
      }
    };
  }
};

}  // namespace movn::daemon
