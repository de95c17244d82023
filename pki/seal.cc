#include "pki/seal.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "pki/openssl_util.h"

namespace movn::pki {

namespace {

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<void> check_size(std::string_view what, std::string_view value, std::size_t expected) {
  if (value.size() != expected) {
    return make_error(Errc::kInvalidArgument, std::string(what) + " is " +
                                                  std::to_string(value.size()) +
                                                  " bytes, expected " + std::to_string(expected));
  }
  return ok_result();
}

// Starts an AES-256-GCM context (12-byte nonce, the default) and feeds it the associated data:
// the version byte, then the caller's aad.
Result<CipherCtxPtr> start_gcm(bool encrypt, std::string_view key32, std::string_view nonce12,
                               std::string_view aad) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return openssl_error(Errc::kInternal, "allocating a cipher context failed");
  const int ok = encrypt ? EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytes_of(key32),
                                               bytes_of(nonce12), nullptr)
                         : EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytes_of(key32),
                                               bytes_of(nonce12), nullptr);
  if (ok != 1) return openssl_error(Errc::kInternal, "setting up AES-256-GCM failed");
  const unsigned char version = kSealVersion;
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), nullptr, &len, &version, 1) != 1 ||
      (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &len, bytes_of(aad),
                                        static_cast<int>(aad.size())) != 1)) {
    return openssl_error(Errc::kInternal, "authenticating the associated data failed");
  }
  return ctx;
}

Result<std::string> seal_impl(std::string_view key32, std::string_view nonce12,
                              std::string_view aad, std::string_view plaintext) {
  MOVN_TRY(check_size("cluster key", key32, kSealKeyBytes));
  MOVN_TRY(check_size("nonce", nonce12, kSealNonceBytes));
  if (plaintext.size() > kSealPlaintextBytesMax || aad.size() > kSealPlaintextBytesMax) {
    return make_error(Errc::kTooLarge, "plaintext or associated data is over " +
                                           std::to_string(kSealPlaintextBytesMax) + " bytes");
  }
  MOVN_ASSIGN_OR_RETURN(CipherCtxPtr ctx, start_gcm(true, key32, nonce12, aad));

  std::string out(kSealOverheadBytes + plaintext.size(), '\0');
  out[0] = static_cast<char>(kSealVersion);
  out.replace(1, kSealNonceBytes, nonce12);
  auto* ciphertext = reinterpret_cast<unsigned char*>(out.data()) + 1 + kSealNonceBytes;
  int len = 0;
  if (!plaintext.empty() && (EVP_EncryptUpdate(ctx.get(), ciphertext, &len, bytes_of(plaintext),
                                               static_cast<int>(plaintext.size())) != 1 ||
                             static_cast<std::size_t>(len) != plaintext.size())) {
    return openssl_error(Errc::kInternal, "encrypting failed");
  }
  int final_len = 0;
  unsigned char* tag = ciphertext + plaintext.size();
  if (EVP_EncryptFinal_ex(ctx.get(), tag, &final_len) != 1 || final_len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSealTagBytes), tag) !=
          1) {
    return openssl_error(Errc::kInternal, "finishing the encryption failed");
  }
  return out;
}

Result<std::string> unseal_impl(std::string_view key32, std::string_view aad,
                                std::string_view sealed) {
  MOVN_TRY(check_size("cluster key", key32, kSealKeyBytes));
  if (sealed.size() < kSealOverheadBytes) {
    return make_error(Errc::kInvalidArgument, "sealed data is " + std::to_string(sealed.size()) +
                                                  " bytes, shorter than the " +
                                                  std::to_string(kSealOverheadBytes) +
                                                  "-byte minimum");
  }
  if (sealed.size() - kSealOverheadBytes > kSealPlaintextBytesMax ||
      aad.size() > kSealPlaintextBytesMax) {
    return make_error(Errc::kTooLarge, "sealed data or associated data is over " +
                                           std::to_string(kSealPlaintextBytesMax) + " bytes");
  }
  const auto version = static_cast<std::uint8_t>(sealed[0]);
  if (version != kSealVersion) {
    return make_error(Errc::kInvalidArgument, "sealed data has version " + std::to_string(version) +
                                                  ", expected " + std::to_string(kSealVersion));
  }
  const std::string_view nonce = sealed.substr(1, kSealNonceBytes);
  const std::string_view ciphertext =
      sealed.substr(1 + kSealNonceBytes, sealed.size() - kSealOverheadBytes);
  const std::string_view tag = sealed.substr(sealed.size() - kSealTagBytes);
  MOVN_ASSIGN_OR_RETURN(CipherCtxPtr ctx, start_gcm(false, key32, nonce, aad));

  std::string plaintext(ciphertext.size(), '\0');
  int len = 0;
  bool authentic =
      ciphertext.empty() ||
      (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &len,
                         bytes_of(ciphertext), static_cast<int>(ciphertext.size())) == 1 &&
       static_cast<std::size_t>(len) == ciphertext.size());
  // OpenSSL's API takes a non-const tag buffer for SET_TAG; it only reads it.
  std::string tag_copy(tag);
  unsigned char final_block[EVP_MAX_BLOCK_LENGTH];  // GCM writes nothing here
  int final_len = 0;
  authentic = authentic &&
              EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kSealTagBytes),
                                  tag_copy.data()) == 1 &&
              EVP_DecryptFinal_ex(ctx.get(), final_block, &final_len) == 1 && final_len == 0;
  ERR_clear_error();
  if (!authentic) {
    // The bytes decrypted so far are unauthenticated: they must not outlive this call.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return make_error(Errc::kCorruption,
                      "sealed data does not authenticate under this cluster key");
  }
  return plaintext;
}

}  // namespace

Result<std::string> seal(std::string_view key32, std::string_view nonce12, std::string_view aad,
                         std::string_view plaintext) {
  ERR_clear_error();
  return seal_impl(key32, nonce12, aad, plaintext).wrap_error("sealing a secret");
}

Result<std::string> unseal(std::string_view key32, std::string_view aad, std::string_view sealed) {
  ERR_clear_error();
  return unseal_impl(key32, aad, sealed).wrap_error("unsealing a secret");
}

void wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace movn::pki
