#pragma once
// The record as files people cite and pay from: a project's authors as CITATION.cff
// (Citation File Format 1.2.0) and BibTeX, a round's payout as CSV. Pure formatting.

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "service/record.h"
#include "service/rewards.h"

namespace qiusuo {

// Authors with their CRediT roles (as comments), released at `to`.
std::string CitationCff(const std::string& title, const std::vector<Author>& authors,
                        UnixSeconds to);
// One @misc entry, keyed qiusuo-project-ID-YEAR, the roles in its note.
std::string BibTeX(std::int64_t project, const std::string& title,
                   const std::vector<Author>& authors, UnixSeconds to);
// handle,amount,currency,record_weight,points_received
std::string PayoutCsv(const RoundView& view);
// Minor units as a decimal amount: 123456 -> "1234.56".
std::string FormatMinor(std::int64_t minor);

}  // namespace qiusuo
