// The record's files: CITATION.cff, BibTeX and the payout CSV. Pure formatting.
#include "service/citation.h"

#include <gtest/gtest.h>

namespace qiusuo {
namespace {

constexpr UnixSeconds kJune2026 = 1'781'000'000;  // 2026-06-09

std::vector<Author> TwoAuthors() {
  return {{"@bob", "Bob \"the kernel\" Li", 2000, {"Software", "Investigation"}, 1},
          {"email:lin@example.org", "lin@example.org", 1000, {"Writing – review & editing"}, 2}};
}

TEST(CitationTest, MinorUnitsAreADecimalAmount) {
  EXPECT_EQ(FormatMinor(123456), "1234.56");
  EXPECT_EQ(FormatMinor(5), "0.05");
  EXPECT_EQ(FormatMinor(0), "0.00");
  EXPECT_EQ(FormatMinor(-150), "-1.50");
}

TEST(CitationTest, CffNamesMembersByAliasAndOutsidersByEmailWithQuotesEscaped) {
  const std::string cff = CitationCff("Sparse \"fast\" attention", TwoAuthors(), kJune2026);
  EXPECT_NE(cff.find("cff-version: 1.2.0\n"), std::string::npos) << cff;
  EXPECT_NE(cff.find("title: \"Sparse \\\"fast\\\" attention\"\n"), std::string::npos) << cff;
  EXPECT_NE(cff.find("date-released: 2026-06-09\n"), std::string::npos) << cff;
  EXPECT_NE(cff.find("  - name: \"Bob \\\"the kernel\\\" Li\"\n    alias: \"bob\"\n"),
            std::string::npos)
      << cff;
  EXPECT_NE(cff.find("  - name: \"lin@example.org\"\n    email: \"lin@example.org\"\n"),
            std::string::npos)
      << cff;
  EXPECT_NE(cff.find("#   Bob \"the kernel\" Li: Software; Investigation\n"), std::string::npos)
      << cff;
}

TEST(CitationTest, BibTeXIsOneMiscEntryKeyedByProjectAndYear) {
  const std::string bib = BibTeX(7, "Sparse attention", TwoAuthors(), kJune2026);
  EXPECT_EQ(bib.rfind("@misc{qiusuo-project-7-2026,\n", 0), 0u) << bib;
  EXPECT_NE(bib.find("author = {Bob \"the kernel\" Li and lin@example.org}"), std::string::npos)
      << bib;
  EXPECT_NE(bib.find("year = {2026}"), std::string::npos) << bib;
  EXPECT_NE(bib.find("note = {CRediT roles: Bob \"the kernel\" Li (Software, Investigation); "
                     "lin@example.org (Writing – review & editing)}"),
            std::string::npos)
      << bib;
}

TEST(CitationTest, PayoutCsvHasAHeaderAndOneLinePerPayee) {
  RoundView view;
  view.round.settings.currency = "EUR";
  view.payout = {{"ada", 2500, 3, 123456}, {"bob", 1005, 40, 7}};
  EXPECT_EQ(PayoutCsv(view),
            "handle,amount,currency,record_weight,points_received\n"
            "ada,1234.56,EUR,2.500,3\n"
            "bob,0.07,EUR,1.005,40\n");
}

}  // namespace
}  // namespace qiusuo
