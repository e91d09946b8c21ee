// Persons of interest (returnees, close contacts, fever referrals): the business rules,
// independent of gRPC. Takes plain values and the caller's identity.
#ifndef FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_
#define FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"
#include "services/quarantine/person_store.h"

namespace fangxian::quarantine {

// The input rules of CreatePersonOfInterest that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. `now` decides which arrival dates are in the
// future (China Standard Time day). Output-only fields are ignored.
absl::Status ValidateNewPersonOfInterest(const v1::PersonOfInterest& in, absl::Time now);

class PersonsOfInterest {
 public:
  explicit PersonsOfInterest(PersonStore& store) : store_(store) {}

  // The caller's scope must cover in.area_code.
  absl::StatusOr<v1::PersonOfInterest> Create(const common::CallContext& call,
                                              const v1::PersonOfInterest& in, absl::Time now);
  // The caller's scope must cover the record's area_code.
  absl::StatusOr<v1::PersonOfInterest> Get(const common::CallContext& call,
                                           const std::string& person_id);

 private:
  PersonStore& store_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_
