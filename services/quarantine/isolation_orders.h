// Home isolation orders and commitment letters: the business rules, independent of gRPC.
// Take plain values and the caller's identity; households come from identity through
// HouseholdDirectory, with the caller's token.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ISOLATION_ORDERS_H_
#define FANGXIAN_SERVICES_QUARANTINE_ISOLATION_ORDERS_H_

#include <utility>

#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/isolation.pb.h"
#include "services/quarantine/household_directory.h"
#include "services/quarantine/isolation_rules.h"
#include "services/quarantine/isolation_store.h"

namespace fangxian::quarantine {

// The order as the API shows it, its state as of `today`.
v1::IsolationOrder OrderToProto(const IsolationOrderRow& row, absl::CivilDay today);

class IsolationOrders {
 public:
  IsolationOrders(IsolationStore& store, HouseholdDirectory& households, IsolationDefaults defaults,
                  common::RpcRuntime::Clock clock)
      : store_(store), households_(households), defaults_(defaults), clock_(std::move(clock)) {}

  absl::StatusOr<v1::IsolationOrder> Create(const common::CallContext& call,
                                            const v1::CreateIsolationOrderRequest& req);
  // Staff within scope, or a resident who is a member.
  absl::StatusOr<v1::IsolationOrder> Get(const common::CallContext& call,
                                         const v1::GetIsolationOrderRequest& req);
  absl::StatusOr<v1::ListIsolationOrdersResponse> List(const common::CallContext& call,
                                                       const v1::ListIsolationOrdersRequest& req);
  absl::StatusOr<v1::ListIsolationOrdersResponse> ListDue(
      const common::CallContext& call, const v1::ListOrdersDueForReleaseRequest& req);
  absl::StatusOr<v1::IsolationOrder> ChangePeriod(const common::CallContext& call,
                                                  const v1::ChangeIsolationPeriodRequest& req);
  // The method's roles are officers only; the scope check counts only their grants.
  absl::StatusOr<v1::IsolationOrder> Release(const common::CallContext& call,
                                             const v1::ReleaseIsolationOrderRequest& req);

  // The order, when the caller's grants of the method's roles cover its area; NOT_FOUND
  // otherwise (missing and out of scope are not told apart).
  absl::StatusOr<IsolationOrderRow> Visible(const common::CallContext& call,
                                            const std::string& order_id);

 private:
  IsolationStore& store_;
  HouseholdDirectory& households_;
  const IsolationDefaults defaults_;
  common::RpcRuntime::Clock clock_;
};

class CommitmentLetters {
 public:
  CommitmentLetters(LetterStore& store, IsolationStore& orders, HouseholdDirectory& households,
                    common::RpcRuntime::Clock clock)
      : store_(store), orders_(orders), households_(households), clock_(std::move(clock)) {}

  absl::StatusOr<v1::LetterTemplate> CreateTemplate(const common::CallContext& call,
                                                    const v1::CreateLetterTemplateRequest& req);
  absl::StatusOr<v1::LetterTemplate> ReviseTemplate(const common::CallContext& call,
                                                    const v1::ReviseLetterTemplateRequest& req);
  absl::StatusOr<v1::LetterTemplate> GetTemplate(const common::CallContext& call,
                                                 const v1::GetLetterTemplateRequest& req);
  absl::StatusOr<v1::ListLetterTemplatesResponse> ListTemplates(
      const common::CallContext& call, const v1::ListLetterTemplatesRequest& req);
  absl::StatusOr<v1::LetterSigning> RecordSigning(const common::CallContext& call,
                                                  const v1::RecordLetterSigningRequest& req);
  absl::StatusOr<v1::ListLetterSigningsResponse> ListSignings(
      const common::CallContext& call, const v1::ListLetterSigningsRequest& req);

 private:
  LetterStore& store_;
  IsolationStore& orders_;
  HouseholdDirectory& households_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ISOLATION_ORDERS_H_
