#include "common/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace movn {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

namespace {
// An explicitly fetched algorithm: with OpenSSL 3, EVP_sha256() makes every init look the
// implementation up again, which cost more than hashing a small entry.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
void check(int rc) {
  if (rc != 1) std::abort();  // OpenSSL digest failures mean memory exhaustion; fail-stop.
}
}  // namespace

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || sha256_md() == nullptr) std::abort();
  check(EVP_DigestInit_ex2(impl_->ctx, sha256_md(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

Sha256& Sha256::update(std::string_view bytes) {
  check(EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()));
  return *this;
}

Sha256& Sha256::update(std::span<const std::uint8_t> bytes) {
  check(EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()));
  return *this;
}

Sha256& Sha256::update_u64(std::uint64_t v) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return update(std::span<const std::uint8_t>(b, 8));
}

Sha256& Sha256::update_field(std::string_view bytes) {
  update_u64(bytes.size());
  return update(bytes);
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(impl_->ctx, d.data(), &len));
  check(EVP_DigestInit_ex2(impl_->ctx, sha256_md(), nullptr));
  return d;
}

Digest sha256(std::string_view bytes) {
  thread_local Sha256 h;
  h.update(bytes);
  return h.finish();
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

Digest hmac_sha256(std::string_view key, std::string_view message) {
  static const unsigned char kNoKey = 0;  // HMAC() wants a key pointer even for an empty key
  Digest d{};
  unsigned int len = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (key.size() > INT_MAX ||
      HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), d.data(),
           &len) == nullptr ||
      len != d.size()) {
    std::abort();  // as for digests: only memory exhaustion makes HMAC fail; fail-stop
  }
  return d;
}

}  // namespace movn
