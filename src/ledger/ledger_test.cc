#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qiusuo::ledger {
namespace {

Contribution Entry(std::int64_t seq, std::string prev) {
  Contribution c;
  c.seq = seq;
  c.at = 1764460800 + seq;
  c.prev = std::move(prev);
  c.actor = "ada";
  c.contributor = seq % 2 ? "@bob" : "email:lin@example.org";
  c.kind = "review";
  if (seq % 3) c.project = 3;
  c.quantity_milli = seq * 1500;
  c.unit = "lines";
  c.evidence = "url:https://example.org/pr/" + std::to_string(seq);
  c.note = "said \"thanks\" \\ with a tab\t and 求索";
  c.self = seq == 2;
  if (seq == 4) c.corrects = 1;
  return c;
}

struct Export {
  std::vector<std::string> lines;
  std::string public_key;
  std::string text() const {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

Export MakeExport(int n) {
  crypto::SigningKey key = crypto::NewSigningKey();
  Export e{{}, key.public_key};
  std::vector<Hash> leaves;
  std::string prev;
  for (int i = 1; i <= n; ++i) {
    const std::string bytes = Encode(Entry(i, prev));
    const Hash leaf = LeafHash(bytes);
    e.lines.push_back(ExportLine(bytes, leaf));
    leaves.push_back(leaf);
    prev = Hex(leaf);
  }
  Checkpoint cp{n, RootOf(leaves), 1764470000, {}};
  SignCheckpoint(cp, key.secret_key);
  e.lines.push_back(CheckpointLine(cp, key.public_key));
  return e;
}

VerifyReport Verify(const std::string& text, std::optional<std::string> key = std::nullopt) {
  std::istringstream in(text);
  return VerifyExport(in, key);
}

TEST(LedgerEncoding, RoundTripsAndIsStrict) {
  const Contribution c = Entry(4, std::string(64, 'a'));
  const std::string bytes = Encode(c);
  EXPECT_TRUE(bytes.starts_with(R"({"v":1,"seq":4,"at":1764460804,"prev":"aaaa)"));
  EXPECT_NE(bytes.find(R"(\"thanks\" \\ with a tab\u0009 and 求索)"), std::string::npos) << bytes;
  auto back = Decode(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(Encode(*back), bytes);
  EXPECT_EQ(back->corrects, 1);
  // The same entry with a space, or keys in another order, is not canonical.
  std::string spaced = bytes;
  spaced.insert(1, " ");
  EXPECT_FALSE(Decode(spaced));
  EXPECT_FALSE(Decode(R"({"seq":4,"v":1})"));
  // Other spellings of the same values are not the entry either.
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string b = bytes;
    b.replace(b.find(from), from.size(), to);
    return b;
  };
  EXPECT_FALSE(Decode(replaced(R"("seq":4)", R"("seq":04)")));
  EXPECT_FALSE(Decode(replaced(R"("seq":4)", R"("seq":+4)")));
  EXPECT_FALSE(Decode(replaced(R"(\u0009)", R"(\t)")));
  EXPECT_FALSE(Decode(replaced(R"(\u0009)", R"(\u0009\/)")));
  EXPECT_FALSE(Decode(replaced(R"("self":false)", R"("self":0)")));
  EXPECT_FALSE(Decode(bytes + " "));
  EXPECT_FALSE(Decode(bytes.substr(0, bytes.size() - 1)));
}

TEST(LedgerExport, AnHonestExportVerifies) {
  const Export e = MakeExport(6);
  const VerifyReport r = Verify(e.text());
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.entries, 6);
  EXPECT_TRUE(Verify(e.text(), e.public_key).ok);
}

// Change any one byte of entry N (its hash, its bytes, its link) and verify names N.
TEST(LedgerExport, EveryOneByteChangeIsCaughtAtItsEntry) {
  const Export e = MakeExport(5);
  for (std::size_t n = 0; n < 5; ++n) {
    for (std::size_t i = 0; i < e.lines[n].size(); ++i) {
      Export bad = e;
      bad.lines[n][i] = static_cast<char>(bad.lines[n][i] ^ 0x01);
      const VerifyReport r = Verify(bad.text());
      ASSERT_FALSE(r.ok) << "entry " << n + 1 << " byte " << i;
      ASSERT_EQ(r.bad_seq, static_cast<std::int64_t>(n + 1))
          << "entry " << n + 1 << " byte " << i << ": " << r.message;
    }
  }
}

TEST(LedgerExport, ACheckpointThatDoesNotHoldFails) {
  const Export e = MakeExport(4);
  Export cut = e;
  cut.lines.erase(cut.lines.begin() + 3);  // the last entry dropped
  EXPECT_FALSE(Verify(cut.text()).ok);
  Export no_cp = e;
  no_cp.lines.pop_back();
  EXPECT_FALSE(Verify(no_cp.text()).ok);
  for (std::size_t i = 0; i < e.lines.back().size(); ++i) {
    Export bad = e;
    bad.lines.back()[i] = static_cast<char>(bad.lines.back()[i] ^ 0x01);
    ASSERT_FALSE(Verify(bad.text()).ok) << "checkpoint byte " << i;
  }
  // Someone else's key: the file's own signature holds, but not for the key we trust.
  EXPECT_FALSE(Verify(e.text(), crypto::NewSigningKey().public_key).ok);
}

// Found by fuzz/fuzz_ledger_export: a checkpoint's numbers that no int64 holds (or not
// whole) make it malformed, not an undefined cast.
TEST(LedgerExport, ACheckpointWithNumbersPastInt64IsMalformed) {
  const Export e = MakeExport(2);
  for (const std::string& at : {"1e41", "179633611111111111111111111111111111113", "1.5",
                                "18446744073709551615", "\"7\""}) {
    Export bad = e;
    std::string& cp = bad.lines.back();
    const auto start = cp.find("\"at\":") + 5;
    cp.replace(start, cp.find_first_of(",}", start) - start, at);
    const auto report = Verify(bad.text());
    EXPECT_FALSE(report.ok) << at;
    EXPECT_EQ(report.message, "the checkpoint line is malformed") << at;
  }
}

// Rewriting entries consistently (re-hashing and re-linking all that follow) is
// caught by the signed root, which no rewrite can reproduce.
TEST(LedgerExport, AConsistentRewriteIsCaughtByTheSignedRoot) {
  Export e = MakeExport(4);
  std::string prev = Hex(LeafHash(Encode(Entry(1, ""))));
  prev = Hex(LeafHash(Encode(Entry(2, prev))));
  for (int seq = 3; seq <= 4; ++seq) {
    Contribution c = Entry(seq, prev);
    c.quantity_milli = 999'000;
    const std::string bytes = Encode(c);
    e.lines[seq - 1] = ExportLine(bytes, LeafHash(bytes));
    prev = Hex(LeafHash(bytes));
  }
  const VerifyReport r = Verify(e.text());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("signed root"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace qiusuo::ledger
