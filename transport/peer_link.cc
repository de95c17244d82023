#include "transport/peer_link.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "common/sha256.h"
#include "transport/peer_frame.h"

namespace movn::transport {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

std::string fingerprint_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  return to_hex(std::span<const std::uint8_t>(md, n));
}

// "ip:port" or "[ipv6]:port" (commands::normalize_address's form).
Result<tcp::endpoint> endpoint_of(const std::string& address) {
  std::string host, port;
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':')
      return make_error(Errc::kInvalidArgument, "not an address: " + address);
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return make_error(Errc::kInvalidArgument, "not an address: " + address);
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return make_error(Errc::kInvalidArgument, "not an address: " + address);
  return tcp::endpoint(ip, static_cast<std::uint16_t>(std::stoul(port)));
}

std::string address_of(const tcp::endpoint& e) {
  const std::string ip = e.address().to_string();
  return (e.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(e.port());
}

Result<void> configure(ssl::context& ctx, const PeerLinkOptions& o, bool server) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx.use_certificate_chain(asio::buffer(o.cert_pem), ec);
  if (ec) return make_error(Errc::kInvalidArgument, "peer links: the member certificate does not load: " + ec.message());
  ctx.use_private_key(asio::buffer(o.key_pem), ssl::context::pem, ec);
  if (ec) return make_error(Errc::kInvalidArgument, "peer links: the member key does not load: " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return make_error(Errc::kInvalidArgument, "peer links: the member key does not match its certificate");
  // Member certificates are self-signed: the chain is not what is checked, the fingerprint is
  // (after the handshake). A certificate is still required of both ends.
  ctx.set_verify_mode(ssl::verify_peer | (server ? ssl::verify_fail_if_no_peer_cert : 0));
  ctx.set_verify_callback([](bool, ssl::verify_context&) { return true; });
  return {};
}

}  // namespace

struct PeerLinks::Outbound {
  explicit Outbound(asio::io_context& io) : timer(io) {}
  std::string address;
  std::string fingerprint;  // pinned
  std::deque<std::string> pending;  // frames waiting for a link
  std::size_t pending_bytes = 0;
  std::shared_ptr<Link> link;
  bool dialing = false;
  bool waiting = false;  // a redial is scheduled
  int failures = 0;
  std::string last_error;  // why the last link failed (empty once one opened)
  asio::steady_timer timer;
};

struct PeerLinks::Link : std::enable_shared_from_this<Link> {
  Link(PeerLinks& o, ssl::context& ctx, tcp::socket socket)
      : owner(o), alive(o.alive_), stream(std::move(socket), ctx), timer(o.io_) {}

  PeerLinks& owner;
  std::weak_ptr<bool> alive;
  ssl::stream<tcp::socket> stream;
  asio::steady_timer timer;
  Outbound* out = nullptr;  // the outbound record of a dialled link
  bool open = false, closed = false, writing = false;
  std::string fingerprint;
  std::array<char, kFrameHeaderBytes> header{};
  std::string body;
  std::deque<std::string> queue;
  std::size_t queued_bytes = 0;  // queued and being written
  // The frames being written, together: one TLS write (and one send) for every frame queued while
  // the previous write ran, instead of one each.
  std::string out_frames;
  std::size_t out_count = 0;
  static constexpr std::size_t kMaxWriteBytes = 256 << 10;

  bool gone() const {
    auto a = alive.lock();
    return !a || !*a;
  }

  // Why a dialled link failed, for its outbound record (what a join reports per address).
  void failed(std::string why) {
    if (out != nullptr) out->last_error = std::move(why);
  }

  // An inbound link that carries nothing for idle_timeout is closed (a member's links carry
  // heartbeats many times a second; a stranger's link has no reason to stay open).
  void arm_idle() {
    if (out != nullptr) return;
    timer.expires_after(owner.options_.idle_timeout);
    auto self = shared_from_this();
    timer.async_wait([self](boost::system::error_code ec) {
      if (ec || self->closed || self->gone()) return;
      ++self->owner.stats_.idle_closed;
      self->close();
    });
  }

  void handshake(ssl::stream_base::handshake_type type, std::function<void()> on_open) {
    auto self = shared_from_this();
    // Frames are small and each waits for an answer: Nagle's algorithm would hold one back until
    // the previous one is acknowledged, and with delayed acknowledgements that is up to 40 ms.
    boost::system::error_code nodelay_ignored;
    stream.lowest_layer().set_option(tcp::no_delay(true), nodelay_ignored);
    timer.expires_after(owner.options_.handshake_timeout);
    timer.async_wait([self](boost::system::error_code ec) {
      if (ec || self->open || self->closed || self->gone()) return;
      ++self->owner.stats_.refused;  // the handshake took too long
      self->failed("the TLS handshake did not complete in time");
      self->close();
    });
    stream.async_handshake(type, [self, on_open = std::move(on_open)](boost::system::error_code ec) {
      self->timer.cancel();
      if (self->gone() || self->closed) return;
      if (ec) {
        ++self->owner.stats_.refused;
        self->failed("the TLS handshake failed: " + ec.message());
        self->close();
        return;
      }
      X509* cert = SSL_get1_peer_certificate(self->stream.native_handle());
      self->fingerprint = fingerprint_of(cert);
      X509_free(cert);
      if (self->fingerprint.empty()) {
        ++self->owner.stats_.refused;
        self->close();
        return;
      }
      self->open = true;
      on_open();
      if (self->closed) return;
      self->arm_idle();
      self->read_header();
      self->write_next();
    });
  }

