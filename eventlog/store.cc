#include "eventlog/store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstring>

namespace movn::eventlog {
namespace {
constexpr char kFormatKey[] = "format";
constexpr char kFormatVersion[] = "1";
constexpr char kIdentityKey[] = "identity";
constexpr char kHardStateKey[] = "hard_state";
constexpr char kRaftConfigKey[] = "raft_config";
constexpr std::uint8_t kEntryVersion = 1;
constexpr std::size_t kEntryHeader = 1 + 8 + 1;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}
std::string index_key(LogIndex i) {
  std::string k;
  k.reserve(8);
  put_u64(k, i.value);
  return k;
}
std::string length_prefixed(std::string_view s) {
  std::string out;
  put_u64(out, s.size());
  out.append(s);
  return out;
}

std::string encode_hard_state(const HardState& hs) {
  std::string v;
  put_u64(v, hs.term.value);
  v.push_back(hs.vote ? 1 : 0);
  put_u64(v, hs.vote ? hs.vote->value : 0);
  put_u64(v, hs.commit.value);
  return v;
}

std::string encode_entry_value(const Entry& e) {
  std::string v;
  v.reserve(kEntryHeader + e.data.size());
  v.push_back(static_cast<char>(kEntryVersion));
  put_u64(v, e.term.value);
  v.push_back(static_cast<char>(e.type));
  v.append(e.data);
  return v;
}

rocksdb::CompressionType to_rocks(Compression c) {
  switch (c) {
    case Compression::kNone: return rocksdb::kNoCompression;
    case Compression::kLz4: return rocksdb::kLZ4Compression;
    case Compression::kZstd: return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}
}  // namespace

Store::~Store() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_->Close().PermitUncheckedError();
  }
}

Error Store::io_error(std::string_view what, const std::string& status) const {
  return make_error(Errc::kIo, std::string(what) + " in store at " + path_.string() + ": " + status);
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& dir,
                                           const StoreOptions& options) {
  std::unique_ptr<Store> s(new Store());
  s->path_ = dir;
  s->options_ = options;

  rocksdb::Options db_opts;
  db_opts.create_if_missing = !options.read_only;
  db_opts.create_missing_column_families = !options.read_only;
  db_opts.paranoid_checks = true;
  // A corrupt record in the middle of the WAL must stop the open, not silently drop the tail (the
  // default, point-in-time recovery, would). An incomplete record at the very end is tolerated:
  // it can only be a write whose sync never completed, so never an acknowledged one
  // (docs/adr/0003).
  db_opts.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_opts.max_open_files = 256;
  db_opts.keep_log_file_num = 4;
  db_opts.max_background_jobs = 2;
  db_opts.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  if (options.env != nullptr) db_opts.env = options.env;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(4 << 20);
  rocksdb::ColumnFamilyOptions cf_opts;
  cf_opts.write_buffer_size = 4 << 20;
  cf_opts.compression = to_rocks(options.compression);
  cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_opts.paranoid_file_checks = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf_opts}, {"meta", cf_opts},
      {"log", cf_opts}, {"chain", cf_opts}, {"checkpoints", cf_opts}};
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st;
  if (options.read_only) {
    if (!std::filesystem::exists(dir / "CURRENT"))
      return make_error(Errc::kNotFound, "no store at " + dir.string());
    st = rocksdb::DB::OpenForReadOnly(db_opts, dir.string(), cfs, &s->handles_, &raw);
  } else {
    if ((options.verify_on_open || options.expected_identity) && std::filesystem::exists(dir / "CURRENT")) {
      // Check through a read-only open first: a damaged or foreign store is refused before
      // anything in it is written (a read-write open would already roll the MANIFEST).
      StoreOptions probe_options = options;
      probe_options.read_only = true;
      MOVN_ASSIGN_OR_RETURN(auto probe, open(dir, probe_options));
      if (options.expected_identity) MOVN_TRY(probe->check_identity(*options.expected_identity));
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(Errc::kIo, "failed to create store directory " + dir.string() + ": " + ec.message());
    st = rocksdb::DB::Open(db_opts, dir.string(), cfs, &s->handles_, &raw);
  }
  if (!st.ok()) {
    Errc code = st.IsCorruption() ? Errc::kCorruption : Errc::kIo;
    return make_error(code, "failed to open store at " + dir.string() + ": " + st.ToString());
  }
  s->db_.reset(raw);
  s->meta_ = s->handles_[1];
  s->log_ = s->handles_[2];
  s->chain_ = s->handles_[3];
  s->checkpoints_ = s->handles_[4];
  if (options.verify_on_open && options.read_only) {
    auto v = s->verify_checksums();
    if (!v.ok()) return v.error();
  }
  MOVN_TRY(s->load_meta());
  return s;
}

