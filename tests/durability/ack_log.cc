// See ack_log.h.
#include "tests/durability/ack_log.h"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace daftar::durability {
namespace {

constexpr size_t kOkFields = 6;       // ok id first written dedup expected
constexpr size_t kRefusedFields = 3;  // refused id code

// INVALID_ARGUMENT quoting the line (ack lines hold no personal data).
absl::Status BadLine(absl::string_view line, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("ack line \"", line, "\": ", why));
}

// Records one finding: counts it and keeps its description while there is room.
void Note(AckCheck& check, uint64_t& counter, std::string problem) {
  ++counter;
  if (check.problems.size() < kProblemsKeptMax) check.problems.push_back(std::move(problem));
}

// Whether `positions` (sorted) is one run without a gap.
bool IsOneRun(const std::vector<uint64_t>& positions) {
  return positions.empty() || positions.back() - positions.front() + 1 == positions.size();
}

// Compares one settled request with the records that carry its id.
void CheckOne(const AckEntry& ack, const std::vector<uint64_t>& found, AckCheck& check) {
  const std::string& id = ack.request_id;
  const uint64_t written = ack.events_written > 0 ? ack.events_written
                           : ack.deduplicated && ack.first_position > 0 ? ack.expected_events
                                                                        : 0;
  if (ack.refused || written == 0) {
    if (!found.empty()) {
      Note(check, check.phantom,
           absl::StrCat("phantom ", id, ": answered as writing nothing, yet ", found.size(),
                        " record(s) from position ", found.front()));
    }
    return;
  }
  const std::string where = absl::StrCat("answered [", ack.first_position, ", +", written, ")");
  if (found.empty()) {
    Note(check, check.lost, absl::StrCat("lost ", id, ": ", where, ", no record has it"));
  } else if (found.size() > written || !IsOneRun(found)) {
    Note(check, check.duplicated,
         absl::StrCat("duplicated ", id, ": ", where, ", ", found.size(),
                      " records from position ", found.front(), " to ", found.back()));
  } else if (found.size() < written) {
    Note(check, check.short_written,
         absl::StrCat("short ", id, ": ", where, ", only ", found.size(), " record(s)"));
  } else if (found.front() != ack.first_position) {
    Note(check, check.misplaced,
         absl::StrCat("misplaced ", id, ": ", where, ", records from ", found.front()));
  } else if (ack.events_written > 0 && ack.events_written != ack.expected_events) {
    Note(check, check.inconsistent,
         absl::StrCat("inconsistent ", id, ": wrote ", ack.events_written, " events, the request ",
                      "writes ", ack.expected_events));
  }
}

}  // namespace

std::string FormatAckLine(const AckEntry& entry) {
  if (entry.refused) {
    return absl::StrCat("refused ", entry.request_id, " ", entry.refusal_code, "\n");
  }
  return absl::StrCat("ok ", entry.request_id, " ", entry.first_position, " ",
                      entry.events_written, " ", entry.deduplicated ? 1 : 0, " ",
                      entry.expected_events, "\n");
}

absl::StatusOr<AckEntry> ParseAckLine(absl::string_view line) {
  std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
  AckEntry entry;
  if (fields.size() == kRefusedFields && fields[0] == "refused") {
    entry.refused = true;
    entry.request_id = std::string(fields[1]);
    entry.refusal_code = std::string(fields[2]);
    return entry;
  }
  if (fields.size() != kOkFields || fields[0] != "ok") return BadLine(line, "unknown shape");
  entry.request_id = std::string(fields[1]);
  int dedup = 0;
  if (!absl::SimpleAtoi(fields[2], &entry.first_position) ||
      !absl::SimpleAtoi(fields[3], &entry.events_written) || !absl::SimpleAtoi(fields[4], &dedup) ||
      (dedup != 0 && dedup != 1) || !absl::SimpleAtoi(fields[5], &entry.expected_events)) {
    return BadLine(line, "a number field is not a number");
  }
  entry.deduplicated = dedup == 1;
  return entry;
}

AckCheck CheckAcks(const std::vector<AckEntry>& acks, const PositionsById& positions) {
  AckCheck check;
  std::map<std::string, const AckEntry*> seen;
  static const std::vector<uint64_t> kNone;
  for (const AckEntry& ack : acks) {
    auto [it, fresh] = seen.emplace(ack.request_id, &ack);
    if (!fresh) {
      // A request is settled once; a second line for it must say the same.
      if (FormatAckLine(*it->second) != FormatAckLine(ack)) {
        Note(check, check.inconsistent,
             absl::StrCat("inconsistent ", ack.request_id, ": two ack lines disagree"));
      }
      continue;
    }
    ++(ack.refused ? check.refused : check.acknowledged);
    auto found = positions.find(ack.request_id);
    CheckOne(ack, found == positions.end() ? kNone : found->second, check);
  }
  return check;
}

}  // namespace daftar::durability
