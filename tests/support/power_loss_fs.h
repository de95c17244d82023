// PowerLossFs: a RocksDB FileSystemWrapper that remembers how much of every file it wrote was
// synced, so a test can simulate a power cut: cut_power() makes every later write fail (the
// machine is gone), and drop_unsynced() truncates every file to its last synced length. Renames
// and deletions pass through (directory metadata is treated as durable, a documented limit).
// Thread-safe.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace movn::testing {

class PowerLossFs : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerLossFs(const std::shared_ptr<rocksdb::FileSystem>& base);
  static const char* kClassName() { return "PowerLossFs"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;

  // From now on every write, sync and rename fails.
  void cut_power() { dead_.store(true); }
  // Cuts the power right after the `more`-th append from now (to any file) has landed, before
  // anything can sync it: what that append wrote is lost with the cut.
  void cut_after_appends(std::uint64_t more) { cut_at_.store(appends_.load() + more); }
  bool dead() const { return dead_.load(); }
  // Truncates every tracked file to its synced length. Returns the number of bytes dropped.
  std::uint64_t drop_unsynced();
  // Successful Sync/Fsync calls so far.
  std::uint64_t syncs() const { return syncs_.load(); }

  // Called by the file wrappers.
  void on_append(const std::string& fname, std::uint64_t bytes);
  void on_sync(const std::string& fname);
  void on_truncate(const std::string& fname, std::uint64_t size);

 private:
  struct Track {
    std::uint64_t size = 0;
    std::uint64_t synced = 0;
  };
  std::mutex mu_;
  std::map<std::string, Track> files_;
  std::atomic<bool> dead_{false};
  std::atomic<std::uint64_t> syncs_{0};
  std::atomic<std::uint64_t> appends_{0};
  std::atomic<std::uint64_t> cut_at_{0};  // 0: no cut armed
};

}  // namespace movn::testing
