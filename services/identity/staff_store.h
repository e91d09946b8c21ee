// Storage of staff accounts, their grants and login sessions; PgStaffStore ships.
#ifndef FANGXIAN_SERVICES_IDENTITY_STAFF_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_STAFF_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "services/identity/audit.h"

namespace fangxian::identity {

struct GrantRow {
  std::string role;
  std::string area_code;  // "" for a permission
};

struct StaffRow {
  std::string account_id;
  std::string username;
  std::string display_name;
  int kind = 0;
  std::string area_code;
  std::string password_hash;
  bool disabled = false;
  absl::Time locked_until = absl::InfinitePast();
  int64_t created_at_micros = 0;
  std::string created_by;
  std::vector<GrantRow> grants;
  std::string resident_id;  // kind RESIDENT only
};

struct SessionRow {
  std::string session_id;
  std::string account_id;
  std::string refresh_hash;
  absl::Time expires_at;
  bool ended = false;
};

class StaffStore {
 public:
  virtual ~StaffStore() = default;

  // Every change below is written with its `audit` row in one transaction.
  // ALREADY_EXISTS when the username is taken. `audit.subject_id` is filled in.
  virtual absl::StatusOr<StaffRow> Insert(const StaffRow& row, AuditEntry audit) = 0;
  // NOT_FOUND when absent. Grants included.
  virtual absl::StatusOr<StaffRow> Get(const std::string& account_id) = 0;
  virtual absl::StatusOr<StaffRow> FindByUsername(const std::string& username) = 0;
  virtual absl::StatusOr<int64_t> CountAccounts() = 0;
  virtual absl::Status SetDisabled(const std::string& account_id, bool disabled,
                                   const AuditEntry& audit) = 0;
  // ALREADY_EXISTS when granted already. The grantor is `audit.actor`.
  virtual absl::Status AddGrant(const std::string& account_id, const GrantRow& grant,
                                const AuditEntry& audit) = 0;
  // NOT_FOUND when there is no such grant.
  virtual absl::Status RemoveGrant(const std::string& account_id, const GrantRow& grant,
                                   const AuditEntry& audit) = 0;

  // Counts a failed login; at `max_failures` the account locks until now + `lock_for`
  // and the count restarts. One atomic statement, so parallel guesses all count.
  virtual absl::Status RecordLoginFailure(const std::string& account_id, int max_failures,
                                          absl::Duration lock_for) = 0;
  virtual absl::Status ResetLoginFailures(const std::string& account_id) = 0;

  // Returns the new session id.
  virtual absl::StatusOr<std::string> CreateSession(const std::string& account_id,
                                                    const std::string& refresh_hash,
                                                    absl::Time expires_at) = 0;
  virtual absl::StatusOr<SessionRow> GetSession(const std::string& session_id) = 0;
  // Replaces the refresh hash only if it still is `old_hash` and the session is live
  // (compare-and-set: of two racing refreshes one wins). False when it was not.
  virtual absl::StatusOr<bool> RotateRefresh(const std::string& session_id,
                                             const std::string& old_hash,
                                             const std::string& new_hash,
                                             absl::Time expires_at) = 0;
  // Ends live sessions; returns the ids ended (empty when none was live).
  virtual absl::StatusOr<std::vector<std::string>> EndSession(const std::string& session_id,
                                                              const std::string& reason) = 0;
  virtual absl::StatusOr<std::vector<std::string>> EndAllSessions(const std::string& account_id,
                                                                  const std::string& reason) = 0;
};

class PgStaffStore final : public StaffStore {
 public:
  explicit PgStaffStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<StaffRow> Insert(const StaffRow& row, AuditEntry audit) override;
  absl::StatusOr<StaffRow> Get(const std::string& account_id) override;
  absl::StatusOr<StaffRow> FindByUsername(const std::string& username) override;
  absl::StatusOr<int64_t> CountAccounts() override;
  absl::Status SetDisabled(const std::string& account_id, bool disabled,
                           const AuditEntry& audit) override;
  absl::Status AddGrant(const std::string& account_id, const GrantRow& grant,
                        const AuditEntry& audit) override;
  absl::Status RemoveGrant(const std::string& account_id, const GrantRow& grant,
                           const AuditEntry& audit) override;
  absl::Status RecordLoginFailure(const std::string& account_id, int max_failures,
                                  absl::Duration lock_for) override;
  absl::Status ResetLoginFailures(const std::string& account_id) override;
  absl::StatusOr<std::string> CreateSession(const std::string& account_id,
                                            const std::string& refresh_hash,
                                            absl::Time expires_at) override;
  absl::StatusOr<SessionRow> GetSession(const std::string& session_id) override;
  absl::StatusOr<bool> RotateRefresh(const std::string& session_id, const std::string& old_hash,
                                     const std::string& new_hash, absl::Time expires_at) override;
  absl::StatusOr<std::vector<std::string>> EndSession(const std::string& session_id,
                                                      const std::string& reason) override;
  absl::StatusOr<std::vector<std::string>> EndAllSessions(const std::string& account_id,
                                                          const std::string& reason) override;

 private:
  absl::StatusOr<StaffRow> Find(const std::string& where_column, const std::string& value);
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_STAFF_STORE_H_
