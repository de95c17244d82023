#include "pki/secret_key.h"

#include "pki/files.h"
#include "pki/random.h"

namespace movn::pki {

namespace {

// Bound on what we read before checking the size: enough to report a wrong size precisely.
constexpr std::size_t kSecretFileBytesMax = 4096;

Result<std::string> ensure_secret_key_impl(const std::filesystem::path& file) {
  MOVN_TRY(remove_stale_temp_files(file));
  MOVN_ASSIGN_OR_RETURN(FileStat st, stat_file(file));
  if (!st.exists) {
    MOVN_ASSIGN_OR_RETURN(std::string key, random_bytes(kSecretKeyBytes));
    MOVN_TRY(write_file_atomic(file, key, 0600));
    return key;
  }
  auto key = read_file(file, kSecretFileBytesMax, 0600);
  if (!key.ok()) {
    if (key.error().code == Errc::kTooLarge) {
      return make_error(Errc::kCorruption, file.string() + " is " + std::to_string(st.size_bytes) +
                                               " bytes, expected " +
                                               std::to_string(kSecretKeyBytes));
    }
    return std::move(key).error();
  }
  if (key->size() != kSecretKeyBytes) {
    return make_error(Errc::kCorruption, file.string() + " is " + std::to_string(key->size()) +
                                             " bytes, expected " + std::to_string(kSecretKeyBytes));
  }
  return key;
}

}  // namespace

Result<std::string> ensure_secret_key(const std::filesystem::path& file) {
  return ensure_secret_key_impl(file).wrap_error("ensuring the secret key");
}

}  // namespace movn::pki
