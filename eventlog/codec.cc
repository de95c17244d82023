#include "eventlog/codec.h"

#include <cstring>
#include <vector>

#include "common/overloaded.h"
#include "common/utf8.h"
#include "eventlog/events_generated.h"

namespace movn::eventlog {
namespace {
namespace fb = ::movn::fb;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;


Offset<flatbuffers::Vector<std::uint8_t>> bytes_vector(FlatBufferBuilder& b, std::string_view bytes) {
  return b.CreateVector(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::string bytes_of(const flatbuffers::Vector<std::uint8_t>* v) {
  return v ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

std::pair<fb::Event, Offset<void>> encode_event(FlatBufferBuilder& b, const events::Event& e) {
  return std::visit(
      Overloaded{
          [&](const events::ClusterBootstrapped& x) -> std::pair<fb::Event, Offset<void>> {
            auto o = fb::CreateClusterBootstrapped(b, b.CreateString(x.cluster_id), b.CreateString(x.member_name));
            return {fb::Event::ClusterBootstrapped, o.Union()};
          },
          [&](const events::MemberJoined& x) -> std::pair<fb::Event, Offset<void>> {
            // encap_ip is absent when not given. The strings are made one by one, in a fixed
            // order: as arguments of one call, their order was the compiler's choice (g++ and
            // clang differ), and so were the bytes.
            flatbuffers::Offset<flatbuffers::String> encap;
            if (!x.encap_ip.empty()) encap = b.CreateString(x.encap_ip);
            auto certificate = b.CreateString(x.certificate);
            auto fingerprint = b.CreateString(x.fingerprint);
            auto address = b.CreateString(x.address);
            auto name = b.CreateString(x.name);
            auto o = fb::CreateMemberJoined(b, name, address, fingerprint, certificate, x.raft_id, encap);
            return {fb::Event::MemberJoined, o.Union()};
          },
          [&](const events::JoinTokenIssued& x) -> std::pair<fb::Event, Offset<void>> {
            auto name = b.CreateString(x.name);
            auto secret = b.CreateVector(reinterpret_cast<const std::uint8_t*>(x.secret_sha256.data()),
                                         x.secret_sha256.size());
            auto o = fb::CreateJoinTokenIssued(b, name, secret, x.expires_at_ms);
            return {fb::Event::JoinTokenIssued, o.Union()};
          },
          [&](const events::JoinTokenRevoked& x) -> std::pair<fb::Event, Offset<void>> {
            auto o = fb::CreateJoinTokenRevoked(b, b.CreateString(x.name),
                                                static_cast<fb::TokenRevokeReason>(x.reason));
            return {fb::Event::JoinTokenRevoked, o.Union()};
          },
          [&](const events::ConfigSet& x) -> std::pair<fb::Event, Offset<void>> {
            auto o = fb::CreateConfigSet(b, b.CreateString(x.key), b.CreateString(x.value));
            return {fb::Event::ConfigSet, o.Union()};
          },
          [&](const events::ConfigDeleted& x) -> std::pair<fb::Event, Offset<void>> {
            auto o = fb::CreateConfigDeleted(b, b.CreateString(x.key));
            return {fb::Event::ConfigDeleted, o.Union()};
          },
          [&](const events::MemberRemoved& x) -> std::pair<fb::Event, Offset<void>> {
            auto o = fb::CreateMemberRemoved(b, b.CreateString(x.name), x.raft_id);
            return {fb::Event::MemberRemoved, o.Union()};
          },
          [&](const events::CaGenerated& x) -> std::pair<fb::Event, Offset<void>> {
            auto cert = b.CreateString(x.ca.certificate);
            auto sealed = bytes_vector(b, x.ca.sealed_key);
            auto o = fb::CreateCaGenerated(b, cert, sealed, b.CreateString(x.ca.fingerprint), x.ca.not_after_ms);
            return {fb::Event::CaGenerated, o.Union()};
          },
          [&](const events::CaSet& x) -> std::pair<fb::Event, Offset<void>> {
            auto cert = b.CreateString(x.ca.certificate);
            auto sealed = bytes_vector(b, x.ca.sealed_key);
            auto o = fb::CreateCaSet(b, cert, sealed, b.CreateString(x.ca.fingerprint), x.ca.not_after_ms);
            return {fb::Event::CaSet, o.Union()};
          },
          [&](const events::CertificateIssued& x) -> std::pair<fb::Event, Offset<void>> {
            auto member = b.CreateString(x.member);
            auto service = b.CreateString(x.service);
            auto cert = b.CreateString(x.certificate);
            auto serial = b.CreateString(x.serial);
            auto fingerprint = b.CreateString(x.fingerprint);
            auto ca = b.CreateString(x.ca_fingerprint);
            auto o = fb::CreateCertificateIssued(b, member, service, cert, serial, fingerprint, x.not_before_ms,
                                                 x.not_after_ms, ca);
            return {fb::Event::CertificateIssued, o.Union()};
          },
          [&](const events::ServiceEnabled& x) -> std::pair<fb::Event, Offset<void>> {
            auto member = b.CreateString(x.member);
            auto o = fb::CreateServiceEnabled(b, member, b.CreateString(x.service));
            return {fb::Event::ServiceEnabled, o.Union()};
          },
          [&](const events::ServiceDisabled& x) -> std::pair<fb::Event, Offset<void>> {
            auto member = b.CreateString(x.member);
            auto o = fb::CreateServiceDisabled(b, member, b.CreateString(x.service));
            return {fb::Event::ServiceDisabled, o.Union()};
          },
          [&](const events::SchemaVersionReported& x) -> std::pair<fb::Event, Offset<void>> {
            auto member = b.CreateString(x.member);
            auto nb = b.CreateString(x.nb);
            auto o = fb::CreateSchemaVersionReported(b, member, nb, b.CreateString(x.sb));
            return {fb::Event::SchemaVersionReported, o.Union()};
          },
          [&](const events::CentralReady& x) -> std::pair<fb::Event, Offset<void>> {
            auto member = b.CreateString(x.member);
            auto nb = b.CreateString(x.nb_cluster_id);
            auto o = fb::CreateCentralReady(b, member, nb, b.CreateString(x.sb_cluster_id));
            return {fb::Event::CentralReady, o.Union()};
          },
      },
      e);
}

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// Every text field of the catalogue must be UTF-8: projections render state as JSON, and a byte
// that JSON cannot carry must be refused here, where the damaged entry can still be named.
Result<void> check_text(std::string_view field, std::string_view value) {
  auto bad = find_invalid_utf8(value);
  if (bad == std::string_view::npos) return {};
  return make_error(Errc::kCorruption,
                    "field " + std::string(field) + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
}

Result<void> check_ca_text(const events::CaCertificate& ca) {
  MOVN_TRY(check_text("certificate", ca.certificate));
  return check_text("fingerprint", ca.fingerprint);
}

Result<void> check_text(const events::Event& e) {
  return std::visit(
      Overloaded{
          [](const events::ClusterBootstrapped& x) -> Result<void> {
            MOVN_TRY(check_text("cluster_id", x.cluster_id));
            return check_text("member_name", x.member_name);
          },
          [](const events::MemberJoined& x) -> Result<void> {
            MOVN_TRY(check_text("name", x.name));
            MOVN_TRY(check_text("address", x.address));
            MOVN_TRY(check_text("fingerprint", x.fingerprint));
            MOVN_TRY(check_text("encap_ip", x.encap_ip));
            return check_text("certificate", x.certificate);
          },
          [](const events::JoinTokenIssued& x) -> Result<void> { return check_text("name", x.name); },
          [](const events::JoinTokenRevoked& x) -> Result<void> { return check_text("name", x.name); },
          [](const events::ConfigSet& x) -> Result<void> {
            MOVN_TRY(check_text("key", x.key));
            return check_text("value", x.value);
          },
          [](const events::ConfigDeleted& x) -> Result<void> { return check_text("key", x.key); },
          [](const events::MemberRemoved& x) -> Result<void> { return check_text("name", x.name); },
          [](const events::CaGenerated& x) -> Result<void> { return check_ca_text(x.ca); },
          [](const events::CaSet& x) -> Result<void> { return check_ca_text(x.ca); },
          [](const events::CertificateIssued& x) -> Result<void> {
            MOVN_TRY(check_text("member", x.member));
            MOVN_TRY(check_text("service", x.service));
            MOVN_TRY(check_text("certificate", x.certificate));
            MOVN_TRY(check_text("serial", x.serial));
            MOVN_TRY(check_text("fingerprint", x.fingerprint));
            return check_text("ca_fingerprint", x.ca_fingerprint);
          },
          [](const events::ServiceEnabled& x) -> Result<void> {
            MOVN_TRY(check_text("member", x.member));
            return check_text("service", x.service);
          },
          [](const events::ServiceDisabled& x) -> Result<void> {
            MOVN_TRY(check_text("member", x.member));
            return check_text("service", x.service);
          },
          [](const events::SchemaVersionReported& x) -> Result<void> {
            MOVN_TRY(check_text("member", x.member));
            MOVN_TRY(check_text("nb", x.nb));
            return check_text("sb", x.sb);
          },
          [](const events::CentralReady& x) -> Result<void> {
            MOVN_TRY(check_text("member", x.member));
            MOVN_TRY(check_text("nb_cluster_id", x.nb_cluster_id));
            return check_text("sb_cluster_id", x.sb_cluster_id);
          },
      },
      e);
}

Result<events::Event> decode_event(const fb::EventRecord* rec) {
  if (rec == nullptr) return make_error(Errc::kCorruption, "null event record");
  // The verifier accepts a union whose type is set but whose value is absent.
  if (rec->event_type() != fb::Event::NONE && rec->event() == nullptr)
    return make_error(Errc::kCorruption, "event of type " + std::to_string(static_cast<int>(rec->event_type())) +
                                             " has no value");
  switch (rec->event_type()) {
    case fb::Event::ClusterBootstrapped: {
      auto* x = rec->event_as_ClusterBootstrapped();
      return events::Event{events::ClusterBootstrapped{str(x->cluster_id()), str(x->member_name())}};
    }
    case fb::Event::MemberJoined: {
      auto* x = rec->event_as_MemberJoined();
      return events::Event{events::MemberJoined{str(x->name()), str(x->address()), str(x->fingerprint()),
                                                str(x->certificate()), x->raft_id(), str(x->encap_ip())}};
    }
    case fb::Event::JoinTokenIssued: {
      auto* x = rec->event_as_JoinTokenIssued();
      std::string secret;
      if (x->secret_sha256() != nullptr)
        secret.assign(reinterpret_cast<const char*>(x->secret_sha256()->data()),
                      x->secret_sha256()->size());
      return events::Event{events::JoinTokenIssued{str(x->name()), std::move(secret), x->expires_at_ms()}};
    }
    case fb::Event::JoinTokenRevoked: {
      auto* x = rec->event_as_JoinTokenRevoked();
      auto reason = static_cast<std::uint8_t>(x->reason());
      if (reason > static_cast<std::uint8_t>(fb::TokenRevokeReason::MAX))
        return make_error(Errc::kCorruption, "unknown token revoke reason " + std::to_string(reason));
      return events::Event{
          events::JoinTokenRevoked{str(x->name()), static_cast<events::RevokeReason>(reason)}};
    }
    case fb::Event::ConfigSet: {
      auto* x = rec->event_as_ConfigSet();
      return events::Event{events::ConfigSet{str(x->key()), str(x->value())}};
    }
    case fb::Event::ConfigDeleted: {
      auto* x = rec->event_as_ConfigDeleted();
      return events::Event{events::ConfigDeleted{str(x->key())}};
    }
    case fb::Event::MemberRemoved: {
      auto* x = rec->event_as_MemberRemoved();
      return events::Event{events::MemberRemoved{str(x->name()), x->raft_id()}};
    }
    case fb::Event::CaGenerated: {
      auto* x = rec->event_as_CaGenerated();
      return events::Event{events::CaGenerated{
          {str(x->certificate()), bytes_of(x->sealed_key()), str(x->fingerprint()), x->not_after_ms()}}};
    }
    case fb::Event::CaSet: {
      auto* x = rec->event_as_CaSet();
      return events::Event{events::CaSet{
          {str(x->certificate()), bytes_of(x->sealed_key()), str(x->fingerprint()), x->not_after_ms()}}};
    }
    case fb::Event::CertificateIssued: {
      auto* x = rec->event_as_CertificateIssued();
      return events::Event{events::CertificateIssued{str(x->member()), str(x->service()), str(x->certificate()),
                                                     str(x->serial()), str(x->fingerprint()), x->not_before_ms(),
                                                     x->not_after_ms(), str(x->ca_fingerprint())}};
    }
    case fb::Event::ServiceEnabled: {
      auto* x = rec->event_as_ServiceEnabled();
      return events::Event{events::ServiceEnabled{str(x->member()), str(x->service())}};
    }
    case fb::Event::ServiceDisabled: {
      auto* x = rec->event_as_ServiceDisabled();
      return events::Event{events::ServiceDisabled{str(x->member()), str(x->service())}};
    }
    case fb::Event::SchemaVersionReported: {
      auto* x = rec->event_as_SchemaVersionReported();
      return events::Event{events::SchemaVersionReported{str(x->member()), str(x->nb()), str(x->sb())}};
    }
    case fb::Event::CentralReady: {
      auto* x = rec->event_as_CentralReady();
      return events::Event{events::CentralReady{str(x->member()), str(x->nb_cluster_id()), str(x->sb_cluster_id())}};
    }
    case fb::Event::NONE:
      break;
  }
  return make_error(Errc::kCorruption,
                    "unknown event type " + std::to_string(static_cast<int>(rec->event_type())));
}
}  // namespace

std::string encode_batch(const events::EventBatch& batch) {
  FlatBufferBuilder b(256 + batch.events.size() * 128);
  std::vector<Offset<fb::EventRecord>> records;
  records.reserve(batch.events.size());
  for (const auto& e : batch.events) {
    auto [type, off] = encode_event(b, e);
    records.push_back(fb::CreateEventRecord(b, type, off));
  }
  // Strings are written with their length (never through c_str()), so an embedded NUL cannot
  // make the log differ from the value that was decided.
  auto actor = fb::CreateActor(b, b.CreateString(batch.actor.member), b.CreateString(batch.actor.os_user));
  auto request_id = b.CreateString(batch.request_id);
  auto events = b.CreateVector(records);
  flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> digest;
  if (!batch.request_digest.empty())
    digest = b.CreateVector(reinterpret_cast<const std::uint8_t*>(batch.request_digest.data()),
                            batch.request_digest.size());
  auto root = fb::CreateEventBatch(b, request_id, actor, batch.cluster_time.value, events, digest);
  b.Finish(root);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<events::EventBatch> decode_batch(std::string_view bytes) {
  if (bytes.size() > kMaxBatchBytes)
    return make_error(Errc::kTooLarge, "event batch of " + std::to_string(bytes.size()) +
                                           " bytes is over the limit");
  // FlatBuffers reads scalars in place, so the buffer must be 8-byte aligned; bytes read from the
  // store or the network may not be. Copy those into an aligned buffer first.
  if (bytes.empty()) return make_error(Errc::kCorruption, "event batch is empty");
  thread_local std::vector<std::uint64_t> aligned;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {
    aligned.resize((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    bytes = std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
  }
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                 /*max_depth=*/16, /*max_tables=*/1'000'000);
  if (!fb::VerifyEventBatchBuffer(verifier))
    return make_error(Errc::kCorruption, "event batch does not verify");
  const auto* root = fb::GetEventBatch(bytes.data());
  events::EventBatch out;
  out.request_id = str(root->request_id());
  if (root->actor() != nullptr) {
    out.actor.member = str(root->actor()->member());
    out.actor.os_user = str(root->actor()->os_user());
  }
  for (auto [field, value] : {std::pair<std::string_view, std::string_view>{"request_id", out.request_id},
                              {"actor.member", out.actor.member},
                              {"actor.os_user", out.actor.os_user}}) {
    if (auto t = check_text(field, value); !t.ok()) return std::move(t).error().wrap("event batch does not decode");
  }
  out.cluster_time = ClusterTimeMs(root->cluster_time_ms());
  if (root->request_digest() != nullptr)
    out.request_digest.assign(reinterpret_cast<const char*>(root->request_digest()->data()),
                              root->request_digest()->size());
  if (root->events() != nullptr) {
    out.events.reserve(root->events()->size());
    for (const auto* rec : *root->events()) {
      auto ev = decode_event(rec);
      if (ev.ok()) {
        if (auto t = check_text(*ev); !t.ok()) ev = std::move(t).error();
      }
      if (!ev.ok())
        return std::move(ev).error().wrap("failed to decode event " + std::to_string(out.events.size() + 1) +
                                          " of the batch");
      out.events.push_back(std::move(ev).value());
    }
  }
  return out;
}

}  // namespace movn::eventlog
