#include "transport/envelope.h"

namespace movn::transport {

std::string sync_envelope(const nlohmann::ordered_json& metadata) {
  // Every answer has this envelope: its fixed part is written as text rather than built as a
  // JSON object first (a copy of the metadata and a dozen allocations per answer).
  std::string out = R"({"type":"sync","status":"Success","status_code":200,"operation":"","error_code":0,)"
                    R"("error":"","metadata":)";
  out += metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back('}');
  return out;
}

std::string error_envelope(unsigned status, std::string_view message) {
  nlohmann::ordered_json j;
  j["type"] = "error";
  j["status"] = "";
  j["status_code"] = 0;
  j["operation"] = "";
  j["error_code"] = status;
  j["error"] = std::string(message);
  j["metadata"] = nullptr;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

unsigned http_status_for(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return 400;
    case Errc::kNotFound: return 404;
    case Errc::kAlreadyExists: return 409;
    case Errc::kConflict: return 409;
    case Errc::kFailedPrecondition: return 409;
    case Errc::kUnavailable: return 503;
    case Errc::kTimeout: return 504;
    case Errc::kPermissionDenied: return 403;
    case Errc::kTooLarge: return 413;
    case Errc::kIo:
    case Errc::kCorruption:
    case Errc::kInternal: return 500;
  }
  return 500;
}

}  // namespace movn::transport
