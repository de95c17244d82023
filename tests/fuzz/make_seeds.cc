// Writes the binary seed inputs of the fuzz targets with the project's real encoders:
//   fuzz_make_seeds tests/fuzz/corpus
// Run by hand when a format changes (the seeds are committed); the tests never run it.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "commands/decide.h"
#include "daemon/committed_config.h"
#include "eventlog/codec.h"
#include "eventlog/raft/configuration.h"

using namespace movn;

namespace {
void write(const std::filesystem::path& dir, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

projections::State sample_state() {
  projections::State s;
  std::uint64_t index = 1;
  auto fold = [&](const commands::Request& r, std::uint64_t now) {
    auto events = commands::decide(s, r, ClusterTimeMs(now));
    if (!events.ok() || events->empty()) return;
    s.apply_batch(events::EventBatch{"req-" + std::to_string(index), {"m1", "root"}, ClusterTimeMs(now),
                                     *events, commands::request_digest(r)},
                  LogIndex(index), Term(1));
    ++index;
  };
  fold(commands::BootstrapRequest{"c0ffee", "m1", "127.0.0.1", std::string(64, 'a'), "-----BEGIN CERTIFICATE-----"}, 1000);
  fold(commands::IssueTokenRequest{"m2", std::string(32, 's'), 60'000}, 2000);
  fold(commands::IssueTokenRequest{"m3", std::string(32, 't'), 1}, 3000);
  fold(commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1,fd00::1"}, 4000);
  fold(commands::RevokeTokenRequest{"m2"}, 5000);
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  const auto state = sample_state();
  write(out / "checkpoint", "state.bin", state.checkpoint());
  write(out / "checkpoint", "empty_state.bin", projections::State().checkpoint());
  write(out / "checkpoint", "membership.bin", state.membership().snapshot());
  write(out / "checkpoint", "tokens.bin", state.tokens().snapshot());
  write(out / "checkpoint", "config.bin", state.config().snapshot());
  write(out / "checkpoint", "requests.bin", state.requests().snapshot());

  raft::Configuration three = raft::voters_configuration({NodeId(1), NodeId(2), NodeId(3)});
  raft::Configuration mixed = three.with(NodeId(4), raft::MemberRole::kStandby).with(NodeId(9), raft::MemberRole::kSpare);
  write(out / "raft_config", "three_voters.bin", raft::encode_configuration(three));
  write(out / "raft_config", "mixed_roles.bin", raft::encode_configuration(mixed));
  write(out / "raft_config", "committed_record.bin", daemon::encode_committed_config({LogIndex(42), mixed}));

  events::EventBatch multi{"req-9", {"m1", "root"}, ClusterTimeMs(1'800'000'000'000ULL),
                           {events::ClusterBootstrapped{"c0ffee", "m1"},
                            events::MemberJoined{"m1", "127.0.0.1:6686", std::string(64, 'a'), "pem"},
                            events::JoinTokenIssued{"m2", std::string(32, 's'), 99},
                            events::JoinTokenRevoked{"m2", events::RevokeReason::kUsed},
                            events::ConfigSet{"ovn.central-ips", "10.0.0.1"},
                            events::ConfigDeleted{"ovn.central-ips"}},
                           std::string(32, 'd')};
  write(out / "event_batch", "every_event_type.bin", eventlog::encode_batch(multi));
  std::printf("seeds written under %s\n", out.c_str());
  return 0;
}
