// SHA-256 helper: the one place hashing enters projections and the event log (docs/design.md §3).
// A Sha256 object is single-threaded; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace movn {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::string_view bytes);
  Sha256& update(std::span<const std::uint8_t> bytes);
  // Appends a length-prefixed field, so ("ab","c") and ("a","bc") hash differently.
  Sha256& update_field(std::string_view bytes);
  Sha256& update_u64(std::uint64_t v);
  // Returns the digest and resets the object for reuse.
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest sha256(std::string_view bytes);
std::string to_hex(std::span<const std::uint8_t> bytes);
inline std::string to_hex(const Digest& d) { return to_hex(std::span<const std::uint8_t>(d)); }
std::string sha256_hex(std::string_view bytes);
// HMAC-SHA-256 (RFC 2104), used to derive token secrets from a local key and a request id.
Digest hmac_sha256(std::string_view key, std::string_view message);

}  // namespace movn
