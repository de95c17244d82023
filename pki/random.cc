#include "pki/random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "common/sha256.h"
#include "pki/openssl_util.h"

namespace movn::pki {

Result<std::string> random_bytes(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    return make_error(Errc::kTooLarge, "random_bytes: " + std::to_string(n) +
                                           " bytes requested, limit is " + std::to_string(INT_MAX));
  }
  std::string out(n, '\0');
  if (n == 0) return out;
  ERR_clear_error();
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return openssl_error(Errc::kInternal, "generating random bytes failed");
  }
  return out;
}

std::string random_hex(std::size_t n_bytes) {
  auto bytes = random_bytes(n_bytes);
  if (!bytes.ok()) {
    std::fprintf(stderr, "fatal: %s\n", bytes.error().message.c_str());
    std::abort();
  }
  const std::string& b = bytes.value();
  return to_hex(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
}

}  // namespace movn::pki
