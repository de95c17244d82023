#include "ovn/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

#include "common/unique_fd.h"

namespace movn::ovn {

namespace fs = std::filesystem;

namespace {

using Fd = UniqueFd;

std::atomic<unsigned> temp_counter{0};

}  // namespace

Error errno_error(int err, std::string_view what, const fs::path& path) {
  Errc code = Errc::kIo;
  if (err == ENOENT) code = Errc::kNotFound;
  if (err == EACCES || err == EPERM || err == EROFS) code = Errc::kPermissionDenied;
  return make_error(code, std::string(what) + " " + path.string() + ": " +
                              std::error_code(err, std::generic_category()).message());
}

Result<void> write_file_atomic(const fs::path& path, std::string_view bytes, mode_t mode) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const fs::path temp =
      dir / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
             std::to_string(temp_counter.fetch_add(1)));
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return errno_error(errno, "cannot create", temp);
  auto fail = [&](std::string_view what) -> Error {
    Error e = errno_error(errno, what, temp);
    ::unlink(temp.c_str());
    return e;
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("cannot chmod");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return fail("cannot sync");
  if (fd.close_now() != 0) return fail("cannot close");
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return fail("cannot rename to " + path.string() + ", from");
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return errno_error(errno, "cannot open directory", dir);
  if (::fsync(dfd.get()) != 0) return errno_error(errno, "cannot sync directory", dir);
  return ok_result();
}

Result<std::string> read_small_file(const fs::path& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return errno_error(errno, "cannot open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::kFailedPrecondition, path.string() + " is not a regular file");
  }
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "cannot read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      return make_error(Errc::kTooLarge,
                        path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace movn::ovn