  void read_header() {
    auto self = shared_from_this();
    asio::async_read(stream, asio::buffer(header), [self](boost::system::error_code ec, std::size_t) {
      if (self->gone() || self->closed) return;
      if (ec) return self->close();
      auto size = parse_frame_header(std::string_view(self->header.data(), self->header.size()));
      if (!size.ok()) {
        ++self->owner.stats_.bad_frames;
        return self->close();
      }
      self->body.resize(*size);
      asio::async_read(self->stream, asio::buffer(self->body), [self](boost::system::error_code ec2, std::size_t) {
        if (self->gone() || self->closed) return;
        if (ec2) return self->close();
        auto message = decode_peer_message(self->body);
        if (!message.ok()) {
          ++self->owner.stats_.bad_frames;
          return self->close();
        }
        ++self->owner.stats_.frames_received;
        self->arm_idle();
        self->owner.on_inbound_frame(self, std::move(*message));
        if (!self->closed) self->read_header();
      });
    });
  }

  void enqueue(std::string frame) {
    queued_bytes += frame.size();
    queue.push_back(std::move(frame));
    write_next();
  }

  void write_next() {
    if (!open || closed || writing || queue.empty()) return;
    writing = true;
    out_frames.clear();
    out_count = 0;
    if (queue.size() == 1) {
      out_frames = std::move(queue.front());
      queue.pop_front();
      out_count = 1;
    }
    while (!queue.empty() && (out_frames.empty() || out_frames.size() + queue.front().size() <= kMaxWriteBytes)) {
      out_frames += queue.front();
      queue.pop_front();
      ++out_count;
    }
    auto self = shared_from_this();
    asio::async_write(stream, asio::buffer(out_frames), [self](boost::system::error_code ec, std::size_t) {
      self->writing = false;
      if (self->gone() || self->closed) return;
      if (ec) return self->close();
      self->queued_bytes -= self->out_frames.size();
      self->owner.stats_.frames_sent += self->out_count;
      self->out_frames.clear();
      self->write_next();
    });
  }

  void close() {
    if (closed) return;
    closed = true;
    open = false;
    boost::system::error_code ignored;
    timer.cancel();
    stream.lowest_layer().close(ignored);
    if (gone() || out == nullptr) return;
    // What this link had not written goes back to its outbound record, for the next link.
    Outbound& o = *out;
    out = nullptr;
    if (o.link.get() == this) o.link.reset();
    if (writing) {  // the frames being written may or may not have left
      queued_bytes -= out_frames.size();
      out_frames.clear();
    }
    while (!queue.empty()) {
      o.pending_bytes += queue.back().size();
      o.pending.push_front(std::move(queue.back()));
      queue.pop_back();
    }
    queued_bytes = 0;
    owner.schedule_redial(o);
  }
};

PeerLinks::PeerLinks(asio::io_context& io, PeerLinkOptions options, Trusted trusted, Deliver deliver)
    : io_(io),
      options_(std::move(options)),
      trusted_(std::move(trusted)),
      deliver_(std::move(deliver)),
      server_ctx_(ssl::context::tls_server),
      client_ctx_(ssl::context::tls_client),
      acceptor_(io),
      jitter_(std::random_device{}()) {}

PeerLinks::~PeerLinks() { stop(); }

Result<std::string> PeerLinks::fingerprint(std::string_view cert_pem) {
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  std::string fp = fingerprint_of(cert);
  X509_free(cert);
  if (fp.empty()) return make_error(Errc::kInvalidArgument, "not a PEM certificate");
  return fp;
}

Result<void> PeerLinks::start() {
  MOVN_TRY(configure(server_ctx_, options_, true));
  MOVN_TRY(configure(client_ctx_, options_, false));
  MOVN_ASSIGN_OR_RETURN(auto endpoint, endpoint_of(options_.listen_address));
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(Errc::kUnavailable, "peer links: cannot listen on " + options_.listen_address + ": " + ec.message());
  address_ = address_of(acceptor_.local_endpoint());
  accept();
  return {};
}

void PeerLinks::accept() {
  acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec, tcp::socket socket) {
    auto a = alive.lock();
    if (!a || !*a) return;
    if (!ec) {
      std::erase_if(inbound_, [](const std::weak_ptr<Link>& l) { return l.expired(); });
      if (inbound_.size() >= options_.max_inbound_links) {
        // Too many links in: this one is closed at once (members redial; strangers wait).
        ++stats_.refused;
        boost::system::error_code ignored;
        socket.close(ignored);
        if (acceptor_.is_open()) accept();
        return;
      }
      auto link = std::make_shared<Link>(*this, server_ctx_, std::move(socket));
      inbound_.push_back(link);
      link->handshake(ssl::stream_base::server, [] {});
    }
    if (acceptor_.is_open()) accept();
  });
}

