// Strong ids: distinct types for log indexes, terms and node ids, so they cannot be mixed up.
// Plain value types; thread-safe as values.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace movn {

template <class Tag, class Rep>
struct StrongId {
  Rep value{};
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value(v) {}
  constexpr auto operator<=>(const StrongId&) const = default;
  constexpr StrongId next() const { return StrongId(value + 1); }
  constexpr StrongId prev() const { return StrongId(value - 1); }
};

using LogIndex = StrongId<struct LogIndexTag, std::uint64_t>;
using Term = StrongId<struct TermTag, std::uint64_t>;
using NodeId = StrongId<struct NodeIdTag, std::uint64_t>;
// Milliseconds since the Unix epoch, stamped by the appending member (docs/design.md §2a).
using ClusterTimeMs = StrongId<struct ClusterTimeTag, std::uint64_t>;

}  // namespace movn

template <class Tag, class Rep>
struct std::hash<movn::StrongId<Tag, Rep>> {
  std::size_t operator()(const movn::StrongId<Tag, Rep>& id) const noexcept {
    return std::hash<Rep>{}(id.value);
  }
};
