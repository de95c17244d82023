// The LXD-style JSON envelope of the local API (docs/api.md) and the mapping of errors to HTTP
// status codes. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::transport {

std::string sync_envelope(const nlohmann::ordered_json& metadata);
std::string error_envelope(unsigned status, std::string_view message);
unsigned http_status_for(Errc code);

}  // namespace movn::transport
