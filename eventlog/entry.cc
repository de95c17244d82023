#include "eventlog/entry.h"

namespace movn::eventlog {

Digest chain_link(const Digest& prev, const Entry& e) {
  return chain_link(prev, EntryView{e.index, e.term, e.type, e.data});
}

Digest chain_link(const Digest& prev, const EntryView& e) {
  thread_local Sha256 h;
  h.update(std::span<const std::uint8_t>(prev));
  h.update_u64(e.index.value).update_u64(e.term.value);
  std::uint8_t type = static_cast<std::uint8_t>(e.type);
  h.update(std::span<const std::uint8_t>(&type, 1));
  h.update_field(e.data);
  return h.finish();
}

}  // namespace movn::eventlog
