// Writes the golden EventBatch fixtures in eventlog/testdata/, one per event type. Run by hand only
// when a NEW event type is added (existing fixtures are never rewritten: they are old logs).
// Usage: eventlog_make_fixtures OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "eventlog/codec.h"

using namespace movn;
using namespace movn::events;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: eventlog_make_fixtures OUT_DIR\n";
    return 2;
  }
  std::filesystem::path out(argv[1]);
  auto batch = [](Event e) {
    return EventBatch{"req-0001", Actor{"movn1", "root"}, ClusterTimeMs(1795000000123ULL), {std::move(e)}};
  };
  std::string secret(32, '\0');
  for (int i = 0; i < 32; ++i) secret[i] = static_cast<char>(i * 7 + 1);
  const std::pair<const char*, EventBatch> fixtures[] = {
      {"cluster_bootstrapped", batch(ClusterBootstrapped{"c0ffee00c0ffee00c0ffee00c0ffee00", "movn1"})},
      {"member_joined", batch(MemberJoined{"movn1", "10.0.0.1:6686", std::string(64, 'a'),
                                           "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"})},
      {"join_token_issued", batch(JoinTokenIssued{"movn2", secret, 1795010800123ULL})},
      {"join_token_revoked", batch(JoinTokenRevoked{"movn2", RevokeReason::kExpired})},
      {"config_set", batch(ConfigSet{"ovn.central-ips", "10.0.0.1,10.0.0.2"})},
      {"config_deleted", batch(ConfigDeleted{"ovn.central-ips"})},
      {"member_removed", batch(MemberRemoved{"movn2", 2})},
      {"ca_generated", batch(CaGenerated{{"-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
                                          std::string("\x01sealed\x00key", 12), std::string(64, 'c'),
                                          2110000000000ULL}})},
      {"ca_set", batch(CaSet{{"-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n",
                              std::string("\x01sealed\x00rsa", 12), std::string(64, 'd'), 2120000000000ULL}})},
      {"certificate_issued",
       batch(CertificateIssued{"movn1", "ovnnb", "-----BEGIN CERTIFICATE-----\nMIIE\n-----END CERTIFICATE-----\n",
                               "0a1b2c", std::string(64, 'e'), 1795000000000ULL, 1858072000000ULL,
                               std::string(64, 'c')})},
      {"service_enabled", batch(ServiceEnabled{"movn1", "central"})},
      {"service_disabled", batch(ServiceDisabled{"movn2", "chassis"})},
      {"schema_version_reported", batch(SchemaVersionReported{"movn2", "7.3.0", "20.33.0"})},
      {"central_ready", batch(CentralReady{"movn2", "6f2b4c1e-0000-4000-8000-000000000001",
                                           "6f2b4c1e-0000-4000-8000-000000000002"})},
  };
  for (const auto& [name, b] : fixtures) {
    auto path = out / (std::string(name) + ".bin");
    if (std::filesystem::exists(path)) {
      std::cerr << "kept " << path << " (fixtures are never rewritten)\n";
      continue;
    }
    std::ofstream f(path, std::ios::binary);
    auto bytes = eventlog::encode_batch(b);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cerr << "wrote " << path << "\n";
  }
  return 0;
}
