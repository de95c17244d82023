#include "transport/peer_frame.h"

#include <cstring>
#include <set>
#include <vector>

#include "common/overloaded.h"
#include "common/utf8.h"
#include "commands/validate.h"
#include "transport/peer_generated.h"

namespace movn::transport {
namespace fb = movn::wire;
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

Error bad(const std::string& what) { return make_error(Errc::kInvalidArgument, "peer frame: " + what); }

std::string str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }
std::string bytes(const flatbuffers::Vector<std::uint8_t>* v) {
  return v == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(v->data()), v->size());
}
Offset<flatbuffers::Vector<std::uint8_t>> byte_vector(FlatBufferBuilder& b, const std::string& s) {
  return b.CreateVector(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
Offset<flatbuffers::Vector<std::uint64_t>> id_vector(FlatBufferBuilder& b, const std::vector<NodeId>& ids) {
  std::vector<std::uint64_t> raw;
  raw.reserve(ids.size());
  for (NodeId id : ids) raw.push_back(id.value);
  return b.CreateVector(raw);
}

// The most members a leader's reachability list may name (far above any real cluster).
constexpr std::size_t kMaxReachable = 1024;

// A text field: present or empty, valid UTF-8.
Result<std::string> text(std::string_view field, const flatbuffers::String* s) {
  std::string v = str(s);
  if (find_invalid_utf8(v) != std::string_view::npos) return bad(std::string(field) + " is not UTF-8");
  return v;
}

Result<NodeId> member_id(std::string_view field, std::uint64_t v) {
  if (v == 0) return bad(std::string(field) + " is not a member id");
  return NodeId(v);
}

Result<Errc> error_code(std::uint8_t v) {
  if (v < static_cast<std::uint8_t>(Errc::kInvalidArgument) || v > static_cast<std::uint8_t>(Errc::kInternal))
    return bad("unknown error code " + std::to_string(v));
  return static_cast<Errc>(v);
}

Result<std::string> address(std::string_view field, const flatbuffers::String* s) {
  MOVN_ASSIGN_OR_RETURN(auto a, text(field, s));
  auto n = commands::normalize_address(a);
  if (!n.ok() || *n != a) return bad(std::string(field) + " is not an address: " + a.substr(0, 64));
  return a;
}

// ---- encode ----

Offset<fb::Join> encode_join(FlatBufferBuilder& b, const commands::JoinRequest& r) {
  auto name = b.CreateString(r.name);
  auto address = b.CreateString(r.address);
  auto fingerprint = b.CreateString(r.fingerprint);
  auto certificate = b.CreateString(r.certificate);
  auto secret = b.CreateString(r.secret);
  return fb::CreateJoin(b, name, address, fingerprint, certificate, secret, b.CreateString(r.encap_ip));
}

std::pair<fb::Request, Offset<void>> encode_request(FlatBufferBuilder& b, const commands::Request& request) {
  return std::visit(
      Overloaded{
          [&](const commands::BootstrapRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::Bootstrap,
                    fb::CreateBootstrap(b, b.CreateString(r.cluster_id), b.CreateString(r.name),
                                        b.CreateString(r.address), b.CreateString(r.fingerprint),
                                        b.CreateString(r.certificate))
                        .Union()};
          },
          [&](const commands::IssueTokenRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::IssueToken,
                    fb::CreateIssueToken(b, b.CreateString(r.name), byte_vector(b, r.secret_sha256), r.lifetime_ms)
                        .Union()};
          },
          [&](const commands::RevokeTokenRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::RevokeToken, fb::CreateRevokeToken(b, b.CreateString(r.name)).Union()};
          },
          [&](const commands::SetConfigRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::SetConfig,
                    fb::CreateSetConfig(b, b.CreateString(r.key), b.CreateString(r.value)).Union()};
          },
          [&](const commands::DeleteConfigRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::DeleteConfig, fb::CreateDeleteConfig(b, b.CreateString(r.key)).Union()};
          },
          [&](const commands::JoinRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::Join, encode_join(b, r).Union()};
          },
          [&](const commands::RemoveMemberRequest& r) -> std::pair<fb::Request, Offset<void>> {
            return {fb::Request::RemoveMember, fb::CreateRemoveMember(b, b.CreateString(r.name)).Union()};
          },
          [&](const commands::RecordCertificateRequest& r) -> std::pair<fb::Request, Offset<void>> {
            const auto& c = r.certificate;
            auto member = b.CreateString(c.member);
            auto service = b.CreateString(c.service);
            auto cert = b.CreateString(c.certificate);
            auto serial = b.CreateString(c.serial);
            auto fingerprint = b.CreateString(c.fingerprint);
            auto ca = b.CreateString(c.ca_fingerprint);
            return {fb::Request::RecordCertificate,
                    fb::CreateRecordCertificate(b, member, service, cert, serial, fingerprint, c.not_before_ms,
                                                c.not_after_ms, ca)
                        .Union()};
          },
          [&](const commands::SetCaRequest& r) -> std::pair<fb::Request, Offset<void>> {
            auto cert = b.CreateString(r.ca.certificate);
            auto sealed = b.CreateVector(reinterpret_cast<const std::uint8_t*>(r.ca.sealed_key.data()),
                                         r.ca.sealed_key.size());
            auto fingerprint = b.CreateString(r.ca.fingerprint);
            auto replaces = b.CreateString(r.replaces);
            return {fb::Request::SetCa, fb::CreateSetCa(b, cert, sealed, fingerprint, r.ca.not_after_ms, r.generated,
                                                        replaces)
                                            .Union()};
          },
          [&](const commands::SetServiceRequest& r) -> std::pair<fb::Request, Offset<void>> {
            auto member = b.CreateString(r.member);
            auto service = b.CreateString(r.service);
            return {fb::Request::SetService,
                    fb::CreateSetService(b, member, service, r.enable, r.allow_disable_last_central).Union()};
          },
          [&](const commands::ReportSchemaRequest& r) -> std::pair<fb::Request, Offset<void>> {
            auto member = b.CreateString(r.member);
            auto nb = b.CreateString(r.nb);
            auto sb = b.CreateString(r.sb);
            return {fb::Request::ReportSchema, fb::CreateReportSchema(b, member, nb, sb).Union()};
          },
          [&](const commands::ReportCentralRequest& r) -> std::pair<fb::Request, Offset<void>> {
            auto member = b.CreateString(r.member);
            auto nb = b.CreateString(r.nb_cluster_id);
            auto sb = b.CreateString(r.sb_cluster_id);
            return {fb::Request::ReportCentral, fb::CreateReportCentral(b, member, nb, sb).Union()};
          },
      },
      request);
}

