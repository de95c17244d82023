// Cryptographic randomness from OpenSSL's CSPRNG (RAND_bytes). Thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace movn::pki {

// `n` random bytes. Errors: kTooLarge if n does not fit RAND_bytes' int, kInternal if the RNG
// fails.
Result<std::string> random_bytes(std::size_t n);

// `n_bytes` random bytes as 2*n_bytes lowercase hex characters. An RNG failure aborts the process
// (fail-stop): callers use this for names and ids where no sensible fallback exists.
std::string random_hex(std::size_t n_bytes);

}  // namespace movn::pki