Result<void> Store::load_meta() {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), meta_, kFormatKey, &v);
  if (st.IsNotFound()) {
    if (options_.read_only) return make_error(Errc::kCorruption, "store at " + path_.string() + " has no format record");
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    st = db_->Put(wo, meta_, kFormatKey, kFormatVersion);
    if (!st.ok()) return io_error("failed to write the format record", st.ToString());
  } else if (!st.ok()) {
    return io_error("failed to read the format record", st.ToString());
  } else if (v != kFormatVersion) {
    return make_error(Errc::kCorruption, "store at " + path_.string() + " has unknown format '" + v + "'");
  }

  st = db_->Get(rocksdb::ReadOptions(), meta_, kIdentityKey, &v);
  if (st.ok()) {
    if (v.size() < 16) return make_error(Errc::kCorruption, "store at " + path_.string() + " has a damaged identity record");
    std::uint64_t n1 = get_u64(v.data());
    if (n1 > v.size() - 16) return make_error(Errc::kCorruption, "store at " + path_.string() + " has a damaged identity record");
    std::uint64_t n2 = get_u64(v.data() + 8 + n1);
    if (8 + n1 + 8 + n2 != v.size()) return make_error(Errc::kCorruption, "store at " + path_.string() + " has a damaged identity record");
    identity_ = StoreIdentity{v.substr(8, n1), v.substr(16 + n1, n2)};
  } else if (!st.IsNotFound()) {
    return io_error("failed to read the identity record", st.ToString());
  }

  st = db_->Get(rocksdb::ReadOptions(), meta_, kHardStateKey, &v);
  if (st.ok()) {
    if (v.size() != 25) return make_error(Errc::kCorruption, "store at " + path_.string() + " has a damaged hard state");
    hard_state_.term = Term(get_u64(v.data()));
    if (v[8] != 0) hard_state_.vote = NodeId(get_u64(v.data() + 9));
    hard_state_.commit = LogIndex(get_u64(v.data() + 17));
  } else if (!st.IsNotFound()) {
    return io_error("failed to read the hard state", st.ToString());
  }

  st = db_->Get(rocksdb::ReadOptions(), meta_, kRaftConfigKey, &v);
  if (st.ok()) {
    raft_config_ = v;
  } else if (!st.IsNotFound()) {
    return io_error("failed to read the committed Raft configuration", st.ToString());
  }

  for (auto [cf, out] : {std::pair{log_, &last_index_}, std::pair{chain_, &last_linked_}}) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    it->SeekToLast();
    if (it->Valid()) {
      if (it->key().size() != 8) return make_error(Errc::kCorruption, "store at " + path_.string() + " has a malformed key");
      *out = LogIndex(get_u64(it->key().data()));
    } else if (!it->status().ok()) {
      return io_error("failed to scan", it->status().ToString());
    }
  }
  return {};
}

Result<void> Store::bind_identity(const StoreIdentity& id) {
  if (identity_) {
    if (*identity_ == id) return {};
    return check_identity(id);
  }
  std::string v = length_prefixed(id.cluster_id) + length_prefixed(id.member_name);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  auto st = db_->Put(wo, meta_, kIdentityKey, v);
  if (!st.ok()) return io_error("failed to record the identity", st.ToString());
  identity_ = id;
  return {};
}

Result<void> Store::check_identity(const StoreIdentity& expected) const {
  if (!identity_) return {};
  if (identity_->cluster_id != expected.cluster_id || identity_->member_name != expected.member_name)
    return make_error(Errc::kFailedPrecondition,
                      "store at " + path_.string() + " belongs to member '" + identity_->member_name +
                          "' of cluster " + identity_->cluster_id + ", not to member '" +
                          expected.member_name + "' of cluster " + expected.cluster_id);
  return {};
}

Result<void> Store::append(std::span<const Entry> entries) {
  if (entries.empty()) return {};
  return write(entries, std::nullopt, options_.sync);
}

