#include "host/coalesce.h"

#include <algorithm>
#include <map>

namespace movn::host {
namespace {

std::uint64_t entries_bytes(const raft::Message& m) {
  std::uint64_t n = 0;
  for (const auto& e : m.entries) n += raft::entry_bytes(e);
  return n;
}

// The index and term of the last entry an App carries (its previous entry when it carries none).
LogIndex last_index(const raft::Message& m) { return m.entries.empty() ? m.index : m.entries.back().index; }
Term last_term(const raft::Message& m) { return m.entries.empty() ? m.log_term : m.entries.back().term; }

bool continues(const raft::Message& prev, const raft::Message& next, std::uint64_t max_bytes) {
  if (prev.type != raft::MessageType::kApp || next.type != raft::MessageType::kApp) return false;
  if (prev.term != next.term || next.index != last_index(prev) || next.log_term != last_term(prev)) return false;
  return next.entries.empty() || entries_bytes(prev) + entries_bytes(next) <= max_bytes;
}

bool accepting_ack(const raft::Message& m) { return m.type == raft::MessageType::kAppResp && !m.reject; }

}  // namespace

void coalesce(std::vector<raft::Message>& messages, std::uint64_t max_append_bytes) {
  if (messages.size() < 2) return;
  std::vector<raft::Message> out;
  out.reserve(messages.size());
  std::map<NodeId, std::size_t> last_to;  // where the last message to each member is in `out`
  for (auto& m : messages) {
    auto it = last_to.find(m.to);
    if (it != last_to.end()) {
      raft::Message& prev = out[it->second];
      if (continues(prev, m, max_append_bytes)) {
        prev.entries.insert(prev.entries.end(), std::make_move_iterator(m.entries.begin()),
                            std::make_move_iterator(m.entries.end()));
        prev.commit = std::max(prev.commit, m.commit);
        continue;
      }
      if (accepting_ack(prev) && accepting_ack(m) && prev.term == m.term) {
        prev.index = std::max(prev.index, m.index);
        continue;
      }
    }
    last_to[m.to] = out.size();
    out.push_back(std::move(m));
  }
  messages = std::move(out);
}

}  // namespace movn::host
