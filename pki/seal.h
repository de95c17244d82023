// Sealing of secrets that are stored or sent outside this member (the cluster CA's private key)
// with AES-256-GCM under the 32-byte cluster key. Owned by pki/. Thread-safe (no shared state).
// Sealed layout: version (1 byte, = 1) | nonce (12) | ciphertext (as long as the plaintext) |
// tag (16). The version byte is authenticated with the caller's associated data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::pki {

inline constexpr std::uint8_t kSealVersion = 1;
inline constexpr std::size_t kSealKeyBytes = 32;
inline constexpr std::size_t kSealNonceBytes = 12;
inline constexpr std::size_t kSealTagBytes = 16;
inline constexpr std::size_t kSealOverheadBytes = 1 + kSealNonceBytes + kSealTagBytes;
inline constexpr std::size_t kSealPlaintextBytesMax = std::size_t{1} << 30;

// Encrypts and authenticates `plaintext` and `aad` (which is not stored: unseal needs the same).
// `nonce12` must never repeat under one key: the caller draws it with random_bytes.
// kInvalidArgument for a key or nonce of the wrong size, kTooLarge over kSealPlaintextBytesMax.
Result<std::string> seal(std::string_view key32, std::string_view nonce12, std::string_view aad,
                         std::string_view plaintext);

// The plaintext of `sealed`, or an error and no plaintext at all:
// kInvalidArgument for a key of the wrong size, input shorter than kSealOverheadBytes or an
// unknown version; kCorruption "sealed data does not authenticate under this cluster key" when
// the key, the associated data or any sealed byte is not the one it was sealed with.
Result<std::string> unseal(std::string_view key32, std::string_view aad, std::string_view sealed);

// Overwrites a secret's bytes (OPENSSL_cleanse, which the compiler does not drop) and empties it.
void wipe(std::string& secret);

}  // namespace movn::pki
