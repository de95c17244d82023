// Fuzz target: decide() on requests built from the input, applied in sequence to one state, as
// the daemon does. Input: requests separated by NUL bytes; each starts with a byte that picks the
// command and carries its fields separated by 0x01. Whatever decide() accepts must encode to a
// batch that decodes to the same value, pass apply's re-check against the same state, and fold.
#include <charconv>
#include <cstdint>

#include "commands/decide.h"
#include "eventlog/codec.h"
#include "tests/fuzz/fuzz_util.h"

using namespace movn;

namespace {
std::string field(const std::vector<std::string_view>& f, std::size_t i) {
  return i < f.size() ? std::string(f[i]) : std::string();
}
std::uint64_t number(const std::vector<std::string_view>& f, std::size_t i) {
  std::uint64_t v = 0;
  if (i < f.size()) std::from_chars(f[i].data(), f[i].data() + f[i].size(), v);
  return v;
}

commands::Request request_from(std::string_view record) {
  const unsigned kind = record.empty() ? 0 : static_cast<unsigned char>(record.front()) % 13;
  if (!record.empty()) record.remove_prefix(1);
  auto f = fuzz::split(record, '\x01', 8);
  switch (kind) {
    case 0: return commands::BootstrapRequest{field(f, 0), field(f, 1), field(f, 2), field(f, 3), field(f, 4)};
    case 1: return commands::IssueTokenRequest{field(f, 0), field(f, 1), number(f, 2)};
    case 2: return commands::RevokeTokenRequest{field(f, 0)};
    case 3: return commands::SetConfigRequest{field(f, 0), field(f, 1)};
    case 4: return commands::DeleteConfigRequest{field(f, 0)};
    case 5: return commands::JoinRequest{field(f, 0), field(f, 1), field(f, 2), field(f, 3), field(f, 4)};
    case 7:
      return commands::BootstrapRequest{field(f, 0), field(f, 1), field(f, 2), field(f, 3), field(f, 4),
                                        events::CaCertificate{field(f, 5), field(f, 6), field(f, 7), number(f, 4)}};
    case 8:
      return commands::RecordCertificateRequest{events::CertificateIssued{
          field(f, 0), field(f, 1), field(f, 2), field(f, 3), field(f, 4), number(f, 5), number(f, 6), field(f, 7)}};
    case 9:
      return commands::SetCaRequest{events::CaCertificate{field(f, 0), field(f, 1), field(f, 2), number(f, 3)},
                                    !field(f, 4).empty(), field(f, 5)};
    case 10:
      return commands::SetServiceRequest{field(f, 0), field(f, 1), !field(f, 2).empty(), !field(f, 3).empty()};
    case 11: return commands::ReportSchemaRequest{field(f, 0), field(f, 1), field(f, 2)};
    case 12: return commands::ReportCentralRequest{field(f, 0), field(f, 1), field(f, 2)};
    default: return commands::RemoveMemberRequest{field(f, 0)};
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  projections::State state;
  std::uint64_t index = 0;
  for (auto record : fuzz::split(fuzz::as_view(data, size), '\0', 64)) {
    ++index;
    const auto request = request_from(record);
    const ClusterTimeMs now(1'800'000'000'000ULL + index * 60'000);
    auto decided = commands::decide(state, request, now);
    if (!decided.ok()) continue;
    if (decided->empty()) continue;  // accepted with nothing to record
    events::EventBatch batch{"req-" + std::to_string(index), events::Actor{"m1", "root"}, now,
                             std::move(decided).value(), commands::request_digest(request)};
    auto decoded = eventlog::decode_batch(eventlog::encode_batch(batch));
    MOVN_FUZZ_CHECK(decoded.ok(), decoded.ok() ? "" : decoded.error().message.c_str());
    MOVN_FUZZ_CHECK(*decoded == batch, "the log holds what was decided");
    MOVN_FUZZ_CHECK(state.preconditions_hold(*decoded), "apply's re-check agrees with decide");
    MOVN_FUZZ_CHECK(state.apply_batch(*decoded, LogIndex(index), Term(1)) == projections::ApplyOutcome::kApplied,
                    "a decided batch applies");
  }
  projections::State restored;
  MOVN_FUZZ_CHECK(restored.restore_checkpoint(state.checkpoint()).ok(), "the folded state checkpoints");
  return 0;
}
