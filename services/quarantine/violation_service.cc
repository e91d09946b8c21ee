#include "services/quarantine/violation_service.h"

namespace fangxian::quarantine {
namespace {

// Recording and handling a violation needs an officer: an admin of the area.
const common::AuthRule kOfficers{{"community_admin", "subdistrict_admin"}};
// Reading: officers, grid workers (their area's) and auditors.
const common::AuthRule kReaders{{"community_admin", "subdistrict_admin", "grid_worker", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* ViolationService::RecordViolation(
    grpc::CallbackServerContext* ctx, const v1::RecordViolationRequest* request,
    v1::Violation* response) {
  return common::Dispatch(runtime_, ctx, kOfficers, violations_, &Violations::Record, request,
                          response);
}

grpc::ServerUnaryReactor* ViolationService::ConfirmViolation(
    grpc::CallbackServerContext* ctx, const v1::ConfirmViolationRequest* request,
    v1::Violation* response) {
  return common::Dispatch(runtime_, ctx, kOfficers, violations_, &Violations::Confirm, request,
                          response);
}

grpc::ServerUnaryReactor* ViolationService::SetViolationOutcome(
    grpc::CallbackServerContext* ctx, const v1::SetViolationOutcomeRequest* request,
    v1::Violation* response) {
  return common::Dispatch(runtime_, ctx, kOfficers, violations_, &Violations::SetOutcome, request,
                          response);
}

grpc::ServerUnaryReactor* ViolationService::CloseViolation(grpc::CallbackServerContext* ctx,
                                                           const v1::CloseViolationRequest* request,
                                                           v1::Violation* response) {
  return common::Dispatch(runtime_, ctx, kOfficers, violations_, &Violations::Close, request,
                          response);
}

grpc::ServerUnaryReactor* ViolationService::GetViolation(grpc::CallbackServerContext* ctx,
                                                         const v1::GetViolationRequest* request,
                                                         v1::Violation* response) {
  return common::Dispatch(runtime_, ctx, kReaders, violations_, &Violations::Get, request,
                          response);
}

grpc::ServerUnaryReactor* ViolationService::ListViolations(grpc::CallbackServerContext* ctx,
                                                           const v1::ListViolationsRequest* request,
                                                           v1::ListViolationsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReaders, violations_, &Violations::List, request,
                          response);
}

}  // namespace fangxian::quarantine
