#include "daemon/committed_config.h"

namespace movn::daemon {

std::string encode_committed_config(const raft::IndexedConfiguration& c) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(c.index.value >> shift));
  out += raft::encode_configuration(c.configuration);
  return out;
}

Result<raft::IndexedConfiguration> decode_committed_config(std::string_view bytes) {
  if (bytes.size() < 8) return make_error(Errc::kCorruption, "committed configuration record is truncated");
  std::uint64_t index = 0;
  for (int i = 0; i < 8; ++i) index = (index << 8) | static_cast<unsigned char>(bytes[i]);
  MOVN_ASSIGN_OR_RETURN(auto c, raft::decode_configuration(bytes.substr(8)));
  return raft::IndexedConfiguration{LogIndex(index), std::move(c)};
}

}  // namespace movn::daemon