Result<void> Store::write(std::span<const Entry> entries, const std::optional<HardState>& hs, bool sync,
                          const std::optional<std::string>& raft_config) {
  if (entries.empty() && !hs && !raft_config) return {};
  if (options_.read_only) return make_error(Errc::kFailedPrecondition, "store is read-only");
  rocksdb::WriteBatch wb;
  LogIndex first;
  if (!entries.empty()) {
    first = entries.front().index;
    if (first.value == 0 || first > last_index_.next())
      return make_error(Errc::kInvalidArgument, "append at index " + std::to_string(first.value) +
                                                    " would leave a gap after " +
                                                    std::to_string(last_index_.value));
    if (first <= last_index_) {
      auto from = index_key(first), to = index_key(LogIndex(~0ULL));
      wb.DeleteRange(log_, from, to).PermitUncheckedError();
      wb.DeleteRange(chain_, from, to).PermitUncheckedError();
    }
    LogIndex expect = first;
    for (const auto& e : entries) {
      if (e.index != expect) return make_error(Errc::kInvalidArgument, "append entries are not contiguous");
      expect = expect.next();
      wb.Put(log_, index_key(e.index), encode_entry_value(e)).PermitUncheckedError();
    }
  }
  if (hs) wb.Put(meta_, kHardStateKey, encode_hard_state(*hs)).PermitUncheckedError();
  if (raft_config) wb.Put(meta_, kRaftConfigKey, *raft_config).PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = sync && options_.sync;
  auto st = db_->Write(wo, &wb);
  if (!st.ok()) return io_error(entries.empty() ? "failed to save the hard state" : "failed to append", st.ToString());
  if (!entries.empty()) {
    last_index_ = entries.back().index;
    if (last_linked_ >= first) last_linked_ = first.prev();
  }
  if (hs) hard_state_ = *hs;
  if (raft_config) raft_config_ = *raft_config;
  return {};
}

Result<void> Store::truncate_from(LogIndex from) {
  if (from > last_index_) return {};
  if (from.value == 0) return make_error(Errc::kInvalidArgument, "cannot truncate from index 0");
  rocksdb::WriteBatch wb;
  auto lo = index_key(from), hi = index_key(LogIndex(~0ULL));
  wb.DeleteRange(log_, lo, hi).PermitUncheckedError();
  wb.DeleteRange(chain_, lo, hi).PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  auto st = db_->Write(wo, &wb);
  if (!st.ok()) return io_error("failed to truncate", st.ToString());
  last_index_ = from.prev();
  if (last_linked_ >= from) last_linked_ = from.prev();
  return {};
}

Result<void> Store::save_hard_state(const HardState& hs) { return write({}, hs, options_.sync); }

Result<std::vector<Entry>> Store::entries(LogIndex lo, LogIndex hi) const {
  std::vector<Entry> out;
  if (hi > lo) out.reserve(hi.value - lo.value);
  MOVN_TRY(scan(lo, hi, [&](const EntryView& e) -> Result<void> {
    out.push_back(Entry{e.index, e.term, e.type, std::string(e.data)});
    return {};
  }));
  return out;
}

Result<void> Store::scan(LogIndex lo, LogIndex hi,
                         const std::function<Result<void>(const EntryView&)>& fn) const {
  if (hi <= lo) return {};
  if (lo < first_index() || hi > last_index_.next())
    return make_error(Errc::kInvalidArgument, "entries [" + std::to_string(lo.value) + ", " +
                                                  std::to_string(hi.value) + ") are outside the log [1, " +
                                                  std::to_string(last_index_.value) + "]");
  return scan_persisted(lo, hi, fn);
}

Result<void> Store::scan_persisted(LogIndex lo, LogIndex hi,
                                   const std::function<Result<void>(const EntryView&)>& fn) const {
  if (hi <= lo) return {};
  if (lo.value == 0) return make_error(Errc::kInvalidArgument, "the log starts at index 1");
  rocksdb::ReadOptions ro;
  std::string upper = index_key(hi);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_));
  LogIndex expect = lo;
  for (it->Seek(index_key(lo)); it->Valid(); it->Next()) {
    auto k = it->key();
    auto v = it->value();
    if (k.size() != 8 || v.size() < kEntryHeader || static_cast<std::uint8_t>(v[0]) != kEntryVersion)
      return make_error(Errc::kCorruption, "store at " + path_.string() + " has a malformed entry near index " +
                                               std::to_string(expect.value));
    LogIndex idx(get_u64(k.data()));
    if (idx != expect)
      return make_error(Errc::kCorruption, "store at " + path_.string() + " is missing entry " +
                                               std::to_string(expect.value));
    auto type = static_cast<std::uint8_t>(v[9]);
    if (type < 1 || type > 3)
      return make_error(Errc::kCorruption, "store at " + path_.string() + " has entry " +
                                               std::to_string(idx.value) + " of unknown type");
    MOVN_TRY(fn(EntryView{idx, Term(get_u64(v.data() + 1)), static_cast<EntryType>(type),
                          std::string_view(v.data() + kEntryHeader, v.size() - kEntryHeader)}));
    expect = expect.next();
  }
  if (!it->status().ok()) return io_error("failed to read entries", it->status().ToString());
  if (expect != hi)
    return make_error(Errc::kCorruption, "store at " + path_.string() + " is missing entry " +
                                             std::to_string(expect.value));
  return {};
}

