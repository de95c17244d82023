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
#include "transport/peer_frame.h"

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
  fold(commands::BootstrapRequest{"c0ffee", "m1", "127.0.0.1", std::string(64, 'a'), "-----BEGIN CERTIFICATE-----",
                                  events::CaCertificate{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, 'c'), 9}},
       1000);
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
  write(out / "checkpoint", "certificates.bin", state.certificates().snapshot());

  raft::Configuration three = raft::voters_configuration({NodeId(1), NodeId(2), NodeId(3)});
  raft::Configuration mixed = three.with(NodeId(4), raft::MemberRole::kStandby).with(NodeId(9), raft::MemberRole::kSpare);
  write(out / "raft_config", "three_voters.bin", raft::encode_configuration(three));
  write(out / "raft_config", "mixed_roles.bin", raft::encode_configuration(mixed));
  write(out / "raft_config", "committed_record.bin", daemon::encode_committed_config({LogIndex(42), mixed}));

  raft::Message app;
  app.type = raft::MessageType::kApp;
  app.from = NodeId(1);
  app.to = NodeId(2);
  app.term = Term(3);
  app.log_term = Term(2);
  app.index = LogIndex(7);
  app.commit = LogIndex(6);
  app.entries = {raft::Entry{LogIndex(8), Term(2), raft::EntryType::kEventBatch, "batch"},
                 raft::Entry{LogIndex(9), Term(3), raft::EntryType::kNoop, ""}};
  write(out / "peer_frame", "append.bin", transport::encode_peer_message(app));
  raft::Message heartbeat_resp;
  heartbeat_resp.type = raft::MessageType::kHeartbeatResp;
  heartbeat_resp.from = NodeId(2);
  heartbeat_resp.to = NodeId(1);
  heartbeat_resp.term = Term(3);
  heartbeat_resp.context = 5;
  write(out / "peer_frame", "heartbeat_resp.bin", transport::encode_peer_message(heartbeat_resp));
  write(out / "peer_frame", "forward_write.bin",
        transport::encode_peer_message(host::ForwardWrite{NodeId(2), NodeId(1), 9,
                                                          commands::SetConfigRequest{"ovn.central-ips", "10.0.0.1"},
                                                          "req-1", {"m2", "root"}}));
  write(out / "peer_frame", "forward_certificate.bin",
        transport::encode_peer_message(host::ForwardWrite{
            NodeId(2), NodeId(1), 10,
            commands::RecordCertificateRequest{events::CertificateIssued{
                "m2", "ovn-controller", "-----BEGIN CERTIFICATE-----", "0a", std::string(64, 'e'), 1, 2,
                std::string(64, 'c')}},
            "req-2", {"m2", ""}}));
  write(out / "peer_frame", "forward_set_ca.bin",
        transport::encode_peer_message(host::ForwardWrite{
            NodeId(2), NodeId(1), 11,
            commands::SetCaRequest{events::CaCertificate{"-----BEGIN CERTIFICATE-----", std::string("\x01sealed", 7),
                                                         std::string(64, 'a'), 99},
                                   true, std::string(64, 'b')},
            "ca-renewal-b", {"m2", ""}}));
  write(out / "peer_frame", "forward_set_service.bin",
        transport::encode_peer_message(host::ForwardWrite{
            NodeId(2), NodeId(1), 12, commands::SetServiceRequest{"m3", "central", false, true}, "req-3", {"m2", "root"}}));
  write(out / "peer_frame", "forward_report_schema.bin",
        transport::encode_peer_message(host::ForwardWrite{
            NodeId(2), NodeId(1), 13, commands::ReportSchemaRequest{"m3", "7.3.0", "20.33.0"}, "schemas-m3-1", {"m3", ""}}));
  write(out / "peer_frame", "forward_report_central.bin",
        transport::encode_peer_message(host::ForwardWrite{
            NodeId(2), NodeId(1), 14,
            commands::ReportCentralRequest{"m3", "6f2b4c1e-0000-4000-8000-000000000001",
                                           "6f2b4c1e-0000-4000-8000-000000000002"},
            "central-m3-1", {"m3", ""}}));
  write(out / "peer_frame", "forward_reply.bin",
        transport::encode_peer_message(host::ForwardReply{NodeId(1), NodeId(2), 9, false, LogIndex(0), false,
                                                          Errc::kConflict, "taken"}));
  write(out / "peer_frame", "read_index.bin", transport::encode_peer_message(host::ReadIndexReply{NodeId(1), NodeId(2), 4, true, LogIndex(30), "", {NodeId(1), NodeId(2)}}));
  write(out / "peer_frame", "join_ask.bin",
        transport::encode_peer_message(host::JoinAsk{
            "10.0.0.3:6686", "10.0.0.1:6686", 1,
            commands::JoinRequest{"m3", "10.0.0.3:6686", std::string(64, 'f'), "CERT", "secret"}, "join-m3"}));
  host::JoinReply reply{"10.0.0.1:6686", "10.0.0.3:6686", 1, true, NodeId(3), Errc::kUnavailable, "", {}};
  reply.shared["cluster-key"] = "key";
  write(out / "peer_frame", "join_reply.bin", transport::encode_peer_message(reply));
  write(out / "peer_frame", "removal.bin", transport::encode_peer_message(host::RemovalNotice{NodeId(1), NodeId(3)}));

  events::EventBatch multi{"req-9", {"m1", "root"}, ClusterTimeMs(1'800'000'000'000ULL),
                           {events::ClusterBootstrapped{"c0ffee", "m1"},
                            events::MemberJoined{"m1", "127.0.0.1:6686", std::string(64, 'a'), "pem"},
                            events::JoinTokenIssued{"m2", std::string(32, 's'), 99},
                            events::JoinTokenRevoked{"m2", events::RevokeReason::kUsed},
                            events::ConfigSet{"ovn.central-ips", "10.0.0.1"},
                            events::ConfigDeleted{"ovn.central-ips"},
                            events::MemberRemoved{"m2", 2},
                            events::CaGenerated{{"-----BEGIN CERTIFICATE-----", "sealed", std::string(64, 'c'), 9}},
                            events::CaSet{{"chain", "sealed2", std::string(64, 'd'), 10}},
                            events::CertificateIssued{"m1", "ovnnb", "pem", "0a", std::string(64, 'e'), 1, 2,
                                                      std::string(64, 'd')},
                            events::ServiceEnabled{"m1", "central"},
                            events::ServiceDisabled{"m1", "central"}},
                           std::string(32, 'd')};
  write(out / "event_batch", "every_event_type.bin", eventlog::encode_batch(multi));
  std::printf("seeds written under %s\n", out.c_str());
  return 0;
}
