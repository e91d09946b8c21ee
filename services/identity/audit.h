// The identity audit log: one append-only row per change and per unmasked read, written
// in the same transaction as the change it records (so neither exists without the
// other). Schema: migrations/004_audit_log.sql. Never put personal data in `details`.
#ifndef FANGXIAN_SERVICES_IDENTITY_AUDIT_H_
#define FANGXIAN_SERVICES_IDENTITY_AUDIT_H_

#include <string>

#include "absl/status/status.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.pb.h"

namespace fangxian::identity {

struct AuditEntry {
  std::string actor;         // token subject (CallContext.principal.subject)
  std::string action;        // "<subject_type>.<verb>", e.g. "resident.create"
  std::string subject_type;  // "resident", "household", "vehicle", "staff_account", ...
  std::string subject_id;
  std::string area_code;  // where the subject lives: auditors list by area
  std::string purpose;    // unmasked reads: the stated purpose
  std::string request_id;
  std::string details;  // free text, no personal data
};

// An entry with actor and request id taken from the call.
AuditEntry AuditFor(const common::CallContext& call, std::string action, std::string subject_type,
                    std::string subject_id, std::string area_code);

// Inserts `entry` on `conn`, which must be inside the transaction of the change.
absl::Status AppendAudit(common::PgConn& conn, const AuditEntry& entry);

// The roles that may read the audit log (within the areas of their grants).
extern const std::vector<absl::string_view> kAuditReaderRoles;

// Lists entries newest first for the areas the caller may audit. INVALID_ARGUMENT for a
// bad filter, page size or page token; PERMISSION_DENIED for an area filter outside
// the caller's scope.
absl::StatusOr<v1::ListAuditEntriesResponse> ListAudit(common::PgPool& pool,
                                                       const common::CallContext& call,
                                                       const v1::ListAuditEntriesRequest& req);

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_AUDIT_H_