void PeerLinks::on_inbound_frame(const std::shared_ptr<Link>& link, host::PeerMessage message) {
  if (const auto* ask = std::get_if<host::JoinAsk>(&message)) join_routes_[ask->from_address] = link;
  // Trust is asked at every frame: a member removed meanwhile is no longer trusted.
  if (!deliver_(std::move(message), link->fingerprint, trusted_(link->fingerprint))) {
    ++stats_.refused;
    link->close();
  }
}

void PeerLinks::send(const std::string& address, const std::string& fingerprint, const host::PeerMessage& message) {
  if (stopped_) return;
  const std::string body = encode_peer_message(message);
  std::string frame = frame_header(body.size()) + body;
  if (const auto* reply = std::get_if<host::JoinReply>(&message)) {
    auto it = join_routes_.find(reply->to_address);
    if (it != join_routes_.end()) {
      if (auto link = it->second.lock(); link && link->open) {
        link->enqueue(std::move(frame));
        return;
      }
      join_routes_.erase(it);
    }
  }
  auto& slot = outbound_[address];
  if (!slot) {
    slot = std::make_unique<Outbound>(io_);
    slot->address = address;
  }
  Outbound& out = *slot;
  if (out.fingerprint != fingerprint) {
    out.fingerprint = fingerprint;  // a new pin: a link to the old certificate is not used
    if (out.link) out.link->close();
  }
  const std::size_t queued = out.pending_bytes + (out.link ? out.link->queued_bytes : 0);
  if (queued + frame.size() > options_.max_queue_bytes) {
    ++stats_.dropped;
    return;
  }
  if (out.link && out.link->open) {
    out.link->enqueue(std::move(frame));
    return;
  }
  out.pending_bytes += frame.size();
  out.pending.push_back(std::move(frame));
  if (!out.link && !out.dialing && !out.waiting) dial(out);
}

void PeerLinks::flush(Outbound& out) {
  while (!out.pending.empty()) {
    out.pending_bytes -= out.pending.front().size();
    out.link->enqueue(std::move(out.pending.front()));
    out.pending.pop_front();
  }
}

void PeerLinks::dial(Outbound& out) {
  auto endpoint = endpoint_of(out.address);
  if (!endpoint.ok()) {  // nothing to dial: what was queued for it is dropped
    out.last_error = endpoint.error().message;
    stats_.dropped += out.pending.size();
    out.pending.clear();
    out.pending_bytes = 0;
    return;
  }
  ++stats_.dials;
  out.dialing = true;
  auto link = std::make_shared<Link>(*this, client_ctx_, tcp::socket(io_));
  link->out = &out;
  out.link = link;
  link->stream.lowest_layer().async_connect(*endpoint, [this, link, &out](boost::system::error_code ec) {
    if (link->gone() || link->closed) return;
    out.dialing = false;
    if (ec) {
      link->failed("cannot connect: " + ec.message());
      return link->close();
    }
    link->handshake(ssl::stream_base::client, [this, link, &out] {
      if (link->fingerprint != out.fingerprint) {
        ++stats_.wrong_fingerprint;
        link->failed("its certificate (fingerprint " + link->fingerprint + ") is not the pinned one (" +
                     out.fingerprint + ")");
        link->close();
        return;
      }
      out.failures = 0;
      out.last_error.clear();
      flush(out);
    });
  });
}

void PeerLinks::schedule_redial(Outbound& out) {
  out.dialing = false;
  if (stopped_ || out.pending.empty() || out.waiting) return;
  // Backoff: min * 2^failures up to max, then a random 50-100% of it, so members that lost each
  // other do not redial in step.
  const int shift = std::min(out.failures++, 16);
  const std::chrono::milliseconds delay =
      std::min<std::chrono::milliseconds>(options_.reconnect_max, options_.reconnect_min * (std::int64_t{1} << shift));
  std::uniform_int_distribution<long long> pick(delay.count() / 2, delay.count());
  out.waiting = true;
  out.timer.expires_after(std::chrono::milliseconds(pick(jitter_)));
  out.timer.async_wait([this, &out, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
    auto a = alive.lock();
    if (!a || !*a) return;
    out.waiting = false;
    if (ec || out.link || out.pending.empty()) return;
    dial(out);
  });
}

std::string PeerLinks::last_failure(const std::string& address) const {
  auto it = outbound_.find(address);
  return it == outbound_.end() ? std::string() : it->second->last_error;
}

void PeerLinks::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  std::vector<std::shared_ptr<Link>> links;
  for (auto& [address, out] : outbound_) {
    out->timer.cancel();
    if (out->link) links.push_back(out->link);
  }
  for (auto& weak : inbound_) {
    if (auto l = weak.lock()) links.push_back(l);
  }
  *alive_ = false;  // handlers still queued see it and touch nothing of this
  for (auto& l : links) l->close();
}

}  // namespace movn::transport
