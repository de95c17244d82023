// Small file helpers for ovn/: atomic replace of a small text file (ovn.env, supervisor
// pidfiles) and a bounded read. Owned by ovn/ (it does not use pki/files.h, so that ovn/ needs
// no OpenSSL). Thread-safe (no shared state); concurrent writers of one path are the caller's
// problem.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::ovn {

// Writes `bytes` to `path` through a temp file in the same directory (".NAME.tmp-PID-N", created
// with O_EXCL and fchmod'ed to exactly `mode`), fsync, rename over `path`, fsync of the directory.
// Readers see the old file or the new one, never a mix. The temp file is removed on failure.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                               mode_t mode);

// A whole regular file of at most `max_bytes`. kNotFound if missing, kTooLarge above the bound.
Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

// errno as a Result error: "WHAT PATH: strerror", ENOENT -> kNotFound, EACCES/EPERM/EROFS ->
// kPermissionDenied, anything else kIo.
Error errno_error(int err, std::string_view what, const std::filesystem::path& path);

}  // namespace movn::ovn
