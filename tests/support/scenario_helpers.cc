#include "tests/support/scenario_helpers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ledger/store/limits.h"
#include "gtest/gtest.h"

namespace daftar::testing {

TempLedgerDir::TempLedgerDir() {
  const std::string pepper = path() + "/pepper";
  std::ofstream(pepper, std::ios::binary) << Pepper();
  chmod(pepper.c_str(), 0600);
}

LedgerOptions TempLedgerDir::Options() const {
  return LedgerOptions{.data_dir = path() + "/data",
                       .pepper_file = path() + "/pepper",
                       .key_store_dir = path() + "/subject-keys"};
}

absl::Status RunImportStep(Ledger& ledger, const domain::Scenario& s,
                           const domain::ImportStep& step, uint64_t* events_written) {
  CommandContext context;
  context.request_id = step.request_id;
  context.metadata.actor = "test-importer";
  context.metadata.role = "operator";
  uint64_t written = 0;
  absl::Status status;
  switch (step.kind) {
    case domain::ImportStep::Kind::kRuleSet: {
      auto r = ledger.PublishRuleSet(s.ruleset_json, "ruleset.json", context);
      status = r.status();
      if (r.ok()) written = r->events_written;
      break;
    }
    case domain::ImportStep::Kind::kContracts: {
      auto r = ledger.SignContracts(s.contracts, context);
      status = r.status();
      if (r.ok()) written = r->events_written;
      break;
    }
    case domain::ImportStep::Kind::kHires: {
      std::vector<domain::HireRow> rows;
      for (size_t i : step.hire_indexes) rows.push_back(s.hires[i]);
      auto r = ledger.DeclareHires(rows, context);
      status = r.status();
      if (r.ok()) written = r->write.events_written;
      break;
    }
    case domain::ImportStep::Kind::kMonth: {
      const domain::ScenarioMonth& m = s.months[step.month_index];
      auto rows = domain::LoadMonthRows(s, step.month_index);
      if (!rows.ok()) return rows.status();
      auto r = ledger.ImportDeclarationMonth(m.period, m.file, *rows, context);
      status = r.status();
      if (r.ok()) written = r->write.events_written;
      break;
    }
  }
  if (events_written != nullptr) *events_written += written;
  return status;
}

absl::Status ImportInProcess(Ledger& ledger, const domain::Scenario& s, uint64_t* events_written) {
  uint64_t written = 0;
  for (const domain::ImportStep& step : domain::PlanImport(s)) {
    if (absl::Status status = RunImportStep(ledger, s, step, &written); !status.ok()) {
      return status;
    }
  }
  if (events_written != nullptr) *events_written = written;
  return absl::OkStatus();
}

CommandContext ContextAs(const std::string& request_id, const std::string& actor,
                         const std::string& role) {
  CommandContext context;
  context.request_id = request_id;
  context.metadata.actor = actor;
  context.metadata.role = role;
  return context;
}

std::vector<store::Record> ReadAllRecords(store::EventStore& store) {
  std::vector<store::Record> all;
  for (uint64_t next = 1;;) {
    auto page = store.Read(next, store::kReadPageMax);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->empty()) break;
    next = page->back().position + 1;
    for (store::Record& r : *page) all.push_back(std::move(r));
  }
  return all;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace daftar::testing
