// Storage of "love knocking" service requests behind a small interface;
// PgServiceRequestStore is the one that ships.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/paging.h"
#include "common/pg.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"
#include "services/quarantine/access.h"

namespace fangxian::quarantine {

// The household's active isolation order.
struct HouseholdOrder {
  std::string order_id;
  std::string area_code;
};

// Which requests a list returns; empty fields do not filter.
struct ServiceRequestFilter {
  std::string area_code;     // this area or below
  std::string member;        // orders this resident is a member of
  std::string household_id;  // one household
  std::string volunteer;     // assigned to this volunteer
  int status = 0;            // v1::ServiceRequestStatus number
  // When not empty: only requests of one of these areas or below (a volunteer's scope).
  std::vector<std::string> any_of_areas;
};

class ServiceRequestStore {
 public:
  virtual ~ServiceRequestStore() = default;
  // The household's unreleased order whose start_date is `today` or earlier;
  // std::nullopt when there is none.
  virtual absl::StatusOr<std::optional<HouseholdOrder>> ActiveOrderOf(
      const std::string& household_id, absl::CivilDay today) = 0;
  // The active order (unreleased, started by `today`) `resident_id` is a member of;
  // std::nullopt when none.
  virtual absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOfMember(
      const std::string& resident_id, absl::CivilDay today) = 0;
  // Whether `resident_id` is a member of the order.
  virtual absl::StatusOr<bool> IsMember(const std::string& order_id,
                                        const std::string& resident_id) = 0;
  // Inserts `request` (status, times and creator filled by the caller) and returns it
  // with its request_id.
  virtual absl::StatusOr<v1::ServiceRequest> Insert(const v1::ServiceRequest& request) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<v1::ServiceRequest> Get(const std::string& request_id) = 0;
  // In one transaction: locks the request (NOT_FOUND when absent), lets `change` decide
  // its new state from the current one (its error is returned, nothing written), and
  // writes the status and the assignment, delivery, confirmation and cancellation fields.
  virtual absl::StatusOr<v1::ServiceRequest> Update(
      const std::string& request_id,
      const std::function<absl::StatusOr<v1::ServiceRequest>(const v1::ServiceRequest&)>&
          change) = 0;
  // Newest first, after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<v1::ServiceRequest>> List(
      const ServiceRequestFilter& filter, const std::optional<common::TimeIdPosition>& after,
      int limit) = 0;
};

class PgServiceRequestStore final : public ServiceRequestStore {
 public:
  explicit PgServiceRequestStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::optional<HouseholdOrder>> ActiveOrderOf(const std::string& household_id,
                                                              absl::CivilDay today) override;
  absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOfMember(const std::string& resident_id,
                                                                 absl::CivilDay today) override;
  absl::StatusOr<bool> IsMember(const std::string& order_id,
                                const std::string& resident_id) override;
  absl::StatusOr<v1::ServiceRequest> Insert(const v1::ServiceRequest& request) override;
  absl::StatusOr<v1::ServiceRequest> Get(const std::string& request_id) override;
  absl::StatusOr<v1::ServiceRequest> Update(
      const std::string& request_id,
      const std::function<absl::StatusOr<v1::ServiceRequest>(const v1::ServiceRequest&)>& change)
      override;
  absl::StatusOr<std::vector<v1::ServiceRequest>> List(
      const ServiceRequestFilter& filter, const std::optional<common::TimeIdPosition>& after,
      int limit) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_STORE_H_
