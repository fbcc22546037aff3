// Test helpers: a ledger on a temp directory, and a scenario imported into it in-process.
#ifndef DAFTAR_TESTS_SUPPORT_SCENARIO_HELPERS_H_
#define DAFTAR_TESTS_SUPPORT_SCENARIO_HELPERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ledger/domain/scenario.h"
#include "ledger/ledger.h"
#include "tests/support/temp_dir.h"

namespace daftar::testing {

// A fresh directory with a 0600 pepper file; removed on destruction.
class TempLedgerDir {
 public:
  TempLedgerDir();
  // data/ (the event store), pepper, subject-keys/ (the key store, made 0700 by the ledger).
  LedgerOptions Options() const;
  // The bytes of the pepper file (tests recompute pseudonyms with it).
  static std::string Pepper() { return std::string(32, 'k') + "test-pepper"; }
  const std::string& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

// Runs one step of PlanImport(scenario) through the ledger; adds what it wrote to
// *events_written when given.
absl::Status RunImportStep(Ledger& ledger, const domain::Scenario& scenario,
                           const domain::ImportStep& step, uint64_t* events_written = nullptr);

// Imports every step of PlanImport(scenario) through the ledger, in order. Returns the first
// error; counts events written into *events_written when given.
absl::Status ImportInProcess(Ledger& ledger, const domain::Scenario& scenario,
                             uint64_t* events_written = nullptr);

std::string ReadText(const std::string& path);

// A command's context: its request id and the acting identity recorded with its events.
CommandContext ContextAs(const std::string& request_id, const std::string& actor,
                         const std::string& role);

// Every record of the log, in order (fails the test on a read error).
std::vector<store::Record> ReadAllRecords(store::EventStore& store);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_SCENARIO_HELPERS_H_
