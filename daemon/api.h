// The local API's routes (docs/api.md): parses requests into commands, hands them to the Node,
// renders results in the envelope. Runs on the core thread; not thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands/join_token.h"
#include "daemon/host_seams.h"
#include "daemon/member_info.h"
#include "daemon/peer_transport.h"
#include "host/seams.h"
#include "pki/identity.h"
#include "transport/http_server.h"

namespace movn::daemon {

// The name of the cluster key among the secrets a joiner receives (host::Node::Admission).
inline constexpr std::string_view kSharedClusterKey = "cluster-key";

struct MemberContext {
  std::filesystem::path state_dir;
  pki::Identity identity;
  std::string token_key;  // local secret for deriving join-token secrets; never logged
  // The cluster key (identity/cluster.key): seals the CA's key in the log; handed to each joiner
  // this member admits. Empty outside a cluster. Never logged.
  std::string cluster_key;
  std::string name;       // this member's name (the host name until bootstrap)
  std::string address;    // empty until bootstrap
};

class CertificateReconciler;
class CertificateAdmin;
class ServiceReconciler;

class Api {
 public:
  Api(Node& node, StorageWorker& storage, MemberContext& member, MemberTransport& peers, host::Effects& effects);
  // The reconciler whose counters /1.0/stats shows (none: null there) and which reissues this
  // member's certificates, and what serves the CA's routes (none: those answer 503).
  void set_certificate_reconciler(CertificateReconciler* r) { certificates_ = r; }
  void set_certificate_admin(CertificateAdmin* a) { ca_admin_ = a; }
  // The OVN service reconciler whose state /1.0/stats shows, and which enable/disable wait for.
  void set_service_reconciler(ServiceReconciler* r) { services_ = r; }

  void set_ready(bool ready) { ready_ = ready; }
  void handle(transport::HttpRequest req, transport::Responder respond);
  // Listens for peers at `address` with this member's identity (its key read from the state
  // directory).
  Result<void> listen_for_peers(const std::string& address);
  // A restart of a member that was admitted but had not received its own entry yet: finishes
  // that join once the entry arrives.
  void resume_join(JoiningRecord record) {
    peers_.expect_join(record.pins);
    joining_ = PendingJoin{std::move(record), {}, 0};
  }
  // Every Raft tick: finishes a join whose entry has arrived, answers join calls that waited too
  // long.
  void tick();
  // How long `cluster join` waits for the log that names the new member before answering anyway.
  static constexpr std::uint64_t kJoinWaitTicks = 200;

 private:
  struct Call;
  void route(Call& call);
  // Runs `handler` after a read barrier (Node::read_barrier), so what it reads is not stale.
  void after_read_barrier(Call& c, std::function<void(Call&)> handler);
  void info(Call& c);
  void bootstrap(Call& c);
  void join(Call& c);
  // The member's name and address as a bootstrap or join gives them, or their defaults (the host
  // name; the first global address, port 6686).
  struct Placement {
    std::string name;
    std::string address;
  };
  Result<Placement> placement(const std::optional<std::string>& name, const std::optional<std::string>& address) const;
  // Runs `next` once this member's identity is `name`'s (made on the effects thread if not).
  void with_identity(const std::string& name, std::function<void(Result<void>)> next);
  void propose_bootstrap(const std::shared_ptr<Call>& self, commands::BootstrapRequest req, bool started_listening);
  void ask_to_join(const std::shared_ptr<Call>& self, const std::string& name, const std::string& address,
                   const std::string& encap_ip, const commands::JoinToken& token);
  void remove_member(Call& c, const std::string& name);
  void finish_join();
  // An unavailable cluster's error, with how many voters this member reaches.
  Error explain(Error e) const;
  void cluster_list(Call& c);
  void issue_token(Call& c);
  void list_tokens(Call& c);
  void revoke_token(Call& c, const std::string& name);
  void config_keys(Call& c);
  void config_get(Call& c, const std::string& key);
  void config_set(Call& c, const std::string& key);
  void config_delete(Call& c, const std::string& key);
  void events(Call& c);
  void projections(Call& c);
  void services(Call& c);
  // PUT|DELETE /1.0/service/SERVICE[?target=MEMBER]: `microovn enable|disable`.
  void set_service(Call& c, const std::string& service, bool enable);
  void status(Call& c);  // api_status.cc
  void stats(Call& c);
  nlohmann::ordered_json services_stats() const;
  void certificates(Call& c);
  // api_certificates.cc: PUT /1.0/certificates[/SERVICE], GET|PUT|POST /1.0/ca.
  void reissue(Call& c, const std::string& service);
  void ca_info(Call& c);
  void regenerate_ca(Call& c);
  void set_ca(Call& c);
  std::string token_for(const std::string& request_id, const std::string& name) const;
  std::string token_secret(const std::string& request_id, const std::string& name) const;

  Node& node_;
  StorageWorker& storage_;
  MemberContext& member_;
  MemberTransport& peers_;
  host::Effects& effects_;
  CertificateReconciler* certificates_ = nullptr;
  CertificateAdmin* ca_admin_ = nullptr;
  ServiceReconciler* services_ = nullptr;
  bool ready_ = false;
  struct PendingJoin {
    JoiningRecord record;
    std::vector<std::shared_ptr<Call>> waiting;  // join calls answered once it is finished
    std::uint64_t deadline_tick = 0;
  };
  std::optional<PendingJoin> joining_;  // admitted, the log naming this member not yet applied
  bool finishing_join_ = false;         // the records are being written
  bool join_in_progress_ = false;       // asking the cluster
  bool bootstrapping_ = false;          // making the identity, keys and CA of a bootstrap
  std::uint64_t ticks_ = 0;
};

}  // namespace movn::daemon
