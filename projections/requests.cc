#include "projections/requests.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace movn::projections {

std::uint64_t Requests::hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }

std::optional<std::size_t> Requests::slot_of(std::string_view id, std::uint64_t hash) const {
  if (index_.empty()) return std::nullopt;
  const std::size_t mask = index_.size() - 1;
  const auto tag = static_cast<std::uint32_t>(hash);
  // Never full (at most half), so an empty slot ends every probe.
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = index_[i];
    if (s.pos1 == 0) return std::nullopt;
    if (s.tag == tag && ring_[s.pos1 - 1].id == id) return i;
  }
}

std::size_t Requests::slot_of_position(std::uint64_t hash, std::size_t pos) const {
  const std::size_t mask = index_.size() - 1;
  std::size_t i = hash & mask;
  while (index_[i].pos1 != pos + 1) i = (i + 1) & mask;
  return i;
}

void Requests::place(std::size_t pos) {
  const std::size_t mask = index_.size() - 1;
  const std::uint64_t hash = ring_[pos].hash;
  std::size_t i = hash & mask;
  while (index_[i].pos1 != 0) i = (i + 1) & mask;
  index_[i] = Slot{static_cast<std::uint32_t>(pos + 1), static_cast<std::uint32_t>(hash)};
}

// Home slots come from the tag, so the index must stay below 2^32 slots.
static_assert(Requests::kWindowRequests < (std::size_t{1} << 30));

void Requests::erase_slot(std::size_t hole) {
  // Backward shift: a later entry of the same probe run moves into the hole unless its home
  // slot lies after the hole (cyclically), where a probe for it starts past the hole anyway.
  const std::size_t mask = index_.size() - 1;
  for (std::size_t j = (hole + 1) & mask; index_[j].pos1 != 0; j = (j + 1) & mask) {
    const std::size_t home = index_[j].tag & mask;  // the index is far smaller than 2^32
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    index_[hole] = index_[j];
    hole = j;
  }
  index_[hole] = Slot{};
}

void Requests::grow_index(std::size_t records) {
  if (index_.size() >= 2 * records) return;
  std::size_t size = 16;
  while (size < 2 * records) size *= 2;
  index_.assign(size, Slot{});
  for (std::size_t k = 0; k < count_; ++k) place(position(k));
}

void Requests::evict_oldest() {
  Record& oldest = ring_[head_];
  horizon_ms_ = std::max(horizon_ms_, oldest.applied.time_ms);
  erase_slot(slot_of_position(oldest.hash, head_));
  head_ = (head_ + 1) % kWindowRequests;
  --count_;
}

void Requests::record(const std::string& request_id, LogIndex index, bool superseded,
                      const std::string& digest, std::uint64_t time_ms) {
  if (request_id.empty()) return;
  const std::uint64_t hash = hash_of(request_id);
  if (slot_of(request_id, hash)) return;  // the first record stands
  if (count_ == kWindowRequests) evict_oldest();
  const std::size_t pos = position(count_);
  if (pos == ring_.size()) ring_.emplace_back();
  Record& r = ring_[pos];  // a reused record keeps its strings' storage
  r.id.assign(request_id);
  r.hash = hash;
  r.applied.index = index;
  r.applied.superseded = superseded;
  r.applied.digest.assign(digest);
  r.applied.time_ms = time_ms;
  grow_index(count_ + 1);  // places the records before this one again if it grows
  ++count_;
  place(pos);
}

bool Requests::expired(std::string_view request_id) const {
  auto t = request_issue_time_ms(request_id);
  return t.has_value() && *t <= horizon_ms_;
}

std::optional<std::uint64_t> request_issue_time_ms(std::string_view id) {
  if (id.size() < 3 || id.front() != 't') return std::nullopt;
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash < 2 || dash > 17) return std::nullopt;
  std::uint64_t ms = 0;
  for (char c : id.substr(1, dash - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return ms;
}

const Requests::Applied* Requests::find(std::string_view request_id) const {
  auto slot = slot_of(request_id, hash_of(request_id));
  return slot ? &ring_[index_[*slot].pos1 - 1].applied : nullptr;
}

namespace {

// The CBOR items a requests checkpoint holds (RFC 8949), written straight into the output: the
// table is written every kCheckpointEveryEntries entries on the core thread, and a JSON tree of
// ten thousand records made that a burst of allocations. The bytes are the ones
// nlohmann::json::to_cbor() writes for the same tree (a test compares them).
void cbor_head(std::string& out, std::uint8_t major, std::uint64_t n) {
  const auto type = static_cast<char>(major << 5);
  if (n <= 0x17) {
    out.push_back(static_cast<char>(type | static_cast<char>(n)));
    return;
  }
  // The additional information 24..27 says the count follows in 1, 2, 4 or 8 bytes, big-endian.
  const int extra = n <= 0xff ? 24 : n <= 0xffff ? 25 : n <= 0xffffffff ? 26 : 27;
  const int bytes = 1 << (extra - 24);
  out.push_back(static_cast<char>(type | static_cast<char>(extra)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}
void cbor_uint(std::string& out, std::uint64_t n) { cbor_head(out, 0, n); }
void cbor_bytes(std::string& out, std::string_view b) {
  cbor_head(out, 2, b.size());
  out.append(b);
}
void cbor_text(std::string& out, std::string_view t) {
  cbor_head(out, 3, t.size());
  out.append(t);
}

}  // namespace

std::string Requests::snapshot() const {
  // {"horizon_ms": uint, "records": [[id, index, superseded, digest (bytes), time_ms], ...]}
  std::string out;
  std::size_t size = 32;
  for (std::size_t k = 0; k < count_; ++k) {
    const Record& r = ring_[position(k)];
    size += r.id.size() + r.applied.digest.size() + 40;
  }
  out.reserve(size);
  cbor_head(out, 5, 2);  // a map of two, its keys in the order to_cbor sorts them
  cbor_text(out, "horizon_ms");
  cbor_uint(out, horizon_ms_);
  cbor_text(out, "records");
  cbor_head(out, 4, count_);
  for (std::size_t k = 0; k < count_; ++k) {
    const Record& r = ring_[position(k)];
    const Applied& a = r.applied;
    cbor_head(out, 4, 5);
    cbor_text(out, r.id);
    cbor_uint(out, a.index.value);
    out.push_back(static_cast<char>(a.superseded ? 0xf5 : 0xf4));
    cbor_bytes(out, a.digest);
    cbor_uint(out, a.time_ms);
  }
  return out;
}

Result<void> Requests::restore(std::string_view bytes) {
  if (auto c = check_cbor(bytes, kMaxCheckpointDepth); !c.ok())
    return std::move(c).error().wrap("requests checkpoint does not parse");
  try {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
    Requests fresh;
    for (const auto& p : j.at("records")) {
      const auto& bin = p.at(3).get_binary();
      fresh.record(p.at(0).get<std::string>(), LogIndex(snapshot_u64(p.at(1))), p.at(2).get<bool>(),
                   std::string(bin.begin(), bin.end()), snapshot_u64(p.at(4)));
    }
    fresh.horizon_ms_ = snapshot_u64(j.at("horizon_ms"));
    *this = std::move(fresh);
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("requests checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
