// Conversions between absl::Status (used inside every module) and grpc::Status (used only
// at the RPC boundary), and the canonical gRPC code -> HTTP status table of the gateway.
#ifndef FANGXIAN_COMMON_STATUS_H_
#define FANGXIAN_COMMON_STATUS_H_

#include <string_view>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

// absl and gRPC share the canonical code numbers; the message passes through unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// "INVALID_ARGUMENT", "NOT_FOUND", ...; "UNKNOWN" for out-of-range values.
absl::string_view CodeName(grpc::StatusCode code);

// The standard table (google.rpc.Code): INVALID_ARGUMENT/FAILED_PRECONDITION/OUT_OF_RANGE
// 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS/ABORTED
// 409, RESOURCE_EXHAUSTED 429, CANCELLED 499, UNIMPLEMENTED 501, UNAVAILABLE 503,
// DEADLINE_EXCEEDED 504, OK 200, everything else 500.
int HttpStatusForCode(grpc::StatusCode code);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_STATUS_H_
