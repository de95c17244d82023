#include "eventlog/store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace movn::eventlog {
namespace {
using movn::testing::TempDir;

Entry make(std::uint64_t i, std::uint64_t term, std::string data) {
  return Entry{LogIndex(i), Term(term), EntryType::kEventBatch, std::move(data)};
}

std::unique_ptr<Store> open_ok(const std::filesystem::path& p, StoreOptions o = {}) {
  auto r = Store::open(p, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(Store, AppendAndReadBack) {
  TempDir dir;
  auto s = open_ok(dir / "store");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_index(), LogIndex(0));
  std::vector<Entry> es = {make(1, 1, "a"), make(2, 1, "b"), make(3, 2, "c")};
  ASSERT_TRUE(s->append(es).ok());
  EXPECT_EQ(s->last_index(), LogIndex(3));
  auto got = s->entries(LogIndex(1), LogIndex(4));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, es);
  EXPECT_EQ(s->entry(LogIndex(2))->data, "b");
  EXPECT_FALSE(s->entries(LogIndex(2), LogIndex(5)).ok());
  EXPECT_FALSE(s->entries(LogIndex(0), LogIndex(2)).ok());
}

TEST(Store, SurvivesReopen) {
  TempDir dir;
  {
    auto s = open_ok(dir / "store");
    ASSERT_TRUE(s->append(std::vector{make(1, 1, "x"), make(2, 1, "y")}).ok());
    ASSERT_TRUE(s->save_hard_state(HardState{Term(3), NodeId(2), LogIndex(2)}).ok());
  }
  auto s = open_ok(dir / "store");
  EXPECT_EQ(s->last_index(), LogIndex(2));
  EXPECT_EQ(s->hard_state(), (HardState{Term(3), NodeId(2), LogIndex(2)}));
  EXPECT_EQ(s->entry(LogIndex(1))->data, "x");
}

TEST(Store, RefusesGapsAndNonContiguousAppends) {
  TempDir dir;
  auto s = open_ok(dir / "store");
  EXPECT_FALSE(s->append(std::vector{make(2, 1, "gap")}).ok());
  EXPECT_FALSE(s->append(std::vector{make(1, 1, "a"), make(3, 1, "c")}).ok());
  EXPECT_EQ(s->last_index(), LogIndex(0));
}

TEST(Store, AppendOverlappingReplacesTail) {
  TempDir dir;
  auto s = open_ok(dir / "store");
  ASSERT_TRUE(s->append(std::vector{make(1, 1, "a"), make(2, 1, "b"), make(3, 1, "c")}).ok());
  ASSERT_TRUE(s->append(std::vector{make(2, 2, "B")}).ok());
  EXPECT_EQ(s->last_index(), LogIndex(2));
  EXPECT_EQ(s->entry(LogIndex(2))->term, Term(2));
  EXPECT_FALSE(s->entry(LogIndex(3)).ok());
}

TEST(Store, TruncateFrom) {
  TempDir dir;
  {
    auto s = open_ok(dir / "store");
    ASSERT_TRUE(s->append(std::vector{make(1, 1, "a"), make(2, 1, "b"), make(3, 1, "c")}).ok());
    ASSERT_TRUE(s->put_links(std::vector{std::pair{LogIndex(3), Digest{}}}).ok());
    ASSERT_TRUE(s->truncate_from(LogIndex(2)).ok());
    EXPECT_EQ(s->last_index(), LogIndex(1));
    EXPECT_EQ(s->last_linked_index(), LogIndex(1));
  }
  auto s = open_ok(dir / "store");
  EXPECT_EQ(s->last_index(), LogIndex(1));
  EXPECT_FALSE(s->link(LogIndex(3))->has_value());
  ASSERT_TRUE(s->append(std::vector{make(2, 2, "z")}).ok());
  EXPECT_EQ(s->entry(LogIndex(2))->data, "z");
}

TEST(Store, HashChainLinksDependOnEveryByte) {
  TempDir dir;
  auto s = open_ok(dir / "store");
  std::vector<Entry> es = {make(1, 1, "a"), make(2, 1, "b"), make(3, 1, "c")};
  ASSERT_TRUE(s->append(es).ok());
  std::vector<std::pair<LogIndex, Digest>> links;
  Digest prev = kGenesisLink;
  for (const auto& e : es) {
    prev = chain_link(prev, e);
    links.emplace_back(e.index, prev);
  }
  ASSERT_TRUE(s->put_links(links).ok());
  EXPECT_EQ(s->last_linked_index(), LogIndex(3));
  // Recompute from the stored entries: it must verify.
  Digest check = kGenesisLink;
  auto stored = s->entries(LogIndex(1), LogIndex(4));
  ASSERT_TRUE(stored.ok());
  for (const auto& e : *stored) {
    check = chain_link(check, e);
    EXPECT_EQ(check, **s->link(e.index));
  }
  // A changed byte, term or index changes the link.
  Entry changed = es[1];
  changed.data = "B";
  EXPECT_NE(chain_link(links[0].second, changed), links[1].second);
  changed = es[1];
  changed.term = Term(2);
  EXPECT_NE(chain_link(links[0].second, changed), links[1].second);
  EXPECT_NE(chain_link(kGenesisLink, es[1]), links[1].second);
}

TEST(Store, RefusesForeignIdentityNamingThePath) {
  TempDir dir;
  {
    auto s = open_ok(dir / "store");
    ASSERT_TRUE(s->bind_identity(StoreIdentity{"cluster-a", "movn1"}).ok());
    EXPECT_TRUE(s->bind_identity(StoreIdentity{"cluster-a", "movn1"}).ok());
  }
  auto s = open_ok(dir / "store");
  ASSERT_TRUE(s->identity().has_value());
  EXPECT_EQ(s->identity()->member_name, "movn1");
  EXPECT_TRUE(s->check_identity(StoreIdentity{"cluster-a", "movn1"}).ok());
  for (auto other : {StoreIdentity{"cluster-b", "movn1"}, StoreIdentity{"cluster-a", "movn2"}}) {
    auto r = s->check_identity(other);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find((dir / "store").string()), std::string::npos) << r.error().message;
    EXPECT_FALSE(s->bind_identity(other).ok());
  }
  EXPECT_EQ(s->identity()->cluster_id, "cluster-a");
}

TEST(Store, Checkpoints) {
  TempDir dir;
  auto s = open_ok(dir / "store");
  ASSERT_TRUE(s->put_checkpoint("membership", "state").ok());
  EXPECT_EQ(**s->checkpoint("membership"), "state");
  EXPECT_FALSE(s->checkpoint("tokens")->has_value());
  ASSERT_TRUE(s->drop_checkpoints().ok());
  EXPECT_FALSE(s->checkpoint("membership")->has_value());
}

TEST(Store, ReadOnlyOpenOfMissingStoreFails) {
  TempDir dir;
  StoreOptions o;
  o.read_only = true;
  auto r = Store::open(dir / "nothing", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nothing"), std::string::npos);
}

}  // namespace
}  // namespace movn::eventlog
