// Config projection: the cluster-wide configuration keys and values (`microovn config`).
// Single-threaded (core thread).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "projections/projection.h"

namespace movn::projections {

class Config final : public Projection {
 public:
  std::string_view name() const override { return "config"; }
  void apply(const events::Event& e, const ApplyContext& ctx) override;
  std::string snapshot() const override;
  Result<void> restore(std::string_view bytes) override;

  std::optional<std::string> get(std::string_view key) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace movn::projections
