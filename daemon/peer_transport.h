// MemberTransport: microovnd's host::Transport over the peer links (transport/peer_link.h). It
// addresses members through the membership projection (Raft id -> address and certificate
// fingerprint), trusts exactly the fingerprints of current members (and, while this member joins,
// those its token pins), and hands the Node only what a peer may send: a member's messages
// under its own Raft id, and from a stranger nothing but a join. It listens only once this member
// has an address and an identity (listen()), and stops when the member leaves its cluster.
// Core thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/node.h"
#include "transport/peer_link.h"

namespace movn::daemon {

class MemberTransport final : public host::Transport {
 public:
  // `tuning`: queue bounds, backoff and timeouts; the address and identity come with listen().
  MemberTransport(boost::asio::io_context& io, transport::PeerLinkOptions tuning = {});
  // The Node it delivers to and reads the membership of (before start()).
  void attach(host::Node& node) { node_ = &node; }
  // Listens at `address` ("ip:port") presenting `cert_pem` and `key_pem`, replacing the links of
  // an earlier listen(). Errors: as PeerLinks::start (an address that cannot be bound, a key
  // that does not load).
  Result<void> listen(const std::string& address, std::string cert_pem, std::string key_pem);
  // Closes every link; messages sent afterwards are dropped (and counted).
  void stop();
  bool listening() const { return links_ != nullptr; }
  const std::string& address() const;
  // While this member joins: the members its token names, address -> certificate fingerprint.
  void expect_join(std::map<std::string, std::string> pins) { join_pins_ = std::move(pins); }
  // Why the last link to `address` failed (empty when none did).
  std::string last_failure(const std::string& address) const;
  // Members (by Raft id) this member received a frame from within `window`.
  bool heard_from(NodeId id, std::chrono::milliseconds window) const;

  void send(host::PeerMessage message) override;

  struct Stats {
    std::uint64_t unknown_destination = 0;  // no address known for the Raft id: dropped
    std::uint64_t refused = 0;              // frames refused: a stranger's, or under another's id
    std::uint64_t not_listening = 0;        // sent before listen() or after stop(): dropped
  };
  const Stats& stats() const { return stats_; }
  transport::PeerLinkStats link_stats() const { return links_ ? links_->stats() : transport::PeerLinkStats{}; }

 private:
  struct Endpoint {
    std::string address;
    std::string fingerprint;
  };
  std::optional<Endpoint> endpoint_of(NodeId id);
  bool trusted(const std::string& fingerprint) const;
  bool in_raft_configuration(NodeId id) const;
  bool deliver(host::PeerMessage message, const std::string& fingerprint, bool trusted);

  boost::asio::io_context& io_;
  transport::PeerLinkOptions tuning_;
  host::Node* node_ = nullptr;
  std::unique_ptr<transport::PeerLinks> links_;
  std::map<std::string, std::string> join_pins_;        // address -> fingerprint
  std::map<std::string, std::string> joiner_pins_;      // a joiner's address -> its certificate's
  std::map<std::uint64_t, Endpoint> known_;             // Raft id -> last endpoint seen (removed members)
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> last_heard_;  // Raft id -> last frame
  Stats stats_;
};

}  // namespace movn::daemon
