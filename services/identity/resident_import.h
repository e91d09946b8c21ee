// Bulk import and export of residents as CSV: the business rules, independent of gRPC.
// Each row goes through the same validation as CreateResident (Residents::NewRow).
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_H_

#include <functional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/import.pb.h"
#include "services/identity/resident_store.h"
#include "services/identity/residents.h"

namespace fangxian::identity {

inline constexpr size_t kMaxImportBytes = 4 << 20;
inline constexpr int kMaxReportedRejections = 1000;
inline constexpr int kMaxExportRows = 100000;
// Under the default 4 MiB message limit, with room for the rest of the response.
inline constexpr size_t kMaxExportBytes = 3 << 20;

// Splits a row validation error of Residents::NewRow ("resident.phone must be ...") into
// the CSV column it names ("phone") and the reason ("phone must be ..."). Column is empty
// when the message names none.
std::pair<std::string, std::string> ExplainRowError(const absl::Status& status);

class ResidentImport {
 public:
  ResidentImport(Residents& residents, ResidentStore& store, std::function<absl::Time()> clock,
                 int max_export_rows = kMaxExportRows)
      : residents_(residents),
        store_(store),
        clock_(std::move(clock)),
        max_export_rows_(max_export_rows) {}

  // Validates every row and commits the accepted ones (unless dry_run), each resident in
  // its own transaction with a "resident.import" audit row. Errors of the request as a
  // whole (area, size, header) are returned; errors of rows are in the report.
  absl::StatusOr<v1::ImportResidentsResponse> Import(const common::CallContext& call,
                                                     const v1::ImportResidentsRequest& req);
  // Masked CSV of the residents at or below req.area_code; audited before it is returned.
  absl::StatusOr<v1::ExportResidentsResponse> Export(const common::CallContext& call,
                                                     const v1::ExportResidentsRequest& req);

 private:
  Residents& residents_;
  ResidentStore& store_;
  std::function<absl::Time()> clock_;
  const int max_export_rows_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_H_
