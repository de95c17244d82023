// Durable file helpers for key material: atomic replace, mode-checked reads, private directories.
// Owned by pki/; used for the member identity and the local secret key.
// Thread-safe (no shared state); concurrent writers of the same path are the caller's problem.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace movn::pki {

// What stat() reports about a path (following symlinks). exists=false when nothing is there.
struct FileStat {
  bool exists = false;
  bool regular = false;
  mode_t mode = 0;  // permission bits only (mode & 07777)
  std::uint64_t size_bytes = 0;
};
Result<FileStat> stat_file(const std::filesystem::path& path);

// Writes `bytes` to `path` so that a crash leaves either the old file or the new one, never a mix:
// a temp file ".NAME.tmp-<hex>" in the same directory is created with open(O_CREAT|O_EXCL, mode)
// (so a private file is never readable by others, not even briefly), fchmod'ed to exactly `mode`
// (umask does not apply), written, fsync'ed, renamed over `path`, and the directory is fsync'ed.
// On failure the temp file is removed.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                               mode_t mode);

// Reads a whole regular file of at most `max_bytes`. With `required_mode`, refuses a file whose
// permission bits differ (kPermissionDenied naming the path and both modes); the mode is taken
// from the open descriptor, so the check and the read see the same file.
// Errors: kNotFound if missing, kTooLarge over the bound, kFailedPrecondition if not a regular
// file.
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes,
                              std::optional<mode_t> required_mode = std::nullopt);

// rename(2) followed by an fsync of the destination's directory.
Result<void> rename_durable(const std::filesystem::path& from, const std::filesystem::path& to);

// unlink(2) followed by an fsync of the directory; a missing file is not an error.
Result<void> remove_durable(const std::filesystem::path& path);

// Creates `dir` with mode 0700 if it is missing (its parent must exist) and syncs the parent.
// An existing directory is left as it is; an existing non-directory is an error.
Result<void> ensure_private_dir(const std::filesystem::path& dir);

// Removes temp files that an interrupted write_file_atomic(path, ...) left behind.
Result<void> remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace movn::pki
