// A damaged store is refused with a clear error naming its path, and nothing is overwritten:
// a flipped byte in a table file, and one in the middle of the write-ahead log.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "eventlog/store.h"
#include "tests/support/temp_dir.h"

namespace movn::eventlog {
namespace {
using movn::testing::TempDir;
namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::map<std::string, std::string> snapshot_files(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().rfind("LOG", 0) != 0)
      out[e.path().filename().string()] = read_all(e.path());
  return out;
}

void flip_byte(const fs::path& p, std::size_t offset) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// Every file present before is still there, byte for byte.
void expect_unchanged(const std::map<std::string, std::string>& before,
                      const std::map<std::string, std::string>& after) {
  for (const auto& [name, bytes] : before) {
    ASSERT_TRUE(after.contains(name)) << name << " was removed";
    EXPECT_EQ(after.at(name), bytes) << name << " was overwritten";
  }
}

// Opening must fail as corruption, with an error naming the store's path.
void expect_refused(const fs::path& store) {
  auto r = Store::open(store);
  ASSERT_FALSE(r.ok()) << "a damaged store must not open";
  EXPECT_EQ(r.error().code, Errc::kCorruption) << r.error().message;
  EXPECT_NE(r.error().message.find(store.string()), std::string::npos) << r.error().message;
}

std::vector<fs::path> files_with_suffix(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == suffix) out.push_back(e.path());
  return out;
}

void fill(const fs::path& dir, int n, bool flush) {
  StoreOptions o;
  o.compression = Compression::kNone;
  auto s = Store::open(dir, o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::vector<Entry> es;
  for (int i = 1; i <= n; ++i)
    es.push_back(Entry{LogIndex(static_cast<std::uint64_t>(i)), Term(1), EntryType::kEventBatch,
                       "entry-" + std::to_string(i) + std::string(200, 'p')});
  ASSERT_TRUE((*s)->append(es).ok());
  if (flush) {
    ASSERT_TRUE((*s)->flush().ok());
  }
}

TEST(Corruption, FlippedByteInATableFileIsRefusedNamingThePath) {
  TempDir dir;
  const auto store = dir / "store";
  fill(store, 500, /*flush=*/true);
  auto ssts = files_with_suffix(store, ".sst");
  ASSERT_FALSE(ssts.empty());
  fs::path biggest = ssts.front();
  for (const auto& p : ssts)
    if (fs::file_size(p) > fs::file_size(biggest)) biggest = p;
  flip_byte(biggest, fs::file_size(biggest) / 3);
  auto before = snapshot_files(store);
  expect_refused(store);
  expect_unchanged(before, snapshot_files(store));
}

TEST(Corruption, FlippedByteInTheMiddleOfTheWalIsRefusedNamingThePath) {
  TempDir dir;
  const auto store = dir / "store";
  fill(store, 500, /*flush=*/false);
  auto wals = files_with_suffix(store, ".log");
  ASSERT_FALSE(wals.empty());
  fs::path wal = wals.front();
  for (const auto& p : wals)
    if (fs::file_size(p) > fs::file_size(wal)) wal = p;
  ASSERT_GT(fs::file_size(wal), 10000u);
  flip_byte(wal, fs::file_size(wal) / 2);
  auto before = snapshot_files(store);
  expect_refused(store);  // a corrupt WAL record must not be skipped silently
  expect_unchanged(before, snapshot_files(store));
}

TEST(Corruption, AnIncompleteRecordAtTheEndOfTheWalIsTolerated) {
  // A power cut while writing leaves a torn last record. It was never synced, so never
  // acknowledged: the store opens and every synced entry is there.
  TempDir dir;
  const auto store = dir / "store";
  fill(store, 50, /*flush=*/false);
  {
    auto s = Store::open(store);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE((*s)->put_links(std::vector{std::pair{LogIndex(1), Digest{}}}).ok());  // unsynced
  }
  auto wals = files_with_suffix(store, ".log");
  ASSERT_FALSE(wals.empty());
  fs::path wal = wals.front();
  for (const auto& p : wals)
    if (fs::last_write_time(p) > fs::last_write_time(wal)) wal = p;
  fs::resize_file(wal, fs::file_size(wal) - 7);
  auto r = Store::open(store);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->last_index(), LogIndex(50));
}

TEST(Corruption, IntactStoreOpensAfterBoth) {
  TempDir dir;
  fill(dir / "store", 50, true);
  auto r = Store::open(dir / "store");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->last_index(), LogIndex(50));
}

}  // namespace
}  // namespace movn::eventlog