std::pair<fb::Body, Offset<void>> encode_body(FlatBufferBuilder& b, const host::PeerMessage& message) {
  return std::visit(
      Overloaded{
          [&](const raft::Message& m) -> std::pair<fb::Body, Offset<void>> {
            std::vector<Offset<fb::Entry>> entries;
            entries.reserve(m.entries.size());
            for (const auto& e : m.entries)
              entries.push_back(fb::CreateEntry(b, e.index.value, e.term.value, static_cast<std::uint8_t>(e.type),
                                                byte_vector(b, e.data)));
            return {fb::Body::RaftMessage,
                    fb::CreateRaftMessage(b, static_cast<std::uint8_t>(m.type), m.from.value, m.to.value,
                                          m.term.value, m.log_term.value, m.index.value, b.CreateVector(entries),
                                          m.commit.value, m.reject, m.reject_hint.value, m.transfer, m.context)
                        .Union()};
          },
          [&](const host::ForwardWrite& f) -> std::pair<fb::Body, Offset<void>> {
            auto [type, request] = encode_request(b, f.request);
            auto actor = fb::CreateActor(b, b.CreateString(f.actor.member), b.CreateString(f.actor.os_user));
            return {fb::Body::ForwardWrite,
                    fb::CreateForwardWrite(b, f.from.value, f.to.value, f.ctx, type, request,
                                           b.CreateString(f.request_id), actor)
                        .Union()};
          },
          [&](const host::ForwardReply& r) -> std::pair<fb::Body, Offset<void>> {
            return {fb::Body::ForwardReply,
                    fb::CreateForwardReply(b, r.from.value, r.to.value, r.ctx, r.ok, r.index.value, r.duplicate,
                                           static_cast<std::uint8_t>(r.code), b.CreateString(r.message))
                        .Union()};
          },
          [&](const host::ReadIndexAsk& a) -> std::pair<fb::Body, Offset<void>> {
            return {fb::Body::ReadIndexAsk, fb::CreateReadIndexAsk(b, a.from.value, a.to.value, a.ctx).Union()};
          },
          [&](const host::ReadIndexReply& r) -> std::pair<fb::Body, Offset<void>> {
            return {fb::Body::ReadIndexReply,
                    fb::CreateReadIndexReply(b, r.from.value, r.to.value, r.ctx, r.ok, r.index.value,
                                             b.CreateString(r.message), id_vector(b, r.reachable))
                        .Union()};
          },
          [&](const host::JoinAsk& a) -> std::pair<fb::Body, Offset<void>> {
            return {fb::Body::JoinAsk,
                    fb::CreateJoinAsk(b, b.CreateString(a.from_address), b.CreateString(a.to_address), a.ctx,
                                      encode_join(b, a.request), b.CreateString(a.request_id))
                        .Union()};
          },
          [&](const host::JoinReply& r) -> std::pair<fb::Body, Offset<void>> {
            std::vector<Offset<fb::SharedSecret>> shared;
            for (const auto& [name, value] : r.shared)
              shared.push_back(fb::CreateSharedSecret(b, b.CreateString(name), byte_vector(b, value)));
            return {fb::Body::JoinReply,
                    fb::CreateJoinReply(b, b.CreateString(r.from_address), b.CreateString(r.to_address), r.ctx, r.ok,
                                        r.raft_id.value, static_cast<std::uint8_t>(r.code), b.CreateString(r.message),
                                        b.CreateVector(shared))
                        .Union()};
          },
          [&](const host::RemovalNotice& n) -> std::pair<fb::Body, Offset<void>> {
            return {fb::Body::RemovalNotice, fb::CreateRemovalNotice(b, n.from.value, n.to.value).Union()};
          },
      },
      message);
}

