#include "daemon/daemon.h"

#include <sys/stat.h>

#include <utility>  // before Asio (docs/design.md §5)
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/api.h"
#include "daemon/certificate_admin.h"
#include "daemon/certificate_reconciler.h"
#include "daemon/service_reconciler.h"
#include "daemon/member_info.h"
#include "daemon/host_seams.h"
#include "daemon/storage_worker.h"
#include "pki/files.h"
#include "pki/secret_key.h"

namespace movn::daemon {
namespace {
namespace asio = boost::asio;

// How long a clean stop waits for requests that are being written.
constexpr int kDrainMs = 5'000;

[[noreturn]] void fail_stop(const Error& e) {
  spdlog::critical("stopping: {}", e.message);
  spdlog::shutdown();
  std::_Exit(70);
}

Result<void> make_dirs(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return make_error(Errc::kIo, "failed to create state directory " + state_dir.string() + ": " + ec.message());
  ::chmod(state_dir.c_str(), 0700);
  return {};
}

// Refuses a store that belongs to another cluster or member than this state directory's record.
Result<void> check_store(eventlog::Store& store, const std::optional<DaemonRecord>& record,
                         const std::filesystem::path& record_path) {
  auto id = store.identity();
  if (record && id) return store.check_identity(eventlog::StoreIdentity{record->cluster_id, record->name});
  if (record && !id && store.last_index().value > 0)
    return make_error(Errc::kFailedPrecondition, "store at " + store.path().string() +
                                                     " has no cluster identity but " + record_path.string() +
                                                     " says this member is '" + record->name + "' of cluster " +
                                                     record->cluster_id);
  if (record && !id)
    return make_error(Errc::kFailedPrecondition,
                      "store at " + store.path().string() + " is empty but " + record_path.string() +
                          " says this member is '" + record->name + "' of cluster " + record->cluster_id +
                          ": restore the store, or remove the record to start over");
  return {};
}
}  // namespace

// Store options that refuse, before anything is written, a store that is not this member's.
Result<eventlog::StoreOptions> store_options_for(const DaemonOptions& options,
                                                 const std::optional<DaemonRecord>& record,
                                                 const std::filesystem::path& record_path) {
  eventlog::StoreOptions sopts;
  sopts.compression = options.compression;
  const auto store_dir = options.state_dir / "store";
  if (record) {
    if (!std::filesystem::exists(store_dir / "CURRENT"))
      return make_error(Errc::kFailedPrecondition,
                        "store at " + store_dir.string() + " is missing but " + record_path.string() +
                            " says this member is '" + record->name + "' of cluster " + record->cluster_id +
                            ": restore the store, or remove the record to start over");
    sopts.expected_identity = eventlog::StoreIdentity{record->cluster_id, record->name};
  }
  return sopts;
}

Result<DaemonExit> run_daemon(const DaemonOptions& options) {
  ::umask(077);
  const auto& dir = options.state_dir;
  // Refuse an unusable socket path before anything is created.
  MOVN_TRY(transport::LocalApiServer::check_path(dir / "control.socket"));
  MOVN_TRY(make_dirs(dir));
  const auto record_path = dir / "daemon.json";
  MOVN_ASSIGN_OR_RETURN(auto record, read_daemon_record(record_path));
  MOVN_ASSIGN_OR_RETURN(auto joining, read_joining_record(dir / "joining.json"));
  if (record && joining) joining.reset();  // the join was recorded; the leftover is dropped below

  MOVN_ASSIGN_OR_RETURN(auto sopts, store_options_for(options, record, record_path));
  MOVN_ASSIGN_OR_RETURN(auto store, eventlog::Store::open(dir / "store", sopts));
  MOVN_TRY(check_store(*store, record, record_path));

  MemberContext member;
  member.state_dir = dir;

  asio::io_context io(1);
  MemberTransport peers(io);
  bool removed = false;
  std::function<void()> begin_stop;
  host::NodeOptions node_options =
      MemberHost::node_options(record ? record->address : joining ? joining->address : std::string());
  // A member admitted before it stopped runs Raft under its Raft id and waits for the log.
  if (joining) node_options.self = NodeId(joining->raft_id);
  // A joiner this member admits receives the cluster key with its Raft id.
  node_options.shared_secrets = [&member] {
    std::map<std::string, std::string> shared;
    if (!member.cluster_key.empty()) shared.emplace(std::string(kSharedClusterKey), member.cluster_key);
    return shared;
  };
  // A removed member's OVN leaves the cluster and stops first (set once the reconciler exists).
  std::function<void(std::function<void()>)> decommission_ovn;
  node_options.on_removed = [&] {
    if (removed) return;
    spdlog::warn("this member was removed from the cluster: stopping, to start again uninitialised");
    removed = true;
    if (decommission_ovn) return decommission_ovn([&] { begin_stop(); });
    begin_stop();
  };
  // Cluster time and the certificates' expiry checks read this clock.
  const OffsetClock offset_clock(options.clock_offset_s);
  const Clock& clock = options.clock_offset_s == 0 ? system_clock() : offset_clock;
  if (options.clock_offset_s != 0)
    spdlog::warn("the daemon's clock runs {} s ahead of the system clock (--clock-offset)", options.clock_offset_s);
  MemberHost host(*store, io, fail_stop, clock, &peers, std::move(node_options));
  Node& node = host.node;
  StorageWorker& storage = host.storage;
  peers.attach(node);
  // Work off the core thread: key generation, certificates (docs/design.md §4).
  EffectsThread effects(io);
  Api api(node, storage, member, peers, effects);

  MOVN_ASSIGN_OR_RETURN(auto server, transport::LocalApiServer::listen(
                                         io, dir / "control.socket",
                                         [&api](transport::HttpRequest req, transport::Responder r) {
                                           api.handle(std::move(req), std::move(r));
                                         }));
  spdlog::info("microovnd {} listening on {}", MICROOVN_VERSION, (dir / "control.socket").string());

  // The member's OVN service certificates follow the certificates projection (made once the
  // effects thread exists, below).
  std::optional<CertificateReconciler> certificates;
  std::optional<CertificateAdmin> ca_admin;
  std::optional<ServiceReconciler> ovn_services;

  // Raft time: one tick every Node::kTickMs on the core thread.
  asio::steady_timer ticker(io);
  std::function<void()> tick_step = [&] {
    ticker.expires_after(std::chrono::milliseconds(Node::kTickMs));
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      node.tick();
      api.tick();
      if (certificates) certificates->tick();
      if (ca_admin) ca_admin->tick();
      if (ovn_services) ovn_services->tick();
      tick_step();
    });
  };

  // Load, then settle who this member is; the API answers 503 until this is done. The member's
  // identity (a key pair and certificate, made on the first start) is generated on the effects
  // thread, not on the core thread.
  certificates.emplace(node, effects, member, member_data_dir(dir) / "pki", clock);
  api.set_certificate_reconciler(&*certificates);
  ca_admin.emplace(node, effects, member, clock);
  api.set_certificate_admin(&*ca_admin);
  // The OVN/OVS processes follow the services projection; their files live beside the state
  // directory (<parent of STATE_DIR>: data/, logs/, run/).
  if (options.without_ovn) {
    spdlog::info("running without OVN/OVS (--without-ovn): no OVN process is started or adopted");
  } else {
    MOVN_ASSIGN_OR_RETURN(auto ovn_layout, ovn::make_layout(std::filesystem::absolute(dir).parent_path()));
    ovn_services.emplace(node, effects, member, std::move(ovn_layout));
    api.set_service_reconciler(&*ovn_services);
    decommission_ovn = [&](std::function<void()> done) { ovn_services->decommission(std::move(done)); };
  }
  std::optional<Error> startup_error;
  auto fail_start = [&](Error e) {
    startup_error = std::move(e);
    io.stop();
  };
  auto load = [&]() -> Result<void> {
    MOVN_TRY(host.load(options.rebuild));
    const auto& ms = node.applied().membership();
    if (ms.bootstrapped() && !store->identity() && !joining) {
      // The bootstrap entry is durable but the daemon stopped before recording whose store this
      // is: complete that from the log.
      spdlog::warn("completing an interrupted bootstrap of {} from the log", ms.founder());
      MOVN_TRY(store->bind_identity(eventlog::StoreIdentity{ms.cluster_id(), ms.founder()}));
    }
    member.name = store->identity() ? store->identity()->member_name
                  : joining           ? joining->name
                                      : provisional_member_name();
    if (joining) member.address = joining->address;
    if (ms.bootstrapped() && !joining) {
      if (const auto* me = ms.find(member.name)) member.address = me->address;
      if (!record) MOVN_TRY(write_daemon_record(record_path, DaemonRecord{member.name, member.address, ms.cluster_id()}));
    }
    return {};
  };
  auto serve = [&] {
    const auto& ms = node.applied().membership();
    if (member.identity.regenerated) spdlog::info("member identity created for {}", member.name);
    if (ms.bootstrapped()) {
      const auto* me = ms.find(member.name);
      if (me != nullptr && me->fingerprint != member.identity.fingerprint_hex)
        spdlog::warn("this member's certificate ({}) is not the one the log records for {} ({})",
                     member.identity.fingerprint_hex, member.name, me->fingerprint);
    }
    // A member of a cluster listens for its peers at its address from the start.
    const std::string address = joining ? joining->address : member.address;
    if (!address.empty()) {
      if (auto l = api.listen_for_peers(address); !l.ok())
        return fail_start(make_error(Errc::kUnavailable, "cannot listen on " + address + " for cluster members: " +
                                                             l.error().message));
    }
    if (joining) {
      spdlog::info("resuming the join of {} as Raft member {}", joining->name, joining->raft_id);
      api.resume_join(*joining);
    } else if (record) {
      (void)pki::remove_durable(dir / "joining.json");
    }
    spdlog::info("replayed {} committed entries{}; applied index {}", node.entries_replayed(),
                 node.loaded_from_checkpoint() ? " after the checkpoint" : (options.rebuild ? " (rebuild)" : ""),
                 node.applied().applied_index().value);
    // A one-member cluster serves once this member leads the log and has applied everything
    // before its term; a member of a larger cluster, or of none yet (it runs no Raft until its
    // bootstrap or join), serves at once.
    node.start(
        [&] {
          if (node.raft() != nullptr && node.raft()->role() == raft::Role::kLeader)
            spdlog::info("leading term {} as Raft member {}; applied index {}; ready", node.raft()->term().value,
                         node.self().value, node.applied().applied_index().value);
          else if (node.raft() != nullptr)
            spdlog::info("Raft member {} of a cluster of several voters; applied index {}; ready",
                         node.self().value, node.applied().applied_index().value);
          else
            spdlog::info("not part of a cluster yet; ready for a bootstrap");
          api.set_ready(true);
        },
        member.name);
    tick_step();
  };
  asio::post(io, [&] {
    if (auto loaded = load(); !loaded.ok()) return fail_start(std::move(loaded).error());
    struct Made {
      pki::Identity identity;
      std::string token_key;
      std::optional<std::string> cluster_key;
    };
    auto made = std::make_shared<Made>();
    effects.run(
        [made, identity_dir = dir / "identity", name = member.name]() -> Result<void> {
          MOVN_ASSIGN_OR_RETURN(made->identity, pki::ensure_identity(identity_dir, name));
          MOVN_ASSIGN_OR_RETURN(made->token_key, pki::ensure_secret_key(identity_dir / "token.key"));
          MOVN_ASSIGN_OR_RETURN(made->cluster_key, pki::load_cluster_key(identity_dir / pki::kClusterKeyFile));
          return {};
        },
        [&, made](Result<void> r) {
          if (!r.ok()) return fail_start(std::move(r).error());
          member.identity = std::move(made->identity);
          member.token_key = std::move(made->token_key);
          member.cluster_key = made->cluster_key.value_or(std::string());
          if (node.applied().membership().bootstrapped() && member.cluster_key.empty())
            spdlog::warn("this member has no cluster key ({}): it cannot open the cluster CA",
                         (dir / "identity" / pki::kClusterKeyFile).string());
          serve();
        });
  });

  // A clean stop: no new connections, requests already being written are applied and answered
  // (for at most kDrainMs), then the loop ends.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain(io);
  auto drain_deadline = std::chrono::steady_clock::now();
  std::function<void()> drain_step = [&] {
    if (node.in_flight() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      if (node.in_flight() > 0) spdlog::warn("stopping with {} requests unanswered", node.in_flight());
      // One more short turn lets the last answers reach their sockets.
      drain.expires_after(std::chrono::milliseconds(20));
      drain.async_wait([&](const boost::system::error_code&) { io.stop(); });
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) drain_step();
    });
  };
  bool stopping = false;
  begin_stop = [&] {
    if (stopping) return;
    stopping = true;
    server->close();
    ticker.cancel();
    drain_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDrainMs);
    drain_step();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received: shutting down", sig);
    // A leader hands leadership to the most up-to-date voter first (none in a one-member cluster).
    if (auto to = node.hand_over(); to.ok()) spdlog::info("handing leadership to Raft member {}", to->value);
    begin_stop();
  });

  // API handlers answer 500 for their own exceptions (Api::Call::guard). One that reaches the
  // event loop came from the host loop or start-up, where state may be half changed and a
  // request may be waiting for an answer that will never come: stop with a clear message (the
  // log and projections are rebuilt from what is durable at the next start) rather than hang.
  try {
    io.run();
  } catch (const std::exception& ex) {
    fail_stop(make_error(Errc::kInternal, std::string("unexpected exception in the core thread: ") + ex.what()));
  }
  server->close();
  peers.stop();
  effects.stop();
  // The last links and a checkpoint of what was applied go through the storage thread, which
  // finishes every queued job before it stops.
  if (!startup_error) node.checkpoint();
  storage.stop();
  if (startup_error) return *startup_error;
  auto flushed = store->flush();
  if (!flushed.ok()) spdlog::warn("{}", flushed.error().message);
  spdlog::info("stopped");
  return removed ? DaemonExit::kRemoved : DaemonExit::kStopped;
}

