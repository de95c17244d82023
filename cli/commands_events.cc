// `microovn events list`: the event history (the replicated log) as a table or JSON.
#include <charconv>

#include "cli/commands.h"
#include "cli/http_client.h"

namespace movn::cli {
namespace {

const std::vector<std::string> kEventFormats = {"table", "json"};

struct EventsListFlags {
  std::string since;  // digits only; CLI11 would wrap "-1" into a huge unsigned number
  CLI::Option* since_option = nullptr;
  std::string type;
  std::string member;
  std::string format = "table";
};

Result<std::uint64_t> parse_log_index(const std::string& text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return make_error(Errc::kInvalidArgument,
                      "\"" + text + "\" is not a log index (want a non-negative integer)");
  }
  return value;
}

// Log entries per `GET /1.0/events` call.
constexpr std::uint64_t kEventPageEntries = 10'000;

Result<std::string> run_events_list(const GlobalOptions& global, const EventsListFlags& flags) {
  auto format = parse_output_format(flags.format);
  if (!format.ok()) return std::move(format).error();
  std::optional<std::uint64_t> since;
  if (flags.since_option->count() > 0) {
    auto index = parse_log_index(flags.since);
    if (!index.ok()) return std::move(index).error();
    since = *index;
  }
  // Page through the log kEventPageEntries entries at a time, up to the index applied now.
  auto client = global.client();
  auto stats = client.get("/1.0/stats");
  if (!stats.ok()) return std::move(stats).error();
  auto applied = uint_field(*stats, "applied_index", "stats");
  if (!applied.ok()) return std::move(applied).error();
  Json all = Json::array();
  std::uint64_t from = std::max<std::uint64_t>(since.value_or(1), 1);
  do {
    std::string query = events_query(from, flags.type, flags.member) + "&limit=" + std::to_string(kEventPageEntries);
    auto page = client.get("/1.0/events" + query);
    if (!page.ok()) return std::move(page).error();
    if (!page->is_array()) return invalid_response("the event list is not an array");
    for (auto& e : *page) all.push_back(std::move(e));
    from += kEventPageEntries;
  } while (from <= *applied);
  return render_event_list(all, *format);
}

}  // namespace

std::string events_query(const std::optional<std::uint64_t>& since, const std::string& type,
                         const std::string& member) {
  std::string query;
  auto append = [&](std::string_view key, const std::string& value) {
    query += query.empty() ? '?' : '&';
    query += key;
    query += '=';
    query += url_encode(value);
  };
  if (since.has_value()) append("since", std::to_string(*since));
  if (!type.empty()) append("type", type);
  if (!member.empty()) append("member", member);
  return query;
}

Result<std::string> render_event_list(const Json& events, OutputFormat format) {
  if (!events.is_array()) return invalid_response("the event list is not an array");
  Table table{{"INDEX", "TIME", "TYPE", "ACTOR", "SUMMARY"}, {}};
  Json raw = Json::array();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& event = events[i];
    const std::string what = "event " + std::to_string(i);
    if (!event.is_object()) return invalid_response(what + " is not an object");
    auto index = uint_field(event, "index", what);
    if (!index.ok()) return std::move(index).error();
    Row row{std::to_string(*index)};
    for (const char* key : {"time", "type", "actor", "summary"}) {
      auto value = string_field(event, key, what);
      if (!value.ok()) return std::move(value).error();
      row.push_back(std::move(*value));
    }
    table.rows.push_back(std::move(row));
    Json copy = event;
    copy.erase("summary");
    raw.push_back(std::move(copy));
  }
  // The daemon answers in log order; the table keeps it.
  return render(format, table, raw);
}

void add_events_commands(CLI::App& root, CommandRegistry& registry, const GlobalOptions& global) {
  CLI::App* events = add_group(root, "events", "Inspect the cluster's event history");
  auto flags = std::make_shared<EventsListFlags>();
  CLI::App* cmd = events->add_subcommand("list", "List events, oldest first");
  flags->since_option =
      cmd->add_option("--since", flags->since, "Only entries with log index >= IDX")
          ->type_name("IDX")
          ->check(CLI::Validator(
              [](std::string& value) -> std::string {
                auto index = parse_log_index(value);
                return index.ok() ? std::string() : index.error().message;
              },
              "IDX", "log index"));
  cmd->add_option("--type", flags->type, "Only events of this type (see docs/events.md)")
      ->type_name("TYPE");
  cmd->add_option("--member", flags->member, "Only events about this member")->type_name("NAME");
  cmd->add_option("-f,--format", flags->format, "Format (table|json)")
      ->capture_default_str()
      ->check(format_validator(kEventFormats));
  registry.add(cmd, [&global, flags]() { return run_events_list(global, *flags); });
}

}  // namespace movn::cli