// ---- decode ----

Result<raft::Message> decode_raft(const fb::RaftMessage& w) {
  raft::Message m;
  if (w.type() > static_cast<std::uint8_t>(raft::MessageType::kTimeoutNow))
    return bad("unknown Raft message type " + std::to_string(w.type()));
  m.type = static_cast<raft::MessageType>(w.type());
  MOVN_ASSIGN_OR_RETURN(m.from, member_id("from", w.from()));
  MOVN_ASSIGN_OR_RETURN(m.to, member_id("to", w.to()));
  m.term = Term(w.term());
  m.log_term = Term(w.log_term());
  m.index = LogIndex(w.index());
  m.commit = LogIndex(w.commit());
  m.reject = w.reject();
  m.reject_hint = LogIndex(w.reject_hint());
  m.transfer = w.transfer();
  m.context = w.context();
  if (w.entries() == nullptr) return m;
  if (w.entries()->size() > 0 && m.type != raft::MessageType::kApp)
    return bad(std::string(raft::message_type_name(m.type)) + " carries entries");
  m.entries.reserve(w.entries()->size());
  Term prev_term = m.log_term;
  for (const fb::Entry* e : *w.entries()) {
    if (e == nullptr) return bad("an entry is missing");
    const std::uint64_t want = m.index.value + 1 + m.entries.size();
    if (want == 0 || e->index() != want)
      return bad("entry " + std::to_string(e->index()) + " where " + std::to_string(want) + " follows");
    if (e->term() < prev_term.value || e->term() > m.term.value)
      return bad("entry " + std::to_string(e->index()) + " has term " + std::to_string(e->term()) +
                 " out of order");
    if (e->type() < static_cast<std::uint8_t>(raft::EntryType::kEventBatch) ||
        e->type() > static_cast<std::uint8_t>(raft::EntryType::kConfig))
      return bad("entry " + std::to_string(e->index()) + " has unknown type " + std::to_string(e->type()));
    prev_term = Term(e->term());
    m.entries.push_back(raft::Entry{LogIndex(e->index()), prev_term, static_cast<raft::EntryType>(e->type()),
                                    bytes(e->data())});
  }
  return m;
}

