#include "services/identity/audit.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::identity {

AuditEntry AuditFor(const common::CallContext& call, std::string action, std::string subject_type,
                    std::string subject_id, std::string area_code) {
  AuditEntry e;
  e.actor = call.principal.subject;
  e.action = std::move(action);
  e.subject_type = std::move(subject_type);
  e.subject_id = std::move(subject_id);
  e.area_code = std::move(area_code);
  e.request_id = call.request_id;
  return e;
}

absl::Status AppendAudit(common::PgConn& conn, const AuditEntry& e) {
  return conn
      .Exec(
          "INSERT INTO identity.audit_log (actor, action, subject_type, subject_id, area_code, "
          "purpose, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {e.actor, e.action, e.subject_type, e.subject_id, e.area_code, e.purpose, e.request_id,
           e.details})
      .status();
}

namespace {

// A ListAuditEntries page position: the last audit_id of the page (positive).
bool IsAuditId(absl::string_view text) {
  int64_t id = 0;
  return absl::SimpleAtoi(text, &id) && id > 0 && std::to_string(id) == text;
}

}  // namespace

const std::vector<absl::string_view> kAuditReaderRoles = {"auditor", "subdistrict_admin"};

absl::StatusOr<v1::ListAuditEntriesResponse> ListAudit(common::PgPool& pool,
                                                       const common::CallContext& call,
                                                       const v1::ListAuditEntriesRequest& req) {
  absl::StatusOr<int> page_size_or = common::PageSize(req.page_size(), 100, 500);
  if (!page_size_or.ok()) return page_size_or.status();
  const int page_size = *page_size_or;
  absl::StatusOr<std::string> after = common::DecodePageToken(req.page_token(), IsAuditId);
  if (!after.ok()) return after.status();
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!after->empty()) (void)absl::SimpleAtoi(*after, &before);
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", req.area_code());
  if (!areas.ok()) return areas.status();
  if (!req.subject_id().empty() && req.subject_type().empty()) {
    return absl::InvalidArgumentError("subject_id needs subject_type");
  }
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT audit_id, (extract(epoch from at) * 1000000)::int8, actor, action, subject_type, "
      "subject_id, area_code, purpose, request_id, details FROM identity.audit_log a "
      "WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) g "
      "              WHERE a.area_code = g OR a.area_code LIKE g || '.%') "
      "  AND ($2 = '' OR subject_type = $2) AND ($3 = '' OR subject_id = $3) "
      "  AND audit_id < $4 "
      "ORDER BY audit_id DESC LIMIT $5",
      {common::PgTextArray(*areas), req.subject_type(), req.subject_id(), std::to_string(before),
       std::to_string(page_size + 1)});
  if (!r.ok()) return r.status();
  v1::ListAuditEntriesResponse out;
  for (int i = 0; i < r->rows() && i < page_size; ++i) {
    v1::AuditEntry* e = out.add_entries();
    int64_t id = 0, micros = 0;
    (void)absl::SimpleAtoi(r->Get(i, 0), &id);
    (void)absl::SimpleAtoi(r->Get(i, 1), &micros);
    e->set_audit_id(id);
    *e->mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
    e->set_actor(std::string(r->Get(i, 2)));
    e->set_action(std::string(r->Get(i, 3)));
    e->set_subject_type(std::string(r->Get(i, 4)));
    e->set_subject_id(std::string(r->Get(i, 5)));
    e->set_area_code(std::string(r->Get(i, 6)));
    e->set_purpose(std::string(r->Get(i, 7)));
    e->set_request_id(std::string(r->Get(i, 8)));
    e->set_details(std::string(r->Get(i, 9)));
  }
  if (r->rows() > page_size) {
    out.set_next_page_token(
        common::EncodePageToken(std::to_string(out.entries(page_size - 1).audit_id())));
  }
  return out;
}

}  // namespace fangxian::identity
