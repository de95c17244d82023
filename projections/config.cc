#include "projections/config.h"

#include <nlohmann/json.hpp>

namespace movn::projections {

void Config::apply(const events::Event& e, const ApplyContext&) {
  if (const auto* s = std::get_if<events::ConfigSet>(&e)) {
    values_[s->key] = s->value;
  } else if (const auto* d = std::get_if<events::ConfigDeleted>(&e)) {
    values_.erase(d->key);
  }
}

std::optional<std::string> Config::get(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Config::snapshot() const { return nlohmann::json(values_).dump(); }

Result<void> Config::restore(std::string_view bytes) {
  try {
    values_ = nlohmann::json::parse(bytes).get<std::map<std::string, std::string>>();
    return {};
  } catch (const std::exception& ex) {
    return make_error(Errc::kCorruption, std::string("config checkpoint does not parse: ") + ex.what());
  }
}

}  // namespace movn::projections
