// JSON views of events for the API and `events list`: the event body and a one-line summary.
// Never includes secrets (only hashes are in events anyway). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "eventlog/events.h"

namespace movn::eventlog {

nlohmann::ordered_json event_to_json(const events::Event& e);
std::string event_summary(const events::Event& e);
// "user@member" for local calls, "member" for member-internal actions.
std::string actor_string(const events::Actor& a);

}  // namespace movn::eventlog
