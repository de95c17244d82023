#include "pki/secret_key.h"

#include "pki/files.h"
#include "pki/random.h"

namespace movn::pki {

namespace {

// Bound on what we read before checking the size: enough to report a wrong size precisely.
constexpr std::size_t kSecretFileBytesMax = 4096;

// Reads an existing key file: mode 0600, exactly kSecretKeyBytes.
Result<std::string> read_key_file(const std::filesystem::path& file, const FileStat& st) {
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

Result<std::string> ensure_secret_key_impl(const std::filesystem::path& file) {
  MOVN_TRY(remove_stale_temp_files(file));
  MOVN_ASSIGN_OR_RETURN(FileStat st, stat_file(file));
  if (!st.exists) {
    MOVN_ASSIGN_OR_RETURN(std::string key, random_bytes(kSecretKeyBytes));
    MOVN_TRY(write_file_atomic(file, key, 0600));
    return key;
  }
  return read_key_file(file, st);
}

Result<std::optional<std::string>> load_cluster_key_impl(const std::filesystem::path& file) {
  MOVN_TRY(remove_stale_temp_files(file));
  MOVN_ASSIGN_OR_RETURN(FileStat st, stat_file(file));
  if (!st.exists) return std::optional<std::string>();
  MOVN_ASSIGN_OR_RETURN(std::string key, read_key_file(file, st));
  return std::optional<std::string>(std::move(key));
}

}  // namespace

Result<std::string> ensure_secret_key(const std::filesystem::path& file) {
  return ensure_secret_key_impl(file).wrap_error("ensuring the secret key");
}

Result<std::optional<std::string>> load_cluster_key(const std::filesystem::path& file) {
  return load_cluster_key_impl(file).wrap_error("loading the cluster key");
}

Result<void> store_cluster_key(const std::filesystem::path& file, std::string_view key) {
  if (key.size() != kSecretKeyBytes)
    return make_error(Errc::kInvalidArgument, "a cluster key is " + std::to_string(kSecretKeyBytes) +
                                                  " bytes, not " + std::to_string(key.size()));
  return write_file_atomic(file, key, 0600).wrap_error("storing the cluster key");
}

}  // namespace movn::pki
