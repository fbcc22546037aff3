// The trial balance fold (docs/MONEY.md "Chart of accounts").
#include "ledger/projections/trial_balance.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "ledger/projections/event_message.h"

namespace daftar::projections {
namespace {

namespace pb = google::protobuf;

// The `postings` field of the events.proto message named `event_type`, or nullptr.
const pb::FieldDescriptor* PostingsField(absl::string_view event_type,
                                         const pb::Descriptor** type) {
  *type = EventMessageType(event_type);
  if (*type == nullptr) return nullptr;
  const pb::FieldDescriptor* field = (*type)->FindFieldByName("postings");
  if (field == nullptr || !field->is_repeated() ||
      field->message_type() != v1::Posting::descriptor()) {
    return nullptr;
  }
  return field;
}

}  // namespace

absl::StatusOr<std::vector<v1::Posting>> PostingsOf(absl::string_view event_type,
                                                    absl::string_view payload) {
  const pb::Descriptor* type = nullptr;
  const pb::FieldDescriptor* field = PostingsField(event_type, &type);
  std::vector<v1::Posting> out;
  if (field == nullptr) return out;
  absl::StatusOr<std::unique_ptr<pb::Message>> parsed =
      ParseEventPayload(*type, event_type, payload);
  if (!parsed.ok()) return parsed.status();
  const pb::Message* message = parsed->get();
  const pb::Reflection* reflection = message->GetReflection();
  const int count = reflection->FieldSize(*message, field);
  out.reserve(count);
  for (int i = 0; i < count; ++i) {
    out.emplace_back().CopyFrom(reflection->GetRepeatedMessage(*message, field, i));
  }
  return out;
}

absl::Status TrialBalance::Apply(absl::string_view event_type, absl::string_view payload) {
  absl::StatusOr<std::vector<v1::Posting>> postings = PostingsOf(event_type, payload);
  if (!postings.ok()) return postings.status();
  if (postings->empty()) return absl::OkStatus();
  // The event's net change per account, checked whole before anything is folded.
  std::map<std::string, int64_t, std::less<>> delta;
  __int128 sum = 0;
  for (size_t i = 0; i < postings->size(); ++i) {
    const v1::Posting& p = (*postings)[i];
    if (p.account().empty() || p.amount_centimes() == 0) {
      return absl::InternalError(absl::StrCat(
          "event ", event_type, ": posting ", i, " (account \"", p.account(),
          "\", amount_centimes ", p.amount_centimes(),
          ") needs an account and an amount other than 0"));
    }
    sum += p.amount_centimes();
    if (__builtin_add_overflow(delta[p.account()], p.amount_centimes(), &delta[p.account()])) {
      return absl::InternalError(absl::StrCat("event ", event_type, ": postings to account ",
                                              p.account(), " leave int64 centimes"));
    }
  }
  if (sum != 0) {
    return absl::InternalError(absl::StrCat("event ", event_type, ": postings add up to ",
                                            static_cast<int64_t>(sum), " centimes, not 0"));
  }
  std::vector<std::pair<std::string, int64_t>> next;
  next.reserve(delta.size());
  for (const auto& [account, change] : delta) {
    int64_t balance = Balance(account);
    if (__builtin_add_overflow(balance, change, &balance)) {
      return absl::InternalError(absl::StrCat("event ", event_type, ": balance of account ",
                                              account, " leaves int64 centimes"));
    }
    next.emplace_back(account, balance);
  }
  for (auto& [account, balance] : next) balances_[std::move(account)] = balance;
  ++events_posted_;
  return absl::OkStatus();
}

absl::Status TrialBalance::Apply(const store::Record& record) {
  absl::Status status = Apply(record.event_type, record.payload);
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("position ", record.position, ": ",
                                                  status.message()));
}

int64_t TrialBalance::Balance(absl::string_view account) const {
  auto it = balances_.find(account);
  return it == balances_.end() ? 0 : it->second;
}

int64_t TrialBalance::Sum() const {
  __int128 sum = 0;
  for (const auto& [account, balance] : balances_) sum += balance;
  return static_cast<int64_t>(sum);
}

std::vector<std::string> TrialBalance::Accounts() const {
  std::vector<std::string> out;
  out.reserve(balances_.size());
  for (const auto& [account, balance] : balances_) out.push_back(account);
  return out;
}

}  // namespace daftar::projections
