// microovn-store-dump: prints every log entry of a microovnd event store, for the integration
// tests (tests/integration/). Opens the store read-only through eventlog::Store, so it works while
// the daemon runs. Usage: microovn-store-dump STORE_DIR
// Output, one line per entry: "<index> <term> <type-number> <hex of data>", and for event batches
// one more line with the decoded batch as JSON (request id, actor, time, events).
#include <cstdio>
#include <iostream>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "eventlog/codec.h"
#include "eventlog/event_json.h"
#include "eventlog/events.h"
#include "eventlog/store.h"

namespace {

using movn::Error;
using movn::LogIndex;
using movn::Result;
namespace eventlog = movn::eventlog;

int fail(std::string_view message) {
  std::cout.flush();
  std::cerr << "Error: " << message << "\n";
  return 1;
}

std::string hex(std::string_view bytes) {
  return movn::to_hex(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<void> dump(const std::string& dir) {
  eventlog::StoreOptions options;
  options.read_only = true;
  auto opened = eventlog::Store::open(dir, options);
  if (!opened.ok()) return std::move(opened).error();
  const auto& store = *opened.value();
  constexpr std::uint64_t kChunk = 1024;
  const std::uint64_t last = store.last_index().value;
  std::uint64_t seen = 0;
  for (std::uint64_t lo = store.first_index().value; lo <= last; lo += kChunk) {
    const std::uint64_t hi = std::min(last + 1, lo + kChunk);
    auto chunk = store.entries(LogIndex(lo), LogIndex(hi));
    if (!chunk.ok()) return std::move(chunk).error().wrap("failed to read entries");
    for (const auto& e : *chunk) {
      ++seen;
      std::cout << e.index.value << " " << e.term.value << " " << static_cast<unsigned>(e.type)
                << " " << hex(e.data) << "\n";
      if (e.type != eventlog::EntryType::kEventBatch) continue;
      auto batch = eventlog::decode_batch(e.data);
      if (!batch.ok())
        return std::move(batch).error().wrap("failed to decode entry " + std::to_string(e.index.value));
      nlohmann::ordered_json events = nlohmann::ordered_json::array();
      for (const auto& ev : batch->events)
        events.push_back(nlohmann::ordered_json{{"type", movn::events::type_name(ev)},
                                                {"event", eventlog::event_to_json(ev)}});
      nlohmann::ordered_json line{{"index", e.index.value},
                                  {"request_id", batch->request_id},
                                  {"actor", eventlog::actor_string(batch->actor)},
                                  {"cluster_time_ms", batch->cluster_time.value},
                                  {"events", events}};
      std::cout << line.dump() << "\n";
    }
  }
  if (seen != last)
    return movn::make_error(movn::Errc::kCorruption, "read " + std::to_string(seen) + " entries, expected " +
                                                         std::to_string(last));
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]).empty() || std::string_view(argv[1]).starts_with("-"))
    return fail("usage: microovn-store-dump STORE_DIR");
  try {
    auto r = dump(argv[1]);
    if (!r.ok()) return fail(r.error().message);
    std::cout.flush();
    if (!std::cout) return fail("failed to write output");
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}
