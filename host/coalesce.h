// Message coalescing: the host's last step before a Ready's messages leave. Within one Ready a
// leader that took several proposals sends each follower one App per proposal, and a follower
// acknowledges each App it received; every message is a frame, a TLS record and a send. What a
// later message says makes some earlier ones redundant, and these are merged:
//  - an App that continues the previous message to the same member (an App of the same term whose
//    last entry is the new one's previous index) is folded into it: its entries appended, its
//    commit index taken, up to max_append_bytes of entries;
//  - an accepting AppResp that follows an accepting AppResp to the same member in the same term
//    replaces it (acknowledgements are cumulative: the lower one is like a lost message, which
//    Raft tolerates, and the leader frees every in-flight App up to the higher index).
// Nothing else is touched, and the order of messages to one member is kept.
#pragma once

#include <cstdint>
#include <vector>

#include "eventlog/raft/message.h"

namespace movn::host {

void coalesce(std::vector<raft::Message>& messages, std::uint64_t max_append_bytes);

}  // namespace movn::host
