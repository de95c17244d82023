// The durable event store on RocksDB: the Raft log (which is the event log), hard state,
// hash-chain links and projection checkpoints, plus the cluster id and member name it belongs to.
// Owned by the daemon's storage thread for writes; reads are safe from any thread (RocksDB is
// thread-safe), but callers must not read an index while another thread truncates it.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "common/sha256.h"
#include "eventlog/entry.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace movn::eventlog {

struct HardState {
  Term term;
  std::optional<NodeId> vote;
  LogIndex commit;
  bool operator==(const HardState&) const = default;
};

struct StoreIdentity {
  std::string cluster_id;
  std::string member_name;
  bool operator==(const StoreIdentity&) const = default;
};

enum class Compression { kNone, kLz4, kZstd };

struct StoreOptions {
  bool sync = true;  // every write is synced before it returns
  Compression compression = Compression::kLz4;
  bool read_only = false;
  // Read every table file at open and check its block checksums, so a flipped byte anywhere
  // stops the open instead of surfacing later.
  bool verify_on_open = true;
  // When set, a store bound to another cluster or member is refused before it is opened for
  // writing (nothing in it changes).
  std::optional<StoreIdentity> expected_identity;
  // Optional RocksDB environment (tests inject one that can lose unsynced data).
  rocksdb::Env* env = nullptr;
};

class Store {
 public:
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Opens (creating if needed) the store at dir. A damaged store gives an error naming the path.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir,
                                             const StoreOptions& options = {});

  const std::filesystem::path& path() const { return path_; }

  // The cluster and member this store belongs to, once bound.
  std::optional<StoreIdentity> identity() const { return identity_; }
  // Records the identity; refuses if the store is bound to another one.
  Result<void> bind_identity(const StoreIdentity& id);
  // Refuses a store that belongs to another cluster or member, naming the path.
  Result<void> check_identity(const StoreIdentity& expected) const;

  // Appends entries (contiguous, ascending). The first index may be at most last_index()+1; any
  // stored entries at or above it are replaced, in the same atomic write. Synced before return.
  Result<void> append(std::span<const Entry> entries);
  // Deletes every entry with index >= from (and their chain links).
  Result<void> truncate_from(LogIndex from);
  Result<void> save_hard_state(const HardState& hs);
  // One atomic write of entries (as append(): stored entries at or above the first one are
  // replaced), the hard state and the committed Raft configuration, each optional. Synced when
  // `sync` (and StoreOptions::sync).
  Result<void> write(std::span<const Entry> entries, const std::optional<HardState>& hs, bool sync,
                     const std::optional<std::string>& raft_config = std::nullopt);
  // The last committed Raft configuration written (opaque bytes: raft's encoding), if any.
  const std::optional<std::string>& raft_config() const { return raft_config_; }
  HardState hard_state() const { return hard_state_; }

  // Entries in [lo, hi). Reading below first_index() or above last_index() is an error.
  Result<std::vector<Entry>> entries(LogIndex lo, LogIndex hi) const;
  Result<Entry> entry(LogIndex index) const;
  // Calls fn for every entry in [lo, hi) in order, without copying the data; stops at the first
  // error fn returns. Same bounds and checks as entries().
  Result<void> scan(LogIndex lo, LogIndex hi, const std::function<Result<void>(const EntryView&)>& fn) const;
  // scan() without the bounds check against last_index() (which the storage thread updates): for
  // a reader on another thread that knows [lo, hi) is persisted and not being rewritten (the Raft
  // log reader). A missing entry is still an error.
  Result<void> scan_persisted(LogIndex lo, LogIndex hi,
                              const std::function<Result<void>(const EntryView&)>& fn) const;
  LogIndex first_index() const { return LogIndex(1); }
  LogIndex last_index() const { return last_index_; }

  // Hash-chain links of applied entries. Links are caches of a pure function of the log, so they
  // are written without their own sync; the next synced write makes them durable.
  Result<void> put_links(std::span<const std::pair<LogIndex, Digest>> links);
  Result<std::optional<Digest>> link(LogIndex index) const;
  // Links of [lo, hi) in one scan; element i is the link of lo + i, or nullopt if none is stored.
  Result<std::vector<std::optional<Digest>>> links(LogIndex lo, LogIndex hi) const;
  // The highest index with a stored link (0 if none).
  LogIndex last_linked_index() const { return last_linked_; }

  // Projection checkpoints (caches: deleting them is always safe).
  Result<void> put_checkpoint(std::string_view name, std::string_view bytes);
  Result<std::optional<std::string>> checkpoint(std::string_view name) const;
  Result<void> drop_checkpoints();

  // Reads every table file and checks its block checksums (a flipped byte anywhere is found).
  Result<void> verify_checksums() const;
  // Flushes memtables to SST files (on clean shutdown).
  Result<void> flush();

 private:
  Store() = default;
  Result<void> load_meta();
  Error io_error(std::string_view what, const std::string& status) const;

  std::filesystem::path path_;
  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* chain_ = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoints_ = nullptr;
  std::optional<StoreIdentity> identity_;
  HardState hard_state_;
  std::optional<std::string> raft_config_;
  LogIndex last_index_;
  LogIndex last_linked_;
};

}  // namespace movn::eventlog