Result<std::string> rebuild_offline(const DaemonOptions& options) {
  const auto& dir = options.state_dir;
  const auto record_path = dir / "daemon.json";
  MOVN_ASSIGN_OR_RETURN(auto record, read_daemon_record(record_path));
  if (!std::filesystem::exists(dir / "store" / "CURRENT"))
    return make_error(Errc::kNotFound, "no store at " + (dir / "store").string());
  MOVN_ASSIGN_OR_RETURN(auto sopts, store_options_for(options, record, record_path));
  auto opened = eventlog::Store::open(dir / "store", sopts);
  if (!opened.ok() && opened.error().message.find("/LOCK") != std::string::npos)
    return make_error(Errc::kFailedPrecondition,
                      "the store at " + (dir / "store").string() +
                          " is in use (is microovnd running?): stop the daemon first, or restart it with --rebuild");
  if (!opened.ok()) return std::move(opened).error();
  auto store = std::move(opened).value();
  MOVN_TRY(check_store(*store, record, record_path));
  boost::asio::io_context io(1);
  MemberHost host(*store, io, fail_stop);
  MOVN_TRY(host.load(/*rebuild=*/true));
  host.storage.stop();
  MOVN_TRY(store->flush());
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& p : host.node.applied().describe())
    arr.push_back({{"name", p.name}, {"applied_index", p.applied_index.value}, {"digest", p.digest_hex}});
  return arr.dump();
}

}  // namespace movn::daemon
