#include "pki/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <vector>

#include "common/unique_fd.h"
#include "pki/random.h"

namespace movn::pki {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempInfix = ".tmp-";

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

Error io_error(int err, std::string_view what, const fs::path& path) {
  Errc code = Errc::kIo;
  if (err == ENOENT) code = Errc::kNotFound;
  if (err == EACCES || err == EPERM) code = Errc::kPermissionDenied;
  return make_error(code, std::string(what) + " " + path.string() + " failed: " + errno_text(err));
}

std::string mode_text(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

using Fd = UniqueFd;

fs::path parent_or_dot(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

Result<void> fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error(errno, "opening directory", dir);
  if (::fsync(fd.get()) != 0) return io_error(errno, "syncing directory", dir);
  return ok_result();
}

Result<void> write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "writing", path);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_result();
}

std::string temp_prefix(const fs::path& path) {
  // Appended step by step: g++ 12 at -O3 misreports operator+ on a literal here (-Wrestrict).
  std::string prefix = ".";
  prefix += path.filename().string();
  prefix += kTempInfix;
  return prefix;
}

}  // namespace

Result<FileStat> stat_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileStat{};
    return io_error(errno, "stat of", path);
  }
  return FileStat{.exists = true,
                  .regular = S_ISREG(st.st_mode),
                  .mode = static_cast<mode_t>(st.st_mode & 07777),
                  .size_bytes = static_cast<std::uint64_t>(st.st_size)};
}

Result<void> write_file_atomic(const fs::path& path, std::string_view bytes, mode_t mode) {
  if (path.filename().empty()) {
    return make_error(Errc::kInvalidArgument, "cannot write " + path.string() + ": no file name");
  }
  const fs::path dir = parent_or_dot(path);
  const fs::path temp = dir / (temp_prefix(path) + random_hex(8));
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777));
  if (fd.get() < 0) return io_error(errno, "creating", temp).wrap("writing " + path.string());

  auto fail = [&](Error e) -> Result<void> {
    ::unlink(temp.c_str());
    return std::move(e).wrap("writing " + path.string());
  };
  // The umask may have removed bits we want (0644 under umask 077); set the exact mode.
  if (::fchmod(fd.get(), mode & 07777) != 0) return fail(io_error(errno, "chmod of", temp));
  if (auto r = write_all(fd.get(), bytes, temp); !r.ok()) return fail(std::move(r).error());
  if (::fsync(fd.get()) != 0) return fail(io_error(errno, "syncing", temp));
  if (fd.close_now() != 0) return fail(io_error(errno, "closing", temp));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return fail(io_error(errno, "renaming " + temp.string() + " to", path));
  }
  return fsync_dir(dir).wrap_error("writing " + path.string());
}

Result<std::string> read_file(const fs::path& path, std::size_t max_bytes,
                              std::optional<mode_t> required_mode) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return make_error(Errc::kNotFound, path.string() + " does not exist");
    return io_error(err, "opening", path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error(errno, "stat of", path);
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::kFailedPrecondition, path.string() + " is not a regular file");
  }
  const mode_t mode = static_cast<mode_t>(st.st_mode & 07777);
  if (required_mode && mode != (*required_mode & 07777)) {
    return make_error(Errc::kPermissionDenied, path.string() + " has mode " + mode_text(mode) +
                                                   ", expected " + mode_text(*required_mode));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return make_error(Errc::kTooLarge, path.string() + " is " + std::to_string(st.st_size) +
                                           " bytes, limit is " + std::to_string(max_bytes));
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  // Read until EOF, still bounded: the file may have grown since fstat.
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "reading", path);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got > max_bytes) {
      return make_error(Errc::kTooLarge, path.string() + " is over the limit of " +
                                             std::to_string(max_bytes) + " bytes");
    }
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  return out;
}

Result<void> rename_durable(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return io_error(errno, "renaming " + from.string() + " to", to);
  }
  return fsync_dir(parent_or_dot(to));
}

Result<void> remove_durable(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return ok_result();
    return io_error(errno, "removing", path);
  }
  return fsync_dir(parent_or_dot(path));
}

Result<void> ensure_private_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    // mkdir applies the umask, which can only remove bits from 0700; chmod anyway to be exact.
    if (::chmod(dir.c_str(), 0700) != 0) return io_error(errno, "chmod of", dir);
    const fs::path clean = dir.has_filename() ? dir : dir.parent_path();  // "a/b/" → "a/b"
    return fsync_dir(parent_or_dot(clean));
  }
  int err = errno;
  if (err != EEXIST) return io_error(err, "creating directory", dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_error(errno, "stat of", dir);
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Errc::kFailedPrecondition, dir.string() + " exists and is not a directory");
  }
  return ok_result();
}

Result<void> remove_stale_temp_files(const fs::path& path) {
  const fs::path dir = parent_or_dot(path);
  const std::string prefix = temp_prefix(path);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return io_error(errno, "listing", dir);
  std::vector<std::string> stale;
  errno = 0;
  while (struct dirent* e = ::readdir(d.get())) {
    std::string_view name(e->d_name);
    if (name.starts_with(prefix)) stale.emplace_back(name);
  }
  if (errno != 0) return io_error(errno, "listing", dir);
  for (const std::string& name : stale) {
    if (::unlink((dir / name).c_str()) != 0 && errno != ENOENT) {
      return io_error(errno, "removing stale temp file", dir / name);
    }
  }
  if (!stale.empty()) return fsync_dir(dir);
  return ok_result();
}

}  // namespace movn::pki
