// The cluster CA as the log keeps it (events::CaCertificate): the certificate in clear, the
// private key sealed under the cluster key (pki/seal.h) with the certificate's fingerprint as
// associated data, so a sealed key cannot be paired with another certificate. Owned by pki/.
// Thread-safe (no shared state). Key generation and signing take milliseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "eventlog/events.h"
#include "pki/certificate.h"

namespace movn::pki {

// The associated data a CA key is sealed with.
std::string ca_key_aad(std::string_view fingerprint_hex);

// Seals `ca` (its key and certificate, as make_ca or an operator gives them; the certificate may
// be a chain, the CA's own first) under `cluster_key`, with a fresh random nonce.
// kInvalidArgument if the key does not match the first certificate or the cluster key is not
// 32 bytes.
Result<events::CaCertificate> seal_ca(const KeyPair& ca, std::string_view cluster_key);

// A new cluster CA (make_ca, valid from now_unix_s), sealed.
Result<events::CaCertificate> generate_sealed_ca(std::int64_t now_unix_s, std::string_view cluster_key);

// The CA's private key (PEM), opened with `cluster_key`. kCorruption when it does not
// authenticate (another cluster's key, or damage).
Result<std::string> open_ca_key(const events::CaCertificate& ca, std::string_view cluster_key);

}  // namespace movn::pki
