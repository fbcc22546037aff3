// Checks the per-hire amounts that the oracle's author computed by hand
// (tests/oracle/HAND_COMPUTED.md, tests/oracle/expected/scenario-small.hand.json) against the
// events actually recorded in a store.
#ifndef DAFTAR_TESTS_SUPPORT_HAND_COMPUTED_H_
#define DAFTAR_TESTS_SUPPORT_HAND_COMPUTED_H_

#include <string>

#include "ledger/store/event_store.h"

namespace daftar::testing {

// For every hire of `hand_json` (found in `scenario_dir`/hires.csv by line), EXPECTs that its
// EntitlementAccrued events are exactly the listed (period, grant, tranche, accrued, capped), its
// ClawbackAssessed events the listed (period, amount), and its run length and state as listed.
// `pepper` is the server's pepper (to find the hire's pseudonymous stream). Returns the number
// of hires checked.
int ExpectHandComputedHires(store::EventStore& store, const std::string& pepper,
                            const std::string& scenario_dir, const std::string& hand_json);

}  // namespace daftar::testing

#endif  // DAFTAR_TESTS_SUPPORT_HAND_COMPUTED_H_
