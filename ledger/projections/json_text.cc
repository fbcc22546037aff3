// JSON text pieces of the report formats.
#include "ledger/projections/json_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/domain/money.h"

namespace daftar::projections {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonMad(int64_t centimes) {
  return absl::StrCat("\"", domain::FormatCentimes(centimes), "\"");
}

}  // namespace daftar::projections
