// daftar.v1.Rules: publishes rule sets (ledger.proto).
#ifndef DAFTAR_SERVICES_RULES_SERVICE_H_
#define DAFTAR_SERVICES_RULES_SERVICE_H_

#include "daftar/v1/ledger.grpc.pb.h"
#include "ledger/ledger.h"

namespace daftar::services {

// Thread-safe; does not own the ledger, which must outlive it.
class RulesService final : public v1::Rules::Service {
 public:
  explicit RulesService(Ledger& ledger) : ledger_(ledger) {}

  // Ledger::PublishRuleSet; its status as the call's.
  grpc::Status PublishRuleSet(grpc::ServerContext* context,
                              const v1::PublishRuleSetRequest* request,
                              v1::PublishRuleSetResponse* response) override;

 private:
  Ledger& ledger_;
};

}  // namespace daftar::services

#endif  // DAFTAR_SERVICES_RULES_SERVICE_H_
