#include "tests/support/power_loss_fs.h"

#include <unistd.h>

namespace movn::testing {
namespace {
using rocksdb::IOStatus;

class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile>&& f, PowerLossFs& fs, std::string name)
      : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), name_(std::move(name)) {}

  IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->Append(data, o, d);
    if (s.ok()) fs_.on_append(name_, data.size());
    return s;
  }
  IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                  const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->Append(data, o, v, d);
    if (s.ok()) fs_.on_append(name_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& o,
                            rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->PositionedAppend(data, offset, o, d);
    if (s.ok()) fs_.on_truncate(name_, offset + data.size());
    return s;
  }
  IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->Truncate(size, o, d);
    if (s.ok()) fs_.on_truncate(name_, size);
    return s;
  }
  IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->Sync(o, d);
    if (s.ok()) fs_.on_sync(name_);
    return s;
  }
  IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    auto s = target()->Fsync(o, d);
    if (s.ok()) fs_.on_sync(name_);
    return s;
  }
  IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    // Not a durability point: RocksDB uses it only as a hint.
    return fs_.dead() ? IOStatus::IOError("power cut") : IOStatus::OK();
  }
  IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    if (fs_.dead()) return IOStatus::IOError("power cut");
    return target()->Flush(o, d);
  }
  IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
    return target()->Close(o, d);
  }

 private:
  PowerLossFs& fs_;
  std::string name_;
};
}  // namespace

PowerLossFs::PowerLossFs(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}

IOStatus PowerLossFs::NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) {
  if (dead()) return IOStatus::IOError("power cut");
  std::unique_ptr<rocksdb::FSWritableFile> f;
  auto s = target()->NewWritableFile(fname, opts, &f, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    files_[fname] = Track{};
  }
  result->reset(new TrackedFile(std::move(f), *this, fname));
  return s;
}

IOStatus PowerLossFs::ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                                         rocksdb::IODebugContext* dbg) {
  if (dead()) return IOStatus::IOError("power cut");
  std::unique_ptr<rocksdb::FSWritableFile> f;
  auto s = target()->ReopenWritableFile(fname, opts, &f, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (!files_.contains(fname)) {
      std::uint64_t size = 0;
      target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg).PermitUncheckedError();
      files_[fname] = Track{size, size};  // what existed before is durable
    }
  }
  result->reset(new TrackedFile(std::move(f), *this, fname));
  return s;
}

IOStatus PowerLossFs::RenameFile(const std::string& src, const std::string& dst, const rocksdb::IOOptions& opts,
                                 rocksdb::IODebugContext* dbg) {
  if (dead()) return IOStatus::IOError("power cut");
  auto s = target()->RenameFile(src, dst, opts, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[dst] = it->second;
      files_.erase(src);
    }
  }
  return s;
}

IOStatus PowerLossFs::DeleteFile(const std::string& fname, const rocksdb::IOOptions& opts,
                                 rocksdb::IODebugContext* dbg) {
  if (dead()) return IOStatus::IOError("power cut");
  auto s = target()->DeleteFile(fname, opts, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    files_.erase(fname);
  }
  return s;
}

void PowerLossFs::on_append(const std::string& fname, std::uint64_t bytes) {
  std::lock_guard lock(mu_);
  files_[fname].size += bytes;
  const std::uint64_t n = appends_.fetch_add(1) + 1;
  const std::uint64_t at = cut_at_.load();
  if (at != 0 && n >= at) dead_.store(true);
}

void PowerLossFs::on_sync(const std::string& fname) {
  syncs_.fetch_add(1);
  std::lock_guard lock(mu_);
  auto& t = files_[fname];
  t.synced = t.size;
}

void PowerLossFs::on_truncate(const std::string& fname, std::uint64_t size) {
  std::lock_guard lock(mu_);
  auto& t = files_[fname];
  t.size = size;
  if (t.synced > size) t.synced = size;
}

std::uint64_t PowerLossFs::drop_unsynced() {
  std::lock_guard lock(mu_);
  std::uint64_t dropped = 0;
  for (const auto& [name, t] : files_) {
    if (::access(name.c_str(), F_OK) != 0) continue;
    if (t.size > t.synced) dropped += t.size - t.synced;
    if (::truncate(name.c_str(), static_cast<off_t>(t.synced)) != 0) continue;
  }
  files_.clear();
  return dropped;
}

}  // namespace movn::testing
