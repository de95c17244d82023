// microovn-store-append: appends the bytes of FILE to a stopped member's store as a committed
// event-batch entry, as a damaged disk or a faulty peer could leave it, for the integration tests
// (tests/integration/damaged_log.bats). Usage: microovn-store-append STORE_DIR FILE
// Prints the index of the new entry.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "eventlog/store.h"

int main(int argc, char** argv) {
  namespace eventlog = movn::eventlog;
  if (argc != 3) {
    std::cerr << "usage: microovn-store-append STORE_DIR FILE\n";
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::cerr << "Error: cannot read " << argv[2] << "\n";
    return 1;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto opened = eventlog::Store::open(argv[1]);
  if (!opened.ok()) {
    std::cerr << "Error: " << opened.error().message << "\n";
    return 1;
  }
  auto& store = *opened.value();
  auto hs = store.hard_state();
  const auto index = store.last_index().next();
  hs.commit = index;
  std::vector<eventlog::Entry> entries{eventlog::Entry{index, hs.term, eventlog::EntryType::kEventBatch, bytes}};
  if (auto w = store.write(entries, hs, /*sync=*/true, std::nullopt); !w.ok()) {
    std::cerr << "Error: " << w.error().message << "\n";
    return 1;
  }
  std::cout << index.value << "\n";
  return 0;
}
