// This member's local secret: 32 random bytes in a 0600 file, from which join-token secrets are
// derived by HMAC (common/sha256.h). It never leaves the member and never enters the log.
// Thread-safe (no shared state); at most one caller may create a given file at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/result.h"

namespace movn::pki {

inline constexpr std::size_t kSecretKeyBytes = 32;

// Returns the 32 raw bytes in `file`, creating the file (mode 0600, atomically: see
// write_file_atomic) with fresh random bytes if it is missing. The parent directory must exist.
// Refusals (the file is left untouched): kPermissionDenied naming the path and mode if the mode
// is not 0600; kCorruption naming the path if it is not exactly 32 bytes.
Result<std::string> ensure_secret_key(const std::filesystem::path& file);

}  // namespace movn::pki
