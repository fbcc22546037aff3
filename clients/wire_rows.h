// Input rows (ledger/domain/rows.h) into their wire form (ledger.proto), field by field, as the
// CSV strings: the server validates them itself.
#ifndef DAFTAR_CLIENTS_WIRE_ROWS_H_
#define DAFTAR_CLIENTS_WIRE_ROWS_H_

#include "daftar/v1/ledger.pb.h"
#include "ledger/domain/rows.h"

namespace daftar::clients {

void ToWire(const domain::ContractRow& in, v1::ContractRow* out);
void ToWire(const domain::HireRow& in, v1::HireRow* out);
void ToWire(const domain::DeclarationRow& in, v1::DeclarationRow* out);

}  // namespace daftar::clients

#endif  // DAFTAR_CLIENTS_WIRE_ROWS_H_
