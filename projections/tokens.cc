#include "projections/tokens.h"

#include <nlohmann/json.hpp>

namespace movn::projections {

void Tokens::apply(const events::Event& e, const ApplyContext& ctx) {
  if (const auto* t = std::get_if<events::JoinTokenIssued>(&e)) {
    tokens_[t->name] = Token{t->name, t->secret_sha256, ctx.time.value, t->expires_at_ms,
                             ctx.batch.request_id, ctx.index.value};
  } else if (const auto* r = std::get_if<events::JoinTokenRevoked>(&e)) {
    tokens_.erase(r->name);
  } else if (const auto* j = std::get_if<events::MemberJoined>(&e)) {
    tokens_.erase(j->name);  // a token is single-use
  }
}

const Token* Tokens::find(std::string_view name) const {
  auto it = tokens_.find(std::string(name));
  return it == tokens_.end() ? nullptr : &it->second;
}

const Token* Tokens::find_by_request(std::string_view request_id) const {
  for (const auto& [n, t] : tokens_)
    if (t.request_id == request_id) return &t;
  return nullptr;
}

std::string Tokens::snapshot() const {
  auto arr = nlohmann::json::array();
  for (const auto& [n, t] : tokens_)
    arr.push_back({{"name", t.name},
                   {"secret_sha256", nlohmann::json::binary(std::vector<std::uint8_t>(
                                         t.secret_sha256.begin(), t.secret_sha256.end()))},
                   {"issued_at_ms", t.issued_at_ms}, {"expires_at_ms", t.expires_at_ms},
                   {"request_id", t.request_id}, {"issued_index", t.issued_index}});
  auto bytes = nlohmann::json::to_cbor(arr);
  return std::string(bytes.begin(), bytes.end());
}

Result<void> Tokens::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("tokens checkpoint does not parse");
  try {
    auto arr = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    std::map<std::string, Token> ts;
    for (const auto& t : arr) {
      const auto& bin = t.at("secret_sha256").get_binary();
      Token x{t.at("name").get<std::string>(), std::string(bin.begin(), bin.end()),
              snapshot_u64(t.at("issued_at_ms")), snapshot_u64(t.at("expires_at_ms")),
              t.at("request_id").get<std::string>(), snapshot_u64(t.at("issued_index"))};
      ts[x.name] = std::move(x);
    }
    tokens_ = std::move(ts);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("tokens checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
