// Base64 on libcrypto's EVP_EncodeBlock/EVP_DecodeBlock. EVP_DecodeBlock is lenient (it skips
// surrounding whitespace and keeps the bytes that padding stands for), so decoding also checks that
// the text is exactly the canonical encoding of what it decoded to.
#include "common/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>

namespace movn {
namespace {
// EVP_*Block take an int length: larger inputs go through in slices of whole 3-byte groups.
constexpr std::size_t kSliceBytes = 3 * (1 << 20);
}  // namespace

std::string base64_encode(std::string_view bytes) {
  const std::size_t size = (bytes.size() + 2) / 3 * 4;
  std::string out(size + 1, '\0');  // EVP_EncodeBlock ends each slice with a NUL
  auto* at = reinterpret_cast<unsigned char*>(out.data());
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), kSliceBytes);
    at += EVP_EncodeBlock(at, reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(n));
    bytes.remove_prefix(n);
  }
  out.resize(size);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > INT_MAX) return std::nullopt;
  std::size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
  if (len < 0 || static_cast<std::size_t>(len) != out.size()) return std::nullopt;
  out.resize(out.size() - pad);  // EVP_DecodeBlock also outputs the bytes padding stands for
  // Anything not canonical (misplaced padding, set unused bits, whitespace) encodes differently.
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

}  // namespace movn
