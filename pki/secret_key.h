// This member's local secret: 32 random bytes in a 0600 file, from which join-token secrets are
// derived by HMAC (common/sha256.h). It never leaves the member and never enters the log.
// Thread-safe (no shared state); at most one caller may create a given file at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::pki {

inline constexpr std::size_t kSecretKeyBytes = 32;

// Returns the 32 raw bytes in `file`, creating the file (mode 0600, atomically: see
// write_file_atomic) with fresh random bytes if it is missing. The parent directory must exist.
// Refusals (the file is left untouched): kPermissionDenied naming the path and mode if the mode
// is not 0600; kCorruption naming the path if it is not exactly 32 bytes.
Result<std::string> ensure_secret_key(const std::filesystem::path& file);

// The cluster key: 32 random bytes that every member of a cluster holds in a 0600 file
// (STATE_DIR/identity/cluster.key). It seals the CA's private key in the log (pki/seal.h); the
// founder makes it at bootstrap (random_bytes) and a joiner receives it in its admission, over
// mutual TLS. It never enters the log.
inline constexpr std::string_view kClusterKeyFile = "cluster.key";

// The key in `file`, or nullopt if there is none (a member outside any cluster). Refusals as
// ensure_secret_key's.
Result<std::optional<std::string>> load_cluster_key(const std::filesystem::path& file);

// Writes `key` to `file` (mode 0600, atomically). kInvalidArgument unless it is 32 bytes.
Result<void> store_cluster_key(const std::filesystem::path& file, std::string_view key);

}  // namespace movn::pki
