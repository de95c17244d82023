// The local API's routes (docs/api.md): parses requests into commands, hands them to the Node,
// renders results in the envelope. Runs on the core thread; not thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "daemon/host_seams.h"
#include "pki/identity.h"
#include "transport/http_server.h"

namespace movn::daemon {

struct MemberContext {
  std::filesystem::path state_dir;
  pki::Identity identity;
  std::string token_key;  // local secret for deriving join-token secrets; never logged
  std::string name;       // this member's name (the host name until bootstrap)
  std::string address;    // empty until bootstrap
};

class Api {
 public:
  Api(Node& node, StorageWorker& storage, MemberContext& member);

  void set_ready(bool ready) { ready_ = ready; }
  void handle(transport::HttpRequest req, transport::Responder respond);

 private:
  struct Call;
  void route(Call& call);
  // Runs `handler` after a read barrier (Node::read_barrier), so what it reads is not stale.
  void after_read_barrier(Call& c, std::function<void(Call&)> handler);
  void info(Call& c);
  void bootstrap(Call& c);
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
  void stats(Call& c);
  std::string token_for(const std::string& request_id, const std::string& name) const;
  std::string token_secret(const std::string& request_id, const std::string& name) const;

  Node& node_;
  StorageWorker& storage_;
  MemberContext& member_;
  bool ready_ = false;
};

}  // namespace movn::daemon