Result<commands::JoinRequest> decode_join(const fb::Join* j) {
  if (j == nullptr) return bad("the join request is missing");
  commands::JoinRequest r;
  MOVN_ASSIGN_OR_RETURN(r.name, text("name", j->name()));
  MOVN_ASSIGN_OR_RETURN(r.address, text("address", j->address()));
  MOVN_ASSIGN_OR_RETURN(r.fingerprint, text("fingerprint", j->fingerprint()));
  MOVN_ASSIGN_OR_RETURN(r.certificate, text("certificate", j->certificate()));
  MOVN_ASSIGN_OR_RETURN(r.secret, text("secret", j->secret()));
  MOVN_ASSIGN_OR_RETURN(r.encap_ip, text("encap_ip", j->encap_ip()));
  return r;
}

Result<commands::Request> decode_request(const fb::ForwardWrite& w) {
  switch (w.request_type()) {
    case fb::Request::Bootstrap: {
      const auto* x = w.request_as_Bootstrap();
      if (x == nullptr) break;
      commands::BootstrapRequest r;
      MOVN_ASSIGN_OR_RETURN(r.cluster_id, text("cluster_id", x->cluster_id()));
      MOVN_ASSIGN_OR_RETURN(r.name, text("name", x->name()));
      MOVN_ASSIGN_OR_RETURN(r.address, text("address", x->address()));
      MOVN_ASSIGN_OR_RETURN(r.fingerprint, text("fingerprint", x->fingerprint()));
      MOVN_ASSIGN_OR_RETURN(r.certificate, text("certificate", x->certificate()));
      return commands::Request(std::move(r));
    }
    case fb::Request::IssueToken: {
      const auto* x = w.request_as_IssueToken();
      if (x == nullptr) break;
      commands::IssueTokenRequest r;
      MOVN_ASSIGN_OR_RETURN(r.name, text("name", x->name()));
      r.secret_sha256 = bytes(x->secret_sha256());
      if (r.secret_sha256.size() != 32) return bad("a token's secret hash is not 32 bytes");
      r.lifetime_ms = x->lifetime_ms();
      return commands::Request(std::move(r));
    }
    case fb::Request::RevokeToken: {
      const auto* x = w.request_as_RevokeToken();
      if (x == nullptr) break;
      MOVN_ASSIGN_OR_RETURN(auto name, text("name", x->name()));
      return commands::Request(commands::RevokeTokenRequest{std::move(name)});
    }
    case fb::Request::SetConfig: {
      const auto* x = w.request_as_SetConfig();
      if (x == nullptr) break;
      MOVN_ASSIGN_OR_RETURN(auto key, text("key", x->key()));
      MOVN_ASSIGN_OR_RETURN(auto value, text("value", x->value()));
      return commands::Request(commands::SetConfigRequest{std::move(key), std::move(value)});
    }
    case fb::Request::DeleteConfig: {
      const auto* x = w.request_as_DeleteConfig();
      if (x == nullptr) break;
      MOVN_ASSIGN_OR_RETURN(auto key, text("key", x->key()));
      return commands::Request(commands::DeleteConfigRequest{std::move(key)});
    }
    case fb::Request::Join: {
      MOVN_ASSIGN_OR_RETURN(auto r, decode_join(w.request_as_Join()));
      return commands::Request(std::move(r));
    }
    case fb::Request::RemoveMember: {
      const auto* x = w.request_as_RemoveMember();
      if (x == nullptr) break;
      MOVN_ASSIGN_OR_RETURN(auto name, text("name", x->name()));
      return commands::Request(commands::RemoveMemberRequest{std::move(name)});
    }
    case fb::Request::RecordCertificate: {
      const auto* x = w.request_as_RecordCertificate();
      if (x == nullptr) break;
      events::CertificateIssued c;
      MOVN_ASSIGN_OR_RETURN(c.member, text("member", x->member()));
      MOVN_ASSIGN_OR_RETURN(c.service, text("service", x->service()));
      MOVN_ASSIGN_OR_RETURN(c.certificate, text("certificate", x->certificate()));
      MOVN_ASSIGN_OR_RETURN(c.serial, text("serial", x->serial()));
      MOVN_ASSIGN_OR_RETURN(c.fingerprint, text("fingerprint", x->fingerprint()));
      MOVN_ASSIGN_OR_RETURN(c.ca_fingerprint, text("ca_fingerprint", x->ca_fingerprint()));
      c.not_before_ms = x->not_before_ms();
      c.not_after_ms = x->not_after_ms();
      return commands::Request(commands::RecordCertificateRequest{std::move(c)});
    }
    case fb::Request::SetCa: {
      const auto* x = w.request_as_SetCa();
      if (x == nullptr) break;
      commands::SetCaRequest r;
      MOVN_ASSIGN_OR_RETURN(r.ca.certificate, text("certificate", x->certificate()));
      if (x->sealed_key() == nullptr) return bad("a forwarded CA has no sealed key");
      r.ca.sealed_key.assign(reinterpret_cast<const char*>(x->sealed_key()->data()), x->sealed_key()->size());
      MOVN_ASSIGN_OR_RETURN(r.ca.fingerprint, text("fingerprint", x->fingerprint()));
      MOVN_ASSIGN_OR_RETURN(r.replaces, text("replaces", x->replaces()));
      r.ca.not_after_ms = x->not_after_ms();
      r.generated = x->generated();
      return commands::Request(std::move(r));
    }
    case fb::Request::SetService: {
      const auto* x = w.request_as_SetService();
      if (x == nullptr) break;
      commands::SetServiceRequest r;
      MOVN_ASSIGN_OR_RETURN(r.member, text("member", x->member()));
      MOVN_ASSIGN_OR_RETURN(r.service, text("service", x->service()));
      r.enable = x->enable();
      r.allow_disable_last_central = x->allow_disable_last_central();
      return commands::Request(std::move(r));
    }
    case fb::Request::ReportSchema: {
      const auto* x = w.request_as_ReportSchema();
      if (x == nullptr) break;
      commands::ReportSchemaRequest r;
      MOVN_ASSIGN_OR_RETURN(r.member, text("member", x->member()));
      MOVN_ASSIGN_OR_RETURN(r.nb, text("nb", x->nb()));
      MOVN_ASSIGN_OR_RETURN(r.sb, text("sb", x->sb()));
      return commands::Request(std::move(r));
    }
    case fb::Request::ReportCentral: {
      const auto* x = w.request_as_ReportCentral();
      if (x == nullptr) break;
      commands::ReportCentralRequest r;
      MOVN_ASSIGN_OR_RETURN(r.member, text("member", x->member()));
      MOVN_ASSIGN_OR_RETURN(r.nb_cluster_id, text("nb_cluster_id", x->nb_cluster_id()));
      MOVN_ASSIGN_OR_RETURN(r.sb_cluster_id, text("sb_cluster_id", x->sb_cluster_id()));
      return commands::Request(std::move(r));
    }
    default: break;
  }
  return bad("a forwarded write carries no request");
}

