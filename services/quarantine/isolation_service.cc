#include "services/quarantine/isolation_service.h"

namespace fangxian::quarantine {
namespace {

using common::Dispatch;

// Who makes orders, changes their period and records signings: the grid workers who
// follow households up and the admins, within their scope.
const common::AuthRule kWriteOrders{{"grid_worker", "community_admin", "subdistrict_admin"}};
// Who reads one order: those, auditors, and a resident who is a member (checked by
// IsolationOrders::Visible; a resident's grant never opens other orders).
const common::AuthRule kReadOrder{
    {"grid_worker", "community_admin", "subdistrict_admin", "auditor", "resident"}};
// Who lists orders: staff and auditors, within their scope.
const common::AuthRule kReadOrders{
    {"grid_worker", "community_admin", "subdistrict_admin", "auditor"}};
// Who releases an order: officers only (issue 5, "Authorisation").
const common::AuthRule kRelease{{"community_admin", "subdistrict_admin"}};
// Who writes the official letter text: admins only.
const common::AuthRule kWriteTemplates{{"community_admin", "subdistrict_admin"}};
// Who records a household's signing: as for orders.
const common::AuthRule kWriteSignings{{"grid_worker", "community_admin", "subdistrict_admin"}};
// Who reads templates and signings: staff and auditors.
const common::AuthRule kReadLetters{
    {"grid_worker", "community_admin", "subdistrict_admin", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* IsolationService::CreateIsolationOrder(
    grpc::CallbackServerContext* ctx, const v1::CreateIsolationOrderRequest* request,
    v1::IsolationOrder* response) {
  return Dispatch(runtime_, ctx, kWriteOrders, orders_, &IsolationOrders::Create, request,
                  response);
}

grpc::ServerUnaryReactor* IsolationService::GetIsolationOrder(
    grpc::CallbackServerContext* ctx, const v1::GetIsolationOrderRequest* request,
    v1::IsolationOrder* response) {
  return Dispatch(runtime_, ctx, kReadOrder, orders_, &IsolationOrders::Get, request, response);
}

grpc::ServerUnaryReactor* IsolationService::ListIsolationOrders(
    grpc::CallbackServerContext* ctx, const v1::ListIsolationOrdersRequest* request,
    v1::ListIsolationOrdersResponse* response) {
  return Dispatch(runtime_, ctx, kReadOrders, orders_, &IsolationOrders::List, request, response);
}

grpc::ServerUnaryReactor* IsolationService::ListOrdersDueForRelease(
    grpc::CallbackServerContext* ctx, const v1::ListOrdersDueForReleaseRequest* request,
    v1::ListIsolationOrdersResponse* response) {
  return Dispatch(runtime_, ctx, kReadOrders, orders_, &IsolationOrders::ListDue, request,
                  response);
}

grpc::ServerUnaryReactor* IsolationService::ChangeIsolationPeriod(
    grpc::CallbackServerContext* ctx, const v1::ChangeIsolationPeriodRequest* request,
    v1::IsolationOrder* response) {
  return Dispatch(runtime_, ctx, kWriteOrders, orders_, &IsolationOrders::ChangePeriod, request,
                  response);
}

grpc::ServerUnaryReactor* IsolationService::ReleaseIsolationOrder(
    grpc::CallbackServerContext* ctx, const v1::ReleaseIsolationOrderRequest* request,
    v1::IsolationOrder* response) {
  return Dispatch(runtime_, ctx, kRelease, orders_, &IsolationOrders::Release, request, response);
}

grpc::ServerUnaryReactor* IsolationService::CreateLetterTemplate(
    grpc::CallbackServerContext* ctx, const v1::CreateLetterTemplateRequest* request,
    v1::LetterTemplate* response) {
  return Dispatch(runtime_, ctx, kWriteTemplates, letters_, &CommitmentLetters::CreateTemplate,
                  request, response);
}

grpc::ServerUnaryReactor* IsolationService::ReviseLetterTemplate(
    grpc::CallbackServerContext* ctx, const v1::ReviseLetterTemplateRequest* request,
    v1::LetterTemplate* response) {
  return Dispatch(runtime_, ctx, kWriteTemplates, letters_, &CommitmentLetters::ReviseTemplate,
                  request, response);
}

grpc::ServerUnaryReactor* IsolationService::GetLetterTemplate(
    grpc::CallbackServerContext* ctx, const v1::GetLetterTemplateRequest* request,
    v1::LetterTemplate* response) {
  return Dispatch(runtime_, ctx, kReadLetters, letters_, &CommitmentLetters::GetTemplate, request,
                  response);
}

grpc::ServerUnaryReactor* IsolationService::ListLetterTemplates(
    grpc::CallbackServerContext* ctx, const v1::ListLetterTemplatesRequest* request,
    v1::ListLetterTemplatesResponse* response) {
  return Dispatch(runtime_, ctx, kReadLetters, letters_, &CommitmentLetters::ListTemplates, request,
                  response);
}

grpc::ServerUnaryReactor* IsolationService::RecordLetterSigning(
    grpc::CallbackServerContext* ctx, const v1::RecordLetterSigningRequest* request,
    v1::LetterSigning* response) {
  return Dispatch(runtime_, ctx, kWriteSignings, letters_, &CommitmentLetters::RecordSigning,
                  request, response);
}

grpc::ServerUnaryReactor* IsolationService::ListLetterSignings(
    grpc::CallbackServerContext* ctx, const v1::ListLetterSigningsRequest* request,
    v1::ListLetterSigningsResponse* response) {
  return Dispatch(runtime_, ctx, kReadLetters, letters_, &CommitmentLetters::ListSignings, request,
                  response);
}

}  // namespace fangxian::quarantine
