// Fuzz target: the Raft configuration decoder (kConfig entries, from disk or a peer) and the
// committed-configuration record the daemon keeps in the store's meta column family. Accepted
// bytes must re-encode to themselves: the encoding is canonical.
#include <cstdint>

#include "daemon/committed_config.h"
#include "eventlog/raft/configuration.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  if (auto c = raft::decode_configuration(bytes); c.ok()) {
    MOVN_FUZZ_CHECK(raft::encode_configuration(*c) == bytes, "configuration encoding is canonical");
    MOVN_FUZZ_CHECK(c->voter_count() >= 1, "a configuration has a voter");
    (void)raft::to_string(*c);
  }
  if (auto r = daemon::decode_committed_config(bytes); r.ok())
    MOVN_FUZZ_CHECK(daemon::encode_committed_config(*r) == bytes, "committed record encoding is canonical");
  return 0;
}
