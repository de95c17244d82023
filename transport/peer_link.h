// PeerLinks: the member-to-member links, Boost.Asio over OpenSSL mutual TLS (1.2 at least, 1.3
// preferred), carrying peer frames (transport/peer_frame.h). Both ends present their member
// certificate (pki/identity.h); a certificate is known by its SHA-256 fingerprint, and the
// owner decides which fingerprints it trusts (the membership projection in microovnd).
//   - Outbound: one link per address, dialled on the first send, with the server's fingerprint
//     pinned. Each has a send queue bounded in bytes (a full queue drops the message and counts
//     it: the host loop retries what matters), and a link that fails is dialled again after a
//     backoff that doubles up to a cap, with jitter, while it has something to send. A slow or
//     dead peer holds up only its own queue.
//   - Inbound: any client certificate completes the handshake (a joiner has one the cluster does
//     not know yet), and each frame is handed to `deliver` with the client's fingerprint and
//     whether it is trusted; `deliver` returning false closes the link. A frame that fails to
//     decode closes its link and is counted; it never reaches the host loop.
//   - A reply to a join goes back on the link that carried the join (routes by the joiner's
//     address), so a member never dials an address it does not trust for it.
// Runs on the io_context it is given (microovnd's core thread); not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include <utility>  // before Asio (docs/design.md §5)
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/result.h"
#include "host/peer_message.h"

namespace movn::transport {

struct PeerLinkOptions {
  std::string listen_address;  // "ip:port"; port 0 picks a free one (tests)
  std::string cert_pem;        // this member's certificate
  std::string key_pem;         // and its private key
  std::size_t max_queue_bytes = 64 << 20;  // per outbound link
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds handshake_timeout{5000};
  // Inbound links: at most this many open at once (more are closed at once), and each is closed
  // after this long without a frame.
  std::size_t max_inbound_links = 256;
  std::chrono::milliseconds idle_timeout{30'000};
};

struct PeerLinkStats {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bad_frames = 0;          // did not decode: the link was closed
  std::uint64_t refused = 0;             // handshakes that failed or timed out, links `deliver` closed
  std::uint64_t dropped = 0;             // sends dropped: the link's queue was full
  std::uint64_t dials = 0;               // outbound connection attempts
  std::uint64_t wrong_fingerprint = 0;   // servers whose certificate was not the pinned one
  std::uint64_t idle_closed = 0;         // inbound links closed for carrying nothing
};

class PeerLinks {
 public:
  // `trusted(fingerprint)`: is this a member's certificate. `deliver(message, fingerprint,
  // trusted)`: an inbound frame; false closes its link.
  using Trusted = std::function<bool(const std::string& fingerprint)>;
  using Deliver = std::function<bool(host::PeerMessage message, const std::string& fingerprint, bool trusted)>;

  PeerLinks(boost::asio::io_context& io, PeerLinkOptions options, Trusted trusted, Deliver deliver);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  // Loads the certificate and key and listens. Errors: a bad certificate or key, an address
  // that does not parse, or one that cannot be bound.
  Result<void> start();
  // The address it listens on (with the port picked, when 0 was asked).
  const std::string& address() const { return address_; }
  // Queues `message` for the member at `address` whose certificate has `fingerprint`. Never
  // blocks; drops (and counts) when that link's queue is full. A JoinReply goes back on the
  // link its join came in on when that link is still open.
  void send(const std::string& address, const std::string& fingerprint, const host::PeerMessage& message);
  // Closes every link and the listener; nothing is delivered afterwards.
  void stop();
  // Why the last link dialled to `address` failed (cannot connect, handshake, wrong certificate);
  // empty if none failed since one last opened.
  std::string last_failure(const std::string& address) const;

  const PeerLinkStats& stats() const { return stats_; }
  // Fingerprint of a PEM certificate (SHA-256 of its DER, 64 lowercase hex), as links report it.
  static Result<std::string> fingerprint(std::string_view cert_pem);

  struct Link;
  struct Outbound;

 private:
  friend struct Link;
  void accept();
  void dial(Outbound& out);
  void schedule_redial(Outbound& out);
  void flush(Outbound& out);
  void on_inbound_frame(const std::shared_ptr<Link>& link, host::PeerMessage message);

  boost::asio::io_context& io_;
  PeerLinkOptions options_;
  Trusted trusted_;
  Deliver deliver_;
  boost::asio::ssl::context server_ctx_;
  boost::asio::ssl::context client_ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string address_;
  std::map<std::string, std::unique_ptr<Outbound>> outbound_;  // by address
  std::map<std::string, std::weak_ptr<Link>> join_routes_;     // joiner's address -> its link
  std::vector<std::weak_ptr<Link>> inbound_;
  std::mt19937_64 jitter_;
  PeerLinkStats stats_;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace movn::transport
