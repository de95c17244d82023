#include "eventlog/entry.h"

#include <cstring>

namespace movn::eventlog {

Digest chain_link(const Digest& prev, const Entry& e) {
  return chain_link(prev, EntryView{e.index, e.term, e.type, e.data});
}

Digest chain_link(const Digest& prev, const EntryView& e) {
  // One contiguous buffer, one digest call: prev || index || term || type || length || data.
  thread_local std::string buf;
  buf.resize(32 + 8 + 8 + 1 + 8 + e.data.size());
  char* p = buf.data();
  std::memcpy(p, prev.data(), 32);
  p += 32;
  auto put_u64 = [&p](std::uint64_t v) {
    for (int i = 7; i >= 0; --i) *p++ = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put_u64(e.index.value);
  put_u64(e.term.value);
  *p++ = static_cast<char>(e.type);
  put_u64(e.data.size());
  std::memcpy(p, e.data.data(), e.data.size());
  return sha256(buf);
}

}  // namespace movn::eventlog
