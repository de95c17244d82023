// Test-only switches that plant known host-loop bugs, so the simulator's checkers can prove they
// catch them. They exist only in host_testing, built with MOVN_HOST_TEST_HOOKS; the production
// host library has none. Not thread-safe: set before a run.
#pragma once

namespace movn::host {

struct TestHooks {
  // A leader answers a read barrier at its own commit index without confirming that it still
  // leads (ReadIndex skipped): a stale, partitioned leader serves stale reads.
  bool read_without_confirmation = false;
  // A new leader proposes before it has applied its predecessor's entries (its no-op has not
  // committed), so it decides on a view that misses committed entries.
  bool propose_before_ready = false;
  // A request id is not looked up among applied and pending requests before it is decided and
  // proposed, so a retry reaches the log again (and only apply's own check refuses it).
  bool propose_without_dedup = false;
  // A follower answers a forwarded write as soon as the leader does, before it has applied the
  // entry itself: a read of your own write on that member may miss it.
  bool answer_forward_before_apply = false;
  // Replies (append, heartbeat and vote acknowledgements) leave before the write of what they
  // acknowledge is durable.
  bool replies_before_persist = false;
  // The catch-up reader keeps what it read after a write replaced those entries: a leader may
  // send a peer entries its log no longer holds.
  bool keep_replaced_reads = false;
  // The core is not told when a catch-up read completes: the peer that waits for it stays paused.
  bool forget_fetched = false;
  // A joiner is admitted without the secrets the cluster shares (the cluster key).
  bool admit_without_shared = false;
};

#ifdef MOVN_HOST_TEST_HOOKS
TestHooks& test_hooks();
#endif

// True when planted bug `bug` is switched on; always false in the production library.
inline bool planted([[maybe_unused]] bool TestHooks::*bug) {
#ifdef MOVN_HOST_TEST_HOOKS
  return test_hooks().*bug;
#else
  return false;
#endif
}

}  // namespace movn::host
