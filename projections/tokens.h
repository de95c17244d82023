// Join-token projection: the tokens issued and not yet revoked, expired or used, by name.
// Only the SHA-256 of each secret is here. Single-threaded (core thread).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "projections/projection.h"

namespace movn::projections {

struct Token {
  std::string name;
  std::string secret_sha256;  // 32 raw bytes
  std::uint64_t issued_at_ms = 0;
  std::uint64_t expires_at_ms = 0;
  std::string request_id;  // of the request that issued it (a retry returns the same token)
  std::uint64_t issued_index = 0;
  bool expired_at(std::uint64_t now_ms) const { return now_ms >= expires_at_ms; }
  bool operator==(const Token&) const = default;
};

class Tokens final : public Projection {
 public:
  std::string_view name() const override { return "tokens"; }
  void apply(const events::Event& e, const ApplyContext& ctx) override;
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  const std::map<std::string, Token>& tokens() const { return tokens_; }
  const Token* find(std::string_view name) const;
  const Token* find_by_request(std::string_view request_id) const;

 private:
  std::map<std::string, Token> tokens_;
};

}  // namespace movn::projections
