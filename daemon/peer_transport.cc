#include "daemon/peer_transport.h"

namespace movn::daemon {

MemberTransport::MemberTransport(boost::asio::io_context& io, transport::PeerLinkOptions tuning)
    : io_(io), tuning_(std::move(tuning)) {}

Result<void> MemberTransport::listen(const std::string& address, std::string cert_pem, std::string key_pem) {
  stop();
  transport::PeerLinkOptions o = tuning_;
  o.listen_address = address;
  o.cert_pem = std::move(cert_pem);
  o.key_pem = std::move(key_pem);
  auto links = std::make_unique<transport::PeerLinks>(
      io_, std::move(o), [this](const std::string& fp) { return trusted(fp); },
      [this](host::PeerMessage m, const std::string& fp, bool t) { return deliver(std::move(m), fp, t); });
  MOVN_TRY(links->start());
  links_ = std::move(links);
  return {};
}

void MemberTransport::stop() {
  if (links_) links_->stop();
  links_.reset();
  join_pins_.clear();
  joiner_pins_.clear();
  known_.clear();
  last_heard_.clear();
}

const std::string& MemberTransport::address() const {
  static const std::string kNone;
  return links_ ? links_->address() : kNone;
}

std::string MemberTransport::last_failure(const std::string& address) const {
  return links_ ? links_->last_failure(address) : std::string("this member does not listen for peers");
}

bool MemberTransport::heard_from(NodeId id, std::chrono::milliseconds window) const {
  auto it = last_heard_.find(id.value);
  return it != last_heard_.end() && std::chrono::steady_clock::now() - it->second <= window;
}

bool MemberTransport::in_raft_configuration(NodeId id) const {
  const raft::Core* core = node_ != nullptr ? node_->raft() : nullptr;
  return core != nullptr &&
         (core->configuration().contains(id) || core->committed_configuration().configuration.contains(id));
}

bool MemberTransport::trusted(const std::string& fingerprint) const {
  if (node_ == nullptr) return false;
  const auto& ms = node_->applied().membership();
  for (const auto& [name, m] : ms.members()) {
    if (m.fingerprint == fingerprint) return true;
  }
  // A removed member stays a Raft member until the configuration without it is in effect (a
  // leader that is being removed replicates that very change): trusted until then.
  for (const auto& [id, name] : ms.removed()) {
    const auto* gone = ms.removed_member(id);
    if (gone != nullptr && gone->fingerprint == fingerprint && in_raft_configuration(id)) return true;
  }
  for (const auto& [address, fp] : join_pins_) {
    if (fp == fingerprint) return true;
  }
  return false;
}

std::optional<MemberTransport::Endpoint> MemberTransport::endpoint_of(NodeId id) {
  if (node_ != nullptr) {
    const auto& ms = node_->applied().membership();
    const auto* m = ms.find(id);
    if (m == nullptr) m = ms.removed_member(id);  // its removal notice goes to where it was
    if (m != nullptr) {
      Endpoint e{m->address, m->fingerprint};
      known_[id.value] = e;
      return e;
    }
  }
  // Not in the projection (this member's log is behind): where it was last seen.
  if (auto it = known_.find(id.value); it != known_.end()) return it->second;
  return std::nullopt;
}

void MemberTransport::send(host::PeerMessage message) {
  if (!links_) {
    ++stats_.not_listening;
    return;
  }
  // Join messages go by address, to the certificate pinned for it.
  auto pinned = [&](const std::map<std::string, std::string>& pins, const std::string& address) {
    if (auto pin = pins.find(address); pin != pins.end()) {
      links_->send(address, pin->second, message);
    } else {
      ++stats_.unknown_destination;
    }
  };
  if (const auto* ask = std::get_if<host::JoinAsk>(&message)) return pinned(join_pins_, ask->to_address);
  if (const auto* reply = std::get_if<host::JoinReply>(&message)) return pinned(joiner_pins_, reply->to_address);
  auto to = endpoint_of(host::receiver(message));
  if (!to) {
    ++stats_.unknown_destination;
    return;
  }
  if (std::holds_alternative<host::RemovalNotice>(message) && node_ != nullptr) {
    // A removed member whose address a current member now has (it joined again there, with a
    // new certificate) is gone: its notice would only unpin that member's link.
    for (const auto& [name, m] : node_->applied().membership().members()) {
      if (m.address == to->address && m.fingerprint != to->fingerprint) {
        ++stats_.unknown_destination;
        return;
      }
    }
  }
  links_->send(to->address, to->fingerprint, message);
}

bool MemberTransport::deliver(host::PeerMessage message, const std::string& fingerprint, bool is_trusted) {
  if (node_ == nullptr) return false;
  if (const auto* ask = std::get_if<host::JoinAsk>(&message)) {
    // Anyone may ask to join: the token in it is checked when the join is decided. The answer
    // goes to the certificate that asked.
    if (ask->request.fingerprint != fingerprint) {
      ++stats_.refused;
      return false;
    }
    joiner_pins_[ask->from_address] = fingerprint;
    node_->receive(std::move(message));
    return true;
  }
  if (!is_trusted) {
    ++stats_.refused;
    return false;
  }
  // A member speaks under its own Raft id only (a join reply has none: it comes from a pinned
  // member the joiner dialled).
  const NodeId from = host::sender(message);
  if (from != raft::kNoNode) {
    const auto& ms = node_->applied().membership();
    const auto* m = ms.find(from);
    if (m == nullptr && in_raft_configuration(from)) m = ms.removed_member(from);
    if (m == nullptr || m->fingerprint != fingerprint) {
      // Not (yet) in this member's projection: a joiner that has not received the log yet
      // learns the leader's id only from what the leader sends. Accept a sender whose
      // certificate the join pinned.
      // It is answered at the address its certificate was pinned for.
      bool pinned = false;
      for (const auto& [address, fp] : join_pins_) {
        if (fp != fingerprint) continue;
        pinned = true;
        known_[from.value] = Endpoint{address, fp};
      }
      if (!pinned) {
        ++stats_.refused;
        return false;
      }
    }
  }
  if (from != raft::kNoNode) last_heard_[from.value] = std::chrono::steady_clock::now();
  node_->receive(std::move(message));
  return true;
}

}  // namespace movn::daemon
