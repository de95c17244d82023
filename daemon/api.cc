#include "daemon/api.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands/join_token.h"
#include "commands/validate.h"
#include "common/time.h"
#include "daemon/api_call.h"
#include "daemon/api_request.h"
#include "daemon/certificate_reconciler.h"
#include "daemon/member_info.h"
#include "daemon/service_reconciler.h"
#include "eventlog/codec.h"
#include "eventlog/event_json.h"
#include "pki/cluster_ca.h"
#include "pki/files.h"
#include "pki/random.h"
#include "pki/seal.h"
#include "pki/secret_key.h"
#include "pki/service_files.h"
#include "transport/envelope.h"

namespace movn::daemon {
namespace {
using nlohmann::json;
using nlohmann::ordered_json;
using transport::HttpResponse;

Error bad_request(std::string msg) { return make_error(Errc::kInvalidArgument, std::move(msg)); }

Result<std::string> render_events(const eventlog::Store& store, std::uint64_t since, std::uint64_t hi,
                                  const std::string& type, const std::string& member) {
  auto arr = ordered_json::array();
  constexpr std::uint64_t kChunk = 4096;
  for (std::uint64_t lo = since; lo < hi; lo += kChunk) {
    std::uint64_t end = std::min(hi, lo + kChunk);
    auto chunk = store.entries(LogIndex(lo), LogIndex(end));
    if (!chunk.ok()) return std::move(chunk).error().wrap("failed to read events");
    for (const auto& e : *chunk) {
      if (e.type != eventlog::EntryType::kEventBatch) continue;
      auto batch = eventlog::decode_batch(e.data);
      if (!batch.ok())
        return std::move(batch).error().wrap("failed to read entry " + std::to_string(e.index.value));
      std::string time = format_rfc3339(batch->cluster_time.value, true);
      std::string actor = eventlog::actor_string(batch->actor);
      for (const auto& ev : batch->events) {
        if (!type.empty() && events::type_name(ev) != type) continue;
        if (!member.empty()) {
          auto about = events::member_of(ev);
          if (!about || *about != member) continue;
        }
        arr.push_back(ordered_json{{"index", e.index.value},
                                   {"term", e.term.value},
                                   {"time", time},
                                   {"type", events::type_name(ev)},
                                   {"actor", actor},
                                   {"request_id", batch->request_id},
                                   {"summary", eventlog::event_summary(ev)},
                                   {"event", eventlog::event_to_json(ev)}});
      }
    }
  }
  return transport::sync_envelope(arr);
}
struct FoundersPki {
  std::string cluster_key;
  events::CaCertificate ca;
  std::vector<events::CertificateIssued> certificates;
};

// The founder's PKI (runs on the effects thread): the cluster key (the one in identity/ if there
// is one, else a new one stored there, 0600), a new CA sealed under it, and the founder's service
// certificates issued from it (written to data/pki).
Result<FoundersPki> make_founders_pki(const std::filesystem::path& state_dir, const std::string& name,
                                      std::string cluster_key) {
  FoundersPki out;
  if (cluster_key.empty()) {
    const auto file = state_dir / "identity" / pki::kClusterKeyFile;
    auto existing = pki::load_cluster_key(file);
    if (!existing.ok()) return std::move(existing).error().wrap("failed to make the cluster key");
    if (!*existing) {
      MOVN_ASSIGN_OR_RETURN(std::string key, pki::random_bytes(pki::kSecretKeyBytes));
      MOVN_TRY(pki::store_cluster_key(file, key).wrap_error("failed to make the cluster key"));
      *existing = std::move(key);
    }
    cluster_key = std::move(**existing);
  }
  out.cluster_key = std::move(cluster_key);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  MOVN_ASSIGN_OR_RETURN(std::string serial, pki::random_serial());
  auto ca = pki::make_ca(now, std::move(serial));
  if (!ca.ok()) return std::move(ca).error().wrap("failed to make the cluster CA");
  auto wipe = [&] { pki::wipe(ca->key_pem); };
  auto sealed = pki::seal_ca(*ca, out.cluster_key);
  if (!sealed.ok()) {
    wipe();
    return std::move(sealed).error().wrap("failed to seal the cluster CA");
  }
  const auto dir = member_data_dir(state_dir) / "pki";
  if (auto w = pki::write_ca_file(dir, ca->cert_pem); !w.ok()) {
    wipe();
    return std::move(w).error().wrap("failed to write the CA certificate for OVN");
  }
  for (std::string_view service : commands::kCertificateServices) {
    auto issued = pki::issue_service_files(dir, name, service, ca->cert_pem, ca->key_pem, now);
    if (!issued.ok()) {
      wipe();
      return std::move(issued).error().wrap("failed to issue the " + std::string(service) + " certificate");
    }
    const auto& info = issued->info;
    out.certificates.push_back(events::CertificateIssued{
        name, std::string(service), issued->cert_pem, info.serial_hex, info.fingerprint_hex,
        static_cast<std::uint64_t>(info.not_before_unix_s) * 1000, static_cast<std::uint64_t>(info.not_after_unix_s) * 1000,
        sealed->fingerprint});
  }
  wipe();
  out.ca = std::move(sealed).value();
  return out;
}
}  // namespace

Api::Api(Node& node, StorageWorker& storage, MemberContext& member, MemberTransport& peers, host::Effects& effects)
    : node_(node), storage_(storage), member_(member), peers_(peers), effects_(effects) {}

Result<void> Api::listen_for_peers(const std::string& address) {
  MOVN_ASSIGN_OR_RETURN(auto key, pki::read_file(member_.state_dir / "identity" / pki::kIdentityKeyFile, 64 * 1024, 0600));
  auto r = peers_.listen(address, member_.identity.cert_pem, std::move(key));
  if (!r.ok()) return std::move(r).error();
  spdlog::info("listening for peers on {} as {}", peers_.address(), member_.identity.fingerprint_hex);
  return {};
}

Error Api::explain(Error e) const {
  const raft::Core* core = node_.raft();
  if (core == nullptr) return e;
  const auto voters = core->configuration().voters();
  if (voters.size() <= 1) return e;
  // A member hears from the leader, and during an election from every voter it can reach, so
  // within two election timeouts this counts who is really there.
  const auto window = std::chrono::milliseconds(2 * Node::kElectionTicks * Node::kTickMs);
  std::size_t reached = 0;
  for (NodeId v : voters) reached += (v == node_.self() || peers_.heard_from(v, window)) ? 1 : 0;
  e.message += " (this member reaches " + std::to_string(reached) + " of " + std::to_string(voters.size()) +
               " voters; a quorum is " + std::to_string(voters.size() / 2 + 1) + ")";
  return e;
}

void Api::handle(transport::HttpRequest req, transport::Responder respond) {
  auto call = std::make_shared<Call>();
  call->req = std::move(req);
  call->respond = std::move(respond);
  auto parsed = parse_request(call->req);
  if (!parsed.ok()) {
    call->fail(parsed.error());
    return;
  }
  call->path = std::move(parsed->path);
  call->query = std::move(parsed->query);
  call->request_id = parsed->request_id ? *parsed->request_id : pki::random_hex(16);
  call->actor = events::Actor{member_.name, call->req.peer.user};
  call->explain = [this](Error e) { return explain(std::move(e)); };
  try {
    route(*call);
  } catch (const std::exception& ex) {
    // A library exception is a bug here, not a reason to stop serving: answer 500 and go on.
    call->fail(make_error(Errc::kInternal, std::string("internal error: ") + ex.what()));
  }
  // Handlers that finish later hold their own reference through their callbacks.
  (void)call;
}

void Api::route(Call& c) {
  const auto& p = c.path;
  const auto& m = c.req.method;
  auto is = [&](std::initializer_list<std::string_view> parts) {
    if (p.size() != parts.size()) return false;
    std::size_t i = 0;
    for (auto part : parts) {
      if (part != "*" && p[i] != part) return false;
      ++i;
    }
    return true;
  };
  auto method_not_allowed = [&] {
    c.send(405, transport::error_envelope(405, "method " + m + " is not allowed on " + c.req.target));
  };
  if (is({"1.0", "ready"}) || is({"core", "1.0", "ready"})) {
    if (m != "GET") return method_not_allowed();
    if (!ready_) return c.fail(make_error(Errc::kUnavailable, "Daemon not ready yet"));
    return c.ok(ordered_json::object());
  }
  if (!ready_) return c.fail(make_error(Errc::kUnavailable, "Daemon not ready yet"));
  if (is({"1.0"})) return m == "GET" ? info(c) : method_not_allowed();
  if (is({"1.0", "cluster", "bootstrap"})) return m == "POST" ? bootstrap(c) : method_not_allowed();
  if (is({"1.0", "cluster", "join"})) return m == "POST" ? join(c) : method_not_allowed();
  if (is({"1.0", "cluster", "*"})) return m == "DELETE" ? remove_member(c, p[2]) : method_not_allowed();
  // Reads of the cluster's state go through a read barrier: no answer older than a change that
  // was acknowledged before the read began.
  auto fresh = [&](void (Api::*handler)(Call&)) { after_read_barrier(c, [this, handler](Call& call) { (this->*handler)(call); }); };
  if (is({"1.0", "cluster"})) return m == "GET" ? fresh(&Api::cluster_list) : method_not_allowed();
  if (is({"1.0", "tokens"})) {
    if (m == "POST") return issue_token(c);
    if (m == "GET") return fresh(&Api::list_tokens);
    return method_not_allowed();
  }
  if (is({"1.0", "tokens", "*"})) return m == "DELETE" ? revoke_token(c, p[2]) : method_not_allowed();
  if (is({"1.0", "config"})) return m == "GET" ? config_keys(c) : method_not_allowed();
  if (is({"1.0", "config", "*"})) {
    if (m == "GET") return after_read_barrier(c, [this, key = p[2]](Call& call) { config_get(call, key); });
    if (m == "PUT" || m == "POST") return config_set(c, p[2]);
    if (m == "DELETE") return config_delete(c, p[2]);
    return method_not_allowed();
  }
  if (is({"1.0", "events"})) return m == "GET" ? fresh(&Api::events) : method_not_allowed();
  if (is({"1.0", "projections"})) return m == "GET" ? fresh(&Api::projections) : method_not_allowed();
  if (is({"1.0", "services"})) return m == "GET" ? fresh(&Api::services) : method_not_allowed();
  if (is({"1.0", "service", "*"})) {
    if (m == "PUT") return set_service(c, p[2], true);
    if (m == "DELETE") return set_service(c, p[2], false);
    return method_not_allowed();
  }
  if (is({"1.0", "status"})) return m == "GET" ? fresh(&Api::status) : method_not_allowed();
  if (is({"1.0", "stats"})) return m == "GET" ? stats(c) : method_not_allowed();
  if (is({"1.0", "certificates"})) {
    if (m == "GET") return certificates(c);
    if (m == "PUT") return reissue(c, "all");
    return method_not_allowed();
  }
  if (is({"1.0", "certificates", "*"})) return m == "PUT" ? reissue(c, p[2]) : method_not_allowed();
  if (is({"1.0", "ca"})) {
    if (m == "GET") return after_read_barrier(c, [this](Call& call) { ca_info(call); });
    if (m == "PUT") return regenerate_ca(c);
    if (m == "POST") return set_ca(c);
    return method_not_allowed();
  }
  c.fail(make_error(Errc::kNotFound, "not found: " + c.req.target));
}

void Api::info(Call& c) {
  const auto& ms = node_.applied().membership();
  c.ok(ordered_json{{"name", member_.name},
                    {"address", member_.address},
                    {"cluster_id", ms.cluster_id()},
                    {"version", MICROOVN_VERSION},
                    {"ready", ready_},
                    {"bootstrapped", ms.bootstrapped()}});
}

Result<Api::Placement> Api::placement(const std::optional<std::string>& name,
                                      const std::optional<std::string>& address) const {
  Placement out{name.value_or(host_name()), {}};
  if (auto r = commands::validate_member_name(out.name); !r.ok()) {
    if (!name) return bad_request(r.error().message + " (the host name); pass --name");
    return r.error();
  }
  if (address) {
    out.address = *address;
  } else {
    MOVN_ASSIGN_OR_RETURN(out.address, default_address());
  }
  return out;
}

void Api::with_identity(const std::string& name, std::function<void(Result<void>)> next) {
  // The identity follows the member name; it is made here, in the daemon layer, not in decide(),
  // and its key on the effects thread.
  if (member_.identity.member_name == name) return next({});
  auto made = std::make_shared<pki::Identity>();
  effects_.run(
      [made, dir = member_.state_dir / "identity", name]() -> Result<void> {
        MOVN_ASSIGN_OR_RETURN(*made, pki::ensure_identity(dir, name));
        return {};
      },
      [this, made, name, next = std::move(next)](Result<void> r) {
        if (!r.ok()) return next(std::move(r).error().wrap("failed to create the member identity"));
        member_.identity = std::move(*made);
        spdlog::info("member identity regenerated for name {}", name);
        next({});
      });
}

void Api::bootstrap(Call& c) {
  auto body = parse_bootstrap_body(c.req.body);
  if (!body.ok()) return c.fail(body.error());
  auto where = placement(body->name, body->address);
  if (!where.ok()) return c.fail(where.error());
  const std::string name = where->name, address = where->address, encap_ip = body->encap_ip;
  const bool retry = node_.known_request(c.request_id);
  // Checked against the view that includes bootstraps still being written, and against one still
  // making its keys, so a concurrent second bootstrap is refused before it touches this member's
  // identity.
  if (node_.view().membership().bootstrapped() && !retry)
    return c.fail(make_error(Errc::kAlreadyExists, "this member is already part of cluster " +
                                                       node_.view().membership().cluster_id()));
  if (bootstrapping_ && !retry)
    return c.fail(make_error(Errc::kAlreadyExists, "this member is being bootstrapped already"));
  c.actor.member = name;
  auto self = c.shared_from_this();
  commands::BootstrapRequest req{pki::random_hex(16), name, address, member_.identity.fingerprint_hex,
                                 member_.identity.cert_pem};
  req.encap_ip = encap_ip;
  // A retry is answered from the first attempt's outcome: nothing is made again.
  if (retry) return propose_bootstrap(self, std::move(req), false);
  bootstrapping_ = true;
  auto fail = [this, self](Error e, bool started_listening) {
    bootstrapping_ = false;
    if (started_listening) peers_.stop();
    self->fail(std::move(e));
  };
  with_identity(name, self->guard([this, self, name, address, encap_ip, fail](Result<void> id) {
    if (!id.ok()) return fail(std::move(id).error(), false);
    // The member listens at its address before the bootstrap is proposed: an address that cannot
    // be bound is refused with nothing recorded.
    bool started_listening = false;
    if (!peers_.listening()) {
      if (auto l = listen_for_peers(address); !l.ok())
        return fail(make_error(Errc::kFailedPrecondition, "cannot listen on " + address + " for cluster members (" +
                                                              l.error().message + "); pass --address IP:PORT"),
                    false);
      started_listening = true;
      node_.set_address(address);
    }
    // The cluster key and the CA, on the effects thread: the key is made first and kept (0600),
    // then the CA, whose private key enters the log only sealed under it, and this member's
    // service certificates (their keys written to data/pki, 0600).
    auto made = std::make_shared<FoundersPki>();
    effects_.run(
        [made, state_dir = member_.state_dir, name, key = member_.cluster_key]() -> Result<void> {
          MOVN_ASSIGN_OR_RETURN(*made, make_founders_pki(state_dir, name, key));
          return {};
        },
        self->guard([this, self, made, name, address, encap_ip, started_listening, fail](Result<void> r) {
          if (!r.ok()) return fail(std::move(r).error(), started_listening);
          member_.cluster_key = std::move(made->cluster_key);
          commands::BootstrapRequest req{pki::random_hex(16), name, address, member_.identity.fingerprint_hex,
                                         member_.identity.cert_pem};
          req.ca = std::move(made->ca);
          req.certificates = std::move(made->certificates);
          req.encap_ip = encap_ip;
          propose_bootstrap(self, std::move(req), started_listening);
        }));
  }));
}

void Api::propose_bootstrap(const std::shared_ptr<Call>& self, commands::BootstrapRequest req,
                            bool started_listening) {
  const std::string name = req.name;
  node_.propose(req, RequestMeta{self->request_id, self->actor}, self->guard([this, self, name, started_listening](Result<Outcome> r) {
    if (started_listening) bootstrapping_ = false;
    if (!r.ok()) {
      bootstrapping_ = false;
      if (started_listening && !node_.applied().membership().bootstrapped()) peers_.stop();
      return self->fail(r.error());
    }
    bootstrapping_ = false;
    const auto& ms = node_.applied().membership();
    const auto* me = ms.find(name);
    if (me == nullptr) {
      // A retry whose first attempt bootstrapped under another name.
      if (!ms.members().empty()) me = &ms.members().begin()->second;
      if (me == nullptr) return self->fail(make_error(Errc::kInternal, "bootstrap applied without a member"));
    }
    ordered_json reply{{"cluster_id", ms.cluster_id()},
                       {"name", me->name},
                       {"address", me->address},
                       {"fingerprint", me->fingerprint}};
    if (r->duplicate) return self->ok(reply);
    member_.name = me->name;
    member_.address = me->address;
    DaemonRecord rec{me->name, me->address, ms.cluster_id()};
    auto path = member_.state_dir / "daemon.json";
    spdlog::info("cluster {} bootstrapped as member {} at {}", ms.cluster_id(), me->name, me->address);
    // The store's identity and daemon.json are recorded before the reply, so a caller that sees
    // the bootstrap succeed can rely on them.
    storage_.run([this, self, rec, path, reply](eventlog::Store& s) {
      auto b = s.bind_identity(eventlog::StoreIdentity{rec.cluster_id, rec.name});
      auto w = b.ok() ? write_daemon_record(path, rec) : Result<void>(b.error());
      storage_.post_core(self->guard([self, w, reply] {
        if (!w.ok()) return self->fail(w.error().wrap("failed to record the bootstrap"));
        self->ok(reply);
      }));
    });
  }));
}

void Api::join(Call& c) {
  auto body = parse_join_body(c.req.body);
  if (!body.ok()) return c.fail(body.error());
  if (node_.view().membership().bootstrapped() || node_.initialized())
    return c.fail(make_error(Errc::kAlreadyExists, "this member is already part of cluster " +
                                                       node_.view().membership().cluster_id()));
  if (join_in_progress_ || joining_)
    return c.fail(make_error(Errc::kAlreadyExists, "this member is joining a cluster already"));
  auto token = commands::decode_join_token(body->token);
  if (!token.ok()) return c.fail(token.error());
  auto where = placement(body->name, body->address);
  if (!where.ok()) return c.fail(where.error());
  join_in_progress_ = true;
  auto self = c.shared_from_this();
  with_identity(where->name, self->guard([this, self, where = *where, encap_ip = body->encap_ip,
                                          token = std::move(token).value()](Result<void> id) {
    if (!id.ok()) {
      join_in_progress_ = false;
      return self->fail(std::move(id).error());
    }
    ask_to_join(self, where.name, where.address, encap_ip, token);
  }));
}

void Api::ask_to_join(const std::shared_ptr<Call>& self, const std::string& name, const std::string& address,
                      const std::string& encap_ip, const commands::JoinToken& token) {
  if (auto l = listen_for_peers(address); !l.ok()) {
    join_in_progress_ = false;
    return self->fail(make_error(Errc::kFailedPrecondition, "cannot listen on " + address + " for cluster members (" +
                                                                l.error().message + "); pass --address IP:PORT"));
  }
  node_.set_address(address);
  const auto pins = token.pins();
  std::vector<std::string> addresses;
  for (const auto& [a, fp] : pins) addresses.push_back(a);
  // The order the token lists them in (pins() is keyed by address).
  if (!token.join_addresses.empty()) {
    addresses.clear();
    for (const auto& a : token.join_addresses)
      if (pins.contains(a)) addresses.push_back(a);
  }
  peers_.expect_join(pins);
  spdlog::info("asking to join as {} at {} through {}", name, address, addresses.empty() ? "nobody" : addresses.front());
  node_.join(commands::JoinRequest{name, address, member_.identity.fingerprint_hex, member_.identity.cert_pem,
                                   token.secret, encap_ip},
             self->request_id, addresses,
             self->guard([this, self, name, address, addresses, pins](Result<Node::Admission> r) {
               join_in_progress_ = false;
               if (!r.ok()) {
                 // Each address's reason: what the cluster said, or why no link to it opened.
                 Error e = std::move(r).error();
                 for (const auto& a : addresses) {
                   const std::string link = peers_.last_failure(a);
                   const std::string said = a + ": no answer";
                   if (auto at = e.message.find(said); at != std::string::npos && !link.empty())
                     e.message.insert(at + said.size(), " (" + link + ")");
                 }
                 peers_.stop();
                 node_.set_address({});
                 spdlog::warn("join refused: {}", e.message);
                 return self->fail(e);
               }
               // The cluster key first: the member must be able to open the CA once it has the log.
               if (auto k = r->shared.find(std::string(kSharedClusterKey)); k == r->shared.end()) {
                 spdlog::error("the member that admitted this one sent no cluster key: the cluster CA cannot "
                               "be opened here");
               } else if (auto w = pki::store_cluster_key(member_.state_dir / "identity" / pki::kClusterKeyFile,
                                                          k->second);
                          !w.ok()) {
                 spdlog::error("{}", w.error().message);
               } else {
                 member_.cluster_key = k->second;
               }
               JoiningRecord rec{name, address, r->raft_id.value, pins};
               if (auto w = write_joining_record(member_.state_dir / "joining.json", rec); !w.ok())
                 spdlog::error("{}", w.error().message);  // a restart before the log arrives cannot resume
               member_.name = name;
               member_.address = address;
               spdlog::info("admitted as Raft member {}; waiting for the log", r->raft_id.value);
               joining_ = PendingJoin{rec, {self}, ticks_ + kJoinWaitTicks};
               finish_join();
             }));
}

void Api::tick() {
  ++ticks_;
  if (!joining_) return;
  finish_join();
  if (!joining_) return;
  if (joining_->deadline_tick != 0 && ticks_ >= joining_->deadline_tick && !joining_->waiting.empty()) {
    auto waiting = std::move(joining_->waiting);
    joining_->waiting.clear();
    for (auto& call : waiting)
      call->fail(make_error(Errc::kTimeout, "admitted to the cluster as Raft member " +
                                                std::to_string(joining_->record.raft_id) +
                                                ", but the log has not arrived yet; the join completes in the "
                                                "background (see `cluster list`)"));
  }
}

void Api::finish_join() {
  if (!joining_ || finishing_join_) return;
  const auto& ms = node_.applied().membership();
  const auto* me = ms.find(joining_->record.name);
  if (me == nullptr || me->raft_id.value != joining_->record.raft_id || ms.cluster_id().empty()) return;
  finishing_join_ = true;
  DaemonRecord rec{me->name, me->address, ms.cluster_id()};
  ordered_json reply{{"cluster_id", ms.cluster_id()}, {"name", me->name}, {"address", me->address},
                     {"fingerprint", me->fingerprint}};
  const auto dir = member_.state_dir;
  storage_.run([this, rec, dir, reply](eventlog::Store& s) {
    auto b = s.bind_identity(eventlog::StoreIdentity{rec.cluster_id, rec.name});
    auto w = b.ok() ? write_daemon_record(dir / "daemon.json", rec) : Result<void>(b.error());
    if (w.ok()) w = pki::remove_durable(dir / "joining.json");
    storage_.post_core([this, w, reply, rec] {
      finishing_join_ = false;
      if (!joining_) return;
      auto waiting = std::move(joining_->waiting);
      if (!w.ok()) {
        spdlog::error("failed to record the join: {}", w.error().message);
        joining_->waiting.clear();
        for (auto& call : waiting) call->fail(w.error().wrap("failed to record the join"));
        return;  // tried again at the next tick
      }
      joining_.reset();
      // From now on the log says whom to trust: the token's pins go (a member it named may be
      // removed later, and must not stay trusted through them).
      peers_.expect_join({});
      spdlog::info("joined cluster {} as member {} at {}", rec.cluster_id, rec.name, rec.address);
      for (auto& call : waiting) call->ok(reply);
    });
  });
}

void Api::remove_member(Call& c, const std::string& name) {
  bool force = false;
  for (const auto& [k, v] : c.query) {
    if (k != "force") return c.fail(bad_request("unknown query parameter '" + k + "'"));
    if (v != "1" && v != "true" && v != "0" && v != "false")
      return c.fail(bad_request("query parameter 'force' must be 1 or 0"));
    force = v == "1" || v == "true";
  }
  // Without --force a member is removed only while the leader can tell it so; a member that is
  // down is removed with --force (it learns of it, and moves its state aside, when it is back).
  after_read_barrier(c, [this, name, force](Call& call) {
    const auto* m = node_.applied().membership().find(name);
    if (m != nullptr && !force && !node_.reachable(m->raft_id))
      return call.fail(make_error(Errc::kFailedPrecondition,
                                  "member \"" + name + "\" is not reachable: it cannot be told that it was removed "
                                  "until it is back; pass --force to remove it anyway"));
    auto self = call.shared_from_this();
    node_.propose(commands::RemoveMemberRequest{name}, RequestMeta{self->request_id, self->actor},
                  self->guard([self, name](Result<Outcome> r) {
                    if (!r.ok()) return self->fail(r.error());
                    spdlog::info("member {} removed", name);
                    self->ok(nullptr);
                  }));
  });
}

void Api::cluster_list(Call& c) {
  auto arr = ordered_json::array();
  for (const auto& [name, m] : node_.applied().membership().members()) {
    // ROLE from the committed Raft configuration (PENDING: joined, not yet given a role);
    // STATUS from the leader's last contact with the member.
    auto role = node_.role_of(m.raft_id);
    arr.push_back(ordered_json{{"name", m.name},
                               {"address", m.address},
                               {"certificate", m.certificate},
                               {"role", role ? std::string(raft::member_role_name(*role)) : std::string("PENDING")},
                               {"schema_internal_version", 1},
                               {"schema_external_version", 1},
                               {"last_heartbeat", format_rfc3339(wall_clock_ms())},
                               {"status", node_.reachable(m.raft_id) ? "ONLINE" : "UNREACHABLE"},
                               {"extensions", ordered_json::array()},
                               {"secret", ""},
                               {"fingerprint", m.fingerprint}});
  }
  c.ok(arr);
}

void Api::after_read_barrier(Call& c, std::function<void(Call&)> handler) {
  auto self = c.shared_from_this();
  node_.read_barrier(self->guard([self, handler = std::move(handler)](Result<void> r) {
    if (!r.ok()) return self->fail(r.error());
    handler(*self);
  }));
}

std::string Api::token_secret(const std::string& request_id, const std::string& name) const {
  std::string msg = request_id;
  msg.push_back('\0');
  msg += name;
  return to_hex(hmac_sha256(member_.token_key, msg));
}

std::string Api::token_for(const std::string& request_id, const std::string& name) const {
  commands::JoinToken t{token_secret(request_id, name), member_.identity.fingerprint_hex, {}};
  for (const auto& [n, m] : node_.applied().membership().members()) {
    t.join_addresses.push_back(m.address);
    t.members.push_back(commands::TokenMember{m.address, m.fingerprint});
  }
  return commands::encode_join_token(t);
}

void Api::issue_token(Call& c) {
  auto body = parse_token_body(c.req.body);
  if (!body.ok()) return c.fail(body.error());
  const std::string& name = body->name;
  const std::uint64_t lifetime_ms = body->lifetime_ms;
  std::string secret = token_secret(c.request_id, name);
  Digest h = sha256(secret);
  commands::IssueTokenRequest req{name, std::string(h.begin(), h.end()), lifetime_ms};
  auto self = c.shared_from_this();
  node_.propose(req, RequestMeta{self->request_id, self->actor}, self->guard([this, self](Result<Outcome> r) {
    if (!r.ok()) return self->fail(r.error());
    const auto* t = node_.applied().tokens().find_by_request(self->request_id);
    if (t == nullptr)
      return self->fail(make_error(Errc::kConflict, "the join token of this request is no longer valid"));
    self->ok(token_for(self->request_id, t->name));
  }));
}

void Api::list_tokens(Call& c) {
  auto arr = ordered_json::array();
  std::uint64_t now = wall_clock_ms();
  for (const auto& [name, t] : node_.applied().tokens().tokens())
    arr.push_back(ordered_json{{"name", t.name},
                               {"issued_at", format_rfc3339(t.issued_at_ms)},
                               {"expires_at", format_rfc3339(t.expires_at_ms)},
                               {"expired", t.expired_at(now)}});
  c.ok(arr);
}

void Api::revoke_token(Call& c, const std::string& name) {
  auto self = c.shared_from_this();
  node_.propose(commands::RevokeTokenRequest{name}, RequestMeta{self->request_id, self->actor},
                self->guard([self](Result<Outcome> r) {
                  if (!r.ok()) return self->fail(r.error());
                  self->ok(nullptr);
                }));
}

void Api::config_keys(Call& c) { c.ok(commands::allowed_config_keys()); }

void Api::config_get(Call& c, const std::string& key) {
  if (auto v = commands::validate_config_key(key); !v.ok()) return c.fail(v.error());
  auto value = node_.applied().config().get(key);
  c.ok(ordered_json{{"value", value.value_or("")}, {"isSet", value.has_value()}, {"error", ""}});
}

void Api::config_set(Call& c, const std::string& key) {
  auto value = parse_config_body(c.req.body);
  if (!value.ok()) return c.fail(value.error());
  auto self = c.shared_from_this();
  node_.propose(commands::SetConfigRequest{key, std::move(value).value()}, RequestMeta{self->request_id, self->actor},
                self->guard([self](Result<Outcome> r) {
                  if (!r.ok()) return self->fail(r.error());
                  self->ok(nullptr);
                }));
}

void Api::set_service(Call& c, const std::string& service, bool enable) {
  auto body = parse_service_body(service, enable, c.req.body);
  if (!body.ok()) return c.fail(body.error());
  std::string target = member_.name;
  for (const auto& [k, v] : c.query) {
    if (k != "target") return c.fail(bad_request("unknown query parameter '" + k + "'"));
    target = v;
  }
  auto self = c.shared_from_this();
  node_.propose(
      commands::SetServiceRequest{target, service, enable, body->allow_disable_last_central},
      RequestMeta{self->request_id, self->actor},
      self->guard([this, self, service, enable, target](Result<Outcome> r) {
        if (!r.ok()) return self->fail(r.error());
        spdlog::info("service {} {} on {}", service, enable ? "enabled" : "disabled", target);
        // Upstream's warnings, from the number of centrals after the change.
        const auto centrals = node_.applied().services().members_with("central").size();
        ordered_json out{{"message", service + (enable ? " enabled" : " disabled")},
                         {"warnings", {{"EvenCentral", centrals > 0 && centrals % 2 == 0},
                                       {"FewCentral", centrals > 0 && centrals < 3}}}};
        // For this member's own services, the answer waits until its processes follow.
        if (target != member_.name || services_ == nullptr) return self->ok(out);
        services_->when_converged(r->index, self->guard([self, out](Result<void> done) mutable {
          if (!done.ok()) out["pending"] = done.error().message;
          self->ok(out);
        }));
      }));
}

void Api::config_delete(Call& c, const std::string& key) {
  auto self = c.shared_from_this();
  node_.propose(commands::DeleteConfigRequest{key}, RequestMeta{self->request_id, self->actor},
                self->guard([self](Result<Outcome> r) {
                  if (!r.ok()) return self->fail(r.error());
                  self->ok(nullptr);
                }));
}

void Api::events(Call& c) {
  auto q = parse_events_query(c.query);
  if (!q.ok()) return c.fail(q.error());
  const std::uint64_t since = q->since, limit = q->limit;
  std::string type = q->type, member = q->member;
  std::uint64_t hi = node_.applied().applied_index().value + 1;
  // With a limit, only the log entries [since, since + limit) are read: a client pages through a
  // long history without one huge answer, and the storage thread is held only briefly.
  if (limit > 0 && since < hi && hi - since > limit) hi = since + limit;
  auto self = c.shared_from_this();
  // Reading and rendering run on the storage thread (in order with writes); the answer is posted
  // back to the core thread.
  const bool queued = storage_.try_run_read([this, self, since, hi, type, member](eventlog::Store& s) {
    Result<std::string> body = make_error(Errc::kInternal, "events were not rendered");
    try {
      body = render_events(s, since, hi, type, member);
    } catch (const std::exception& ex) {
      body = make_error(Errc::kInternal, std::string("internal error while rendering events: ") + ex.what());
    }
    storage_.post_core(self->guard([self, body = std::move(body)]() mutable {
      if (!body.ok()) return self->fail(body.error());
      self->send(200, std::move(body).value());
    }));
  });
  if (!queued)
    c.fail(make_error(Errc::kUnavailable, "too many event reads are waiting (" +
                                              std::to_string(StorageWorker::kMaxQueuedReads) + "); retry"));
}

void Api::stats(Call& c) {
  ordered_json raft = nullptr;
  if (const raft::Core* core = node_.raft()) {
    raft = ordered_json{{"id", node_.self().value},
                        {"term", core->term().value},
                        {"state", std::string(raft::role_name(core->role()))},
                        {"leader", core->leader().value},
                        {"commit_index", core->committed().value}};
  }
  const auto links = peers_.link_stats();
  ordered_json certificates = nullptr;
  if (certificates_ != nullptr) {
    const auto& s = certificates_->stats();
    certificates = ordered_json{{"runs", s.runs},
                                {"converged", s.converged},
                                {"issued", s.issued},
                                {"recorded", s.recorded},
                                {"failures", s.failures},
                                {"churn", s.churn},
                                {"ca_renewals", s.ca_renewals},
                                {"last_error", s.last_error}};
  }
  c.ok(ordered_json{{"applied_index", node_.applied().applied_index().value},
                    {"synced_writes", storage_.syncs()},
                    {"entries_replayed_at_start", node_.entries_replayed()},
                    {"raft", raft},
                    {"peers", ordered_json{{"address", peers_.address()},
                                           {"frames_sent", links.frames_sent},
                                           {"frames_received", links.frames_received},
                                           {"bad_frames", links.bad_frames},
                                           {"refused_links", links.refused + peers_.stats().refused},
                                           {"dials", links.dials},
                                           {"wrong_fingerprint", links.wrong_fingerprint}}},
                    {"certificates", certificates},
                    {"services", services_stats()}});
}

ordered_json Api::services_stats() const {
  if (services_ == nullptr) return nullptr;
  const auto& s = services_->stats();
  ordered_json processes = ordered_json::object();
  for (const auto& [name, p] : s.processes)
    processes[name] = ordered_json{{"state", p.state}, {"pid", p.pid}, {"restarts", p.restarts}, {"adopted", p.adopted}};
  return ordered_json{{"runs", s.runs},         {"converged", s.converged}, {"failures", s.failures},
                      {"last_error", s.last_error}, {"services", s.services},   {"processes", processes}};
}

// Where the services are to run, as upstream lists them: one entry per member and service.
void Api::services(Call& c) {
  auto arr = ordered_json::array();
  for (const auto& [member, services] : node_.applied().services().placement())
    for (const auto& s : node_.applied().services().of(member))
      arr.push_back(ordered_json{{"service", s}, {"location", member}});
  c.ok(arr);
}

void Api::projections(Call& c) {
  auto arr = ordered_json::array();
  for (const auto& p : node_.applied().describe())
    arr.push_back(ordered_json{{"name", p.name}, {"applied_index", p.applied_index.value}, {"digest", p.digest_hex}});
  c.ok(arr);
}

}  // namespace movn::daemon
