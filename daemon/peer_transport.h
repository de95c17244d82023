// MemberTransport: microovnd's host::Transport over the peer links (transport/peer_link.h). It
// addresses members through the membership projection (Raft id -> address and certificate
// fingerprint), trusts exactly the fingerprints of current members (and, while this member joins,
// those its token pins), and hands the Node only what a peer may send: a member's messages
// under its own Raft id, and from a stranger nothing but a join. Core thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/node.h"
#include "transport/peer_link.h"

namespace movn::daemon {

class MemberTransport final : public host::Transport {
 public:
  MemberTransport(boost::asio::io_context& io, transport::PeerLinkOptions options);
  // The Node it delivers to and reads the membership of (before start()).
  void attach(host::Node& node) { node_ = &node; }
  Result<void> start() { return links_.start(); }
  const std::string& address() const { return links_.address(); }
  // While this member joins: the members its token names, address -> certificate fingerprint.
  void expect_join(std::map<std::string, std::string> pins) { join_pins_ = std::move(pins); }

  void send(host::PeerMessage message) override;

  struct Stats {
    std::uint64_t unknown_destination = 0;  // no address known for the Raft id: dropped
    std::uint64_t refused = 0;              // frames refused: a stranger's, or under another's id
  };
  const Stats& stats() const { return stats_; }
  const transport::PeerLinks& links() const { return links_; }

 private:
  struct Endpoint {
    std::string address;
    std::string fingerprint;
  };
  std::optional<Endpoint> endpoint_of(NodeId id);
  bool trusted(const std::string& fingerprint) const;
  bool deliver(host::PeerMessage message, const std::string& fingerprint, bool trusted);

  host::Node* node_ = nullptr;
  transport::PeerLinks links_;
  std::map<std::string, std::string> join_pins_;        // address -> fingerprint
  std::map<std::string, std::string> joiner_pins_;      // a joiner's address -> its certificate's
  std::map<std::uint64_t, Endpoint> known_;             // Raft id -> last endpoint seen (removed members)
  Stats stats_;
};

}  // namespace movn::daemon
