#include "eventlog/raft/raft_test_cluster.h"

#include <cassert>

namespace movn::raft::testing {

Entry make_entry(std::uint64_t index, std::uint64_t term, std::string data) {
  return Entry{LogIndex(index), Term(term), EntryType::kEventBatch, std::move(data)};
}

TestCluster::TestCluster(int members, std::function<void(Config&)> tweak)
    : tweak_(std::move(tweak)), members_(members) {
  for (int i = 1; i <= members; ++i) {
    logs_[i] = std::make_unique<MemoryLog>();
    readers_[i] = std::make_unique<Reader>(*this, i);
    restart(i);
  }
}

void TestCluster::restart(std::uint64_t id) {
  Config c;
  c.id = NodeId(id);
  for (int i = 1; i <= members_; ++i) c.voters.push_back(NodeId(i));
  c.seed = 42;
  if (tweak_) tweak_(c);
  applied_[id].clear();
  std::optional<IndexedConfiguration> committed;
  if (!forget_committed_config) committed = logs_.at(id)->committed_config();
  cores_[id] = std::make_unique<Core>(c, *readers_.at(id), logs_.at(id)->hard_state(), committed);
}

bool TestCluster::Reader::fetch(LogIndex lo, LogIndex hi, std::uint64_t max_bytes, std::vector<Entry>& out) const {
  auto below = c_.fetch_below.find(id_);
  if (below != c_.fetch_below.end() && lo < below->second && !fetched.contains(lo)) {
    waiting.insert(lo);
    return false;
  }
  entries(lo, hi, max_bytes, out);
  return true;
}

std::size_t TestCluster::fetches_waiting(std::uint64_t id) const { return readers_.at(id)->waiting.size(); }

void TestCluster::complete_fetches(std::uint64_t id) {
  Reader& r = *readers_.at(id);
  r.fetched.insert(r.waiting.begin(), r.waiting.end());
  r.waiting.clear();
  node(id).entries_fetched();
}

bool TestCluster::process(std::uint64_t id) {
  Core& core = node(id);
  if (!core.has_ready()) return false;
  Ready rd = core.ready();
  readies[id].push_back(rd);
  logs_.at(id)->persist(rd);
  for (Message& m : rd.messages) queue_.push_back(m);
  for (const Entry& e : rd.committed) applied_[id].push_back(e);
  for (const ReadState& r : rd.read_states) read_states_[id].push_back(r);
  core.advance(rd);
  return true;
}

void TestCluster::deliver_all() {
  std::vector<Message> batch;
  batch.swap(queue_);
  for (Message& m : batch) {
    sent.push_back(m);
    if (isolated_.contains(m.from.value) || isolated_.contains(m.to.value)) continue;
    if (filter && !filter(m)) continue;
    node(m.to.value).step(std::move(m));
  }
}

void TestCluster::stabilize() {
  for (int round = 0; round < 10000; ++round) {
    bool moved = false;
    for (auto& [id, core] : cores_) moved |= process(id);
    if (!queue_.empty()) moved = true;
    deliver_all();
    if (!moved) return;
  }
  assert(false && "cluster did not stabilize");
}

void TestCluster::tick(std::uint64_t id, int n) {
  for (int i = 0; i < n; ++i) node(id).tick();
}

void TestCluster::tick_all(int n) {
  for (int i = 0; i < n; ++i) {
    for (auto& [id, core] : cores_) core->tick();
    stabilize();
  }
}

void TestCluster::elect(std::uint64_t id) {
  node(id).campaign();
  stabilize();
}

}  // namespace movn::raft::testing