Result<host::PeerMessage> decode_body(const fb::Frame& frame) {
  switch (frame.body_type()) {
    case fb::Body::RaftMessage: {
      const auto* w = frame.body_as_RaftMessage();
      if (w == nullptr) break;
      MOVN_ASSIGN_OR_RETURN(auto m, decode_raft(*w));
      return host::PeerMessage(std::move(m));
    }
    case fb::Body::ForwardWrite: {
      const auto* w = frame.body_as_ForwardWrite();
      if (w == nullptr) break;
      host::ForwardWrite f;
      MOVN_ASSIGN_OR_RETURN(f.from, member_id("from", w->from()));
      MOVN_ASSIGN_OR_RETURN(f.to, member_id("to", w->to()));
      f.ctx = w->ctx();
      MOVN_ASSIGN_OR_RETURN(f.request, decode_request(*w));
      MOVN_ASSIGN_OR_RETURN(f.request_id, text("request_id", w->request_id()));
      if (f.request_id.empty()) return bad("a forwarded write has no request id");
      if (w->actor() != nullptr) {
        MOVN_ASSIGN_OR_RETURN(f.actor.member, text("actor.member", w->actor()->member()));
        MOVN_ASSIGN_OR_RETURN(f.actor.os_user, text("actor.os_user", w->actor()->os_user()));
      }
      return host::PeerMessage(std::move(f));
    }
    case fb::Body::ForwardReply: {
      const auto* w = frame.body_as_ForwardReply();
      if (w == nullptr) break;
      host::ForwardReply r;
      MOVN_ASSIGN_OR_RETURN(r.from, member_id("from", w->from()));
      MOVN_ASSIGN_OR_RETURN(r.to, member_id("to", w->to()));
      r.ctx = w->ctx();
      r.ok = w->ok();
      r.index = LogIndex(w->index());
      r.duplicate = w->duplicate();
      MOVN_ASSIGN_OR_RETURN(r.code, error_code(w->code()));
      MOVN_ASSIGN_OR_RETURN(r.message, text("message", w->message()));
      return host::PeerMessage(std::move(r));
    }
    case fb::Body::ReadIndexAsk: {
      const auto* w = frame.body_as_ReadIndexAsk();
      if (w == nullptr) break;
      host::ReadIndexAsk a;
      MOVN_ASSIGN_OR_RETURN(a.from, member_id("from", w->from()));
      MOVN_ASSIGN_OR_RETURN(a.to, member_id("to", w->to()));
      a.ctx = w->ctx();
      return host::PeerMessage(a);
    }
    case fb::Body::ReadIndexReply: {
      const auto* w = frame.body_as_ReadIndexReply();
      if (w == nullptr) break;
      host::ReadIndexReply r;
      MOVN_ASSIGN_OR_RETURN(r.from, member_id("from", w->from()));
      MOVN_ASSIGN_OR_RETURN(r.to, member_id("to", w->to()));
      r.ctx = w->ctx();
      r.ok = w->ok();
      r.index = LogIndex(w->index());
      MOVN_ASSIGN_OR_RETURN(r.message, text("message", w->message()));
      if (const auto* ids = w->reachable()) {
        if (ids->size() > kMaxReachable) return bad("reachable lists " + std::to_string(ids->size()) + " members");
        // The verifier checks a vector's length prefix, not that its 8-byte elements are aligned:
        // each is copied out rather than read in place.
        for (std::uint32_t i = 0; i < ids->size(); ++i) {
          std::uint64_t id = 0;
          std::memcpy(&id, ids->Data() + i * sizeof id, sizeof id);
          MOVN_ASSIGN_OR_RETURN(auto member, member_id("reachable", flatbuffers::EndianScalar(id)));
          r.reachable.push_back(member);
        }
      }
      return host::PeerMessage(std::move(r));
    }
    case fb::Body::JoinAsk: {
      const auto* w = frame.body_as_JoinAsk();
      if (w == nullptr) break;
      host::JoinAsk a;
      MOVN_ASSIGN_OR_RETURN(a.from_address, address("from_address", w->from_address()));
      MOVN_ASSIGN_OR_RETURN(a.to_address, address("to_address", w->to_address()));
      a.ctx = w->ctx();
      MOVN_ASSIGN_OR_RETURN(a.request, decode_join(w->request()));
      MOVN_ASSIGN_OR_RETURN(a.request_id, text("request_id", w->request_id()));
      if (a.request_id.empty()) return bad("a join has no request id");
      return host::PeerMessage(std::move(a));
    }
    case fb::Body::JoinReply: {
      const auto* w = frame.body_as_JoinReply();
      if (w == nullptr) break;
      host::JoinReply r;
      MOVN_ASSIGN_OR_RETURN(r.from_address, address("from_address", w->from_address()));
      MOVN_ASSIGN_OR_RETURN(r.to_address, address("to_address", w->to_address()));
      r.ctx = w->ctx();
      r.ok = w->ok();
      r.raft_id = NodeId(w->raft_id());
      if (r.ok && r.raft_id.value == 0) return bad("a join was admitted without a member id");
      MOVN_ASSIGN_OR_RETURN(r.code, error_code(w->code()));
      MOVN_ASSIGN_OR_RETURN(r.message, text("message", w->message()));
      if (w->shared() != nullptr) {
        for (const fb::SharedSecret* s : *w->shared()) {
          if (s == nullptr) return bad("a shared secret is missing");
          MOVN_ASSIGN_OR_RETURN(auto name, text("shared secret name", s->name()));
          if (name.empty() || !r.shared.emplace(name, bytes(s->value())).second)
            return bad("shared secret names must be unique and not empty");
        }
      }
      return host::PeerMessage(std::move(r));
    }
    case fb::Body::RemovalNotice: {
      const auto* w = frame.body_as_RemovalNotice();
      if (w == nullptr) break;
      host::RemovalNotice n;
      MOVN_ASSIGN_OR_RETURN(n.from, member_id("from", w->from()));
      MOVN_ASSIGN_OR_RETURN(n.to, member_id("to", w->to()));
      return host::PeerMessage(n);
    }
    default: break;
  }
  return bad("the frame carries no message");
}

}  // namespace

