// JSON text pieces shared by the report formats of ledger/projections (balances, program report).
#ifndef DAFTAR_LEDGER_PROJECTIONS_JSON_TEXT_H_
#define DAFTAR_LEDGER_PROJECTIONS_JSON_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace daftar::projections {

// `s` as a JSON string literal, quotes included (RFC 8259 escaping: `"` and `\` escaped,
// control characters as \u00XX; other bytes as they are).
std::string JsonString(absl::string_view s);

// An amount as a JSON string of MAD with two decimals: "1234.50", "-120.50"
// (docs/input-contract.md "Balances report", via domain::FormatCentimes).
std::string JsonMad(int64_t centimes);

}  // namespace daftar::projections

#endif  // DAFTAR_LEDGER_PROJECTIONS_JSON_TEXT_H_