Result<Entry> Store::entry(LogIndex index) const {
  MOVN_ASSIGN_OR_RETURN(auto v, entries(index, index.next()));
  return std::move(v.front());
}

Result<void> Store::put_links(std::span<const std::pair<LogIndex, Digest>> links) {
  if (links.empty()) return {};
  rocksdb::WriteBatch wb;
  for (const auto& [idx, d] : links)
    wb.Put(chain_, index_key(idx),
           rocksdb::Slice(reinterpret_cast<const char*>(d.data()), d.size()))
        .PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = false;
  auto st = db_->Write(wo, &wb);
  if (!st.ok()) return io_error("failed to write chain links", st.ToString());
  for (const auto& [idx, d] : links)
    if (idx > last_linked_) last_linked_ = idx;
  return {};
}

Result<std::optional<Digest>> Store::link(LogIndex index) const {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), chain_, index_key(index), &v);
  if (st.IsNotFound()) return std::optional<Digest>();
  if (!st.ok()) return io_error("failed to read a chain link", st.ToString());
  if (v.size() != 32)
    return make_error(Errc::kCorruption, "store at " + path_.string() + " has a malformed chain link at " +
                                             std::to_string(index.value));
  Digest d;
  std::memcpy(d.data(), v.data(), 32);
  return std::optional<Digest>(d);
}

Result<std::vector<std::optional<Digest>>> Store::links(LogIndex lo, LogIndex hi) const {
  std::vector<std::optional<Digest>> out;
  if (hi <= lo) return out;
  out.resize(hi.value - lo.value);
  rocksdb::ReadOptions ro;
  std::string upper = index_key(hi);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, chain_));
  for (it->Seek(index_key(lo)); it->Valid(); it->Next()) {
    if (it->key().size() != 8 || it->value().size() != 32)
      return make_error(Errc::kCorruption, "store at " + path_.string() + " has a malformed chain link");
    std::uint64_t idx = get_u64(it->key().data());
    Digest d;
    std::memcpy(d.data(), it->value().data(), 32);
    out[idx - lo.value] = d;
  }
  if (!it->status().ok()) return io_error("failed to read chain links", it->status().ToString());
  return out;
}

Result<void> Store::put_checkpoint(std::string_view name, std::string_view bytes) {
  rocksdb::WriteOptions wo;
  wo.sync = false;
  auto st = db_->Put(wo, checkpoints_, rocksdb::Slice(name.data(), name.size()),
                     rocksdb::Slice(bytes.data(), bytes.size()));
  if (!st.ok()) return io_error("failed to write a checkpoint", st.ToString());
  return {};
}

Result<std::optional<std::string>> Store::checkpoint(std::string_view name) const {
  std::string v;
  auto st = db_->Get(rocksdb::ReadOptions(), checkpoints_, rocksdb::Slice(name.data(), name.size()), &v);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return io_error("failed to read a checkpoint", st.ToString());
  return std::optional<std::string>(std::move(v));
}

Result<void> Store::drop_checkpoints() {
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), checkpoints_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) wb.Delete(checkpoints_, it->key()).PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  auto st = db_->Write(wo, &wb);
  if (!st.ok()) return io_error("failed to drop checkpoints", st.ToString());
  return {};
}

Result<void> Store::verify_checksums() const {
  auto st = db_->VerifyChecksum();
  if (!st.ok())
    return make_error(st.IsCorruption() ? Errc::kCorruption : Errc::kIo,
                      "store at " + path_.string() + " does not verify: " + st.ToString());
  return {};
}

Result<void> Store::flush() {
  if (options_.read_only) return {};
  rocksdb::FlushOptions fo;
  fo.wait = true;
  auto st = db_->Flush(fo, handles_);
  if (!st.ok()) return io_error("failed to flush", st.ToString());
  return {};
}

}  // namespace movn::eventlog