std::string encode_peer_message(const host::PeerMessage& message) {
  FlatBufferBuilder b(256);
  auto [type, body] = encode_body(b, message);
  b.Finish(fb::CreateFrame(b, type, body), fb::FrameIdentifier());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<host::PeerMessage> decode_peer_message(std::string_view body) {
  if (body.size() > kMaxFrameBytes)
    return make_error(Errc::kTooLarge, "peer frame of " + std::to_string(body.size()) + " bytes is over the limit");
  if (body.size() < 8) return bad("too short");
  // FlatBuffers reads scalars in place: the buffer must be 8-byte aligned.
  std::vector<std::uint64_t> aligned;
  if (reinterpret_cast<std::uintptr_t>(body.data()) % alignof(std::uint64_t) != 0) {
    aligned.resize((body.size() + 7) / 8);
    std::memcpy(aligned.data(), body.data(), body.size());
    body = std::string_view(reinterpret_cast<const char*>(aligned.data()), body.size());
  }
  const auto* data = reinterpret_cast<const std::uint8_t*>(body.data());
  flatbuffers::Verifier verifier(data, body.size(), /*max_depth=*/16, /*max_tables=*/1'000'000);
  if (!fb::VerifyFrameBuffer(verifier)) return bad("does not verify");
  return decode_body(*fb::GetFrame(data));
}

std::string frame_header(std::size_t size) {
  std::string h(kFrameHeaderBytes, '\0');
  for (std::size_t i = 0; i < kFrameHeaderBytes; ++i) h[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  return h;
}

Result<std::size_t> parse_frame_header(std::string_view header) {
  if (header.size() != kFrameHeaderBytes) return bad("a length prefix is 4 bytes");
  std::size_t size = 0;
  for (std::size_t i = 0; i < kFrameHeaderBytes; ++i)
    size |= static_cast<std::size_t>(static_cast<unsigned char>(header[i])) << (8 * i);
  if (size == 0) return bad("an empty frame");
  if (size > kMaxFrameBytes)
    return make_error(Errc::kTooLarge, "peer frame of " + std::to_string(size) + " bytes is over the limit");
  return size;
}

}  // namespace movn::transport
