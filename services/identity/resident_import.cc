#include "services/identity/resident_import.h"

#include <chrono>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/validate.h"
#include "services/identity/audit.h"
#include "services/identity/id_number.h"
#include "services/identity/resident_csv.h"

namespace fangxian::identity {
namespace {

constexpr absl::string_view kColumns[] = {"name", "id_number", "phone", "area_code",
                                          "household_card_number"};
constexpr size_t kRequiredColumns = 4;
// Accepted rows per transaction: few fsyncs for a large file, short lock hold times.
constexpr size_t kBatchRows = 500;
constexpr int kExportPage = 1000;

constexpr char kHeaderHelp[] =
    "the first row must be the header name,id_number,phone,area_code"
    "[,household_card_number]";

bool IsHeader(const CsvRecord& record) {
  if (!record.error.empty() || record.fields.size() < kRequiredColumns ||
      record.fields.size() > std::size(kColumns)) {
    return false;
  }
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(record.fields[i])) != kColumns[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::pair<std::string, std::string> ExplainRowError(const absl::Status& status) {
  absl::string_view reason = status.message();
  absl::ConsumePrefix(&reason, "resident.");
  size_t end = 0;
  while (end < reason.size() && (absl::ascii_islower(reason[end]) || reason[end] == '_')) ++end;
  std::string column(reason.substr(0, end));
  if (std::find(std::begin(kColumns), std::end(kColumns), column) == std::end(kColumns)) {
    column.clear();
  }
  return {column, std::string(reason)};
}

absl::StatusOr<v1::ImportResidentsResponse> ResidentImport::Import(
    const common::CallContext& call, const v1::ImportResidentsRequest& req) {
  if (req.csv().size() > kMaxImportBytes) {
    return absl::InvalidArgumentError("csv is over 4 MiB; split the file");
  }
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  CsvReader reader(req.csv());
  CsvRecord record;
  if (!reader.Next(&record))
    return absl::InvalidArgumentError(absl::StrCat("csv is empty; ", kHeaderHelp));
  if (!IsHeader(record)) {
    return absl::InvalidArgumentError(absl::StrCat("csv line ", record.line, ": ", kHeaderHelp));
  }
  const size_t columns = record.fields.size();
  const absl::Time now = clock_();

  v1::ImportResidentsResponse out;
  out.set_dry_run(req.dry_run());
  auto reject = [&](absl::string_view column, std::string reason) {
    out.set_rejected_count(out.rejected_count() + 1);
    if (out.rejections_size() >= kMaxReportedRejections) {
      out.set_rejections_truncated(true);
      return;
    }
    v1::ImportRejection* r = out.add_rejections();
    r->set_line(record.line);
    r->set_column(std::string(column));
    r->set_reason(std::move(reason));
  };
  // A dry run writes nothing, so repeats within the file are found here (keyed hashes
  // only, never the numbers).
  std::set<std::string> dry_run_seen;
  auto count = [&](bool created) {
    if (created) {
      out.set_created_count(out.created_count() + 1);
    } else {
      out.set_already_present_count(out.already_present_count() + 1);
    }
  };
  // Accepted rows are committed kBatchRows at a time, each with its audit row.
  std::vector<ResidentRow> batch;
  std::vector<AuditEntry> audits;
  std::vector<std::string> household_ids;
  int64_t batch_first_line = 0;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    absl::StatusOr<std::vector<bool>> created =
        store_.InsertBatch(batch, std::move(audits), household_ids);
    if (!created.ok()) {
      return absl::Status(
          created.status().code(),
          absl::StrCat("import stopped in the batch from line ", batch_first_line, ": ",
                       created.status().message(),
                       "; earlier batches are committed, re-run the same file to continue"));
    }
    for (bool c : *created) count(c);
    batch.clear();
    audits.clear();
    household_ids.clear();
    return absl::OkStatus();
  };
  while (reader.Next(&record)) {
    // Stopping is safe: every committed row stays, and a re-run skips them.
    if (std::chrono::system_clock::now() > call.deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("import stopped at line ", record.line,
                       "; the rows before it are committed, re-run the same file to continue"));
    }
    if (!record.error.empty()) {
      reject("", record.error);
      continue;
    }
    if (record.fields.size() != columns) {
      reject("", absl::StrCat("expected ", columns, " fields as in the header, found ",
                              record.fields.size()));
      continue;
    }
    v1::Resident in;
    in.set_name(std::string(absl::StripAsciiWhitespace(record.fields[0])));
    in.set_id_number(record.fields[1]);
    in.set_phone(std::string(absl::StripAsciiWhitespace(record.fields[2])));
    in.set_area_code(std::string(absl::StripAsciiWhitespace(record.fields[3])));
    absl::StatusOr<ResidentRow> row = residents_.NewRow(call, in, now);
    if (!row.ok()) {
      auto [column, reason] = ExplainRowError(row.status());
      reject(column, std::move(reason));
      continue;
    }
    if (!common::AreaWithin(row->area_code, req.area_code())) {
      reject("area_code", absl::StrCat("area_code ", row->area_code,
                                       " is not at or below the import's area ", req.area_code()));
      continue;
    }
    // The household to join: it must exist within the caller's scope, and the resident
    // must live at its area or below.
    std::string household_id;
    const std::string card = columns > kRequiredColumns
                                 ? std::string(absl::StripAsciiWhitespace(record.fields[4]))
                                 : std::string();
    if (!card.empty()) {
      absl::StatusOr<std::pair<std::string, std::string>> household =
          store_.FindHouseholdByCard(card);
      if (!household.ok() && !absl::IsNotFound(household.status())) return household.status();
      if (!household.ok() || !call.InScope(household->second)) {
        reject("household_card_number", "names no household within your area scope");
        continue;
      }
      if (!common::AreaWithin(row->area_code, household->second)) {
        reject("household_card_number",
               absl::StrCat("the household is at ", household->second,
                            "; the resident's area_code must be that area or below it"));
        continue;
      }
      household_id = household->first;
    }
    out.set_accepted_count(out.accepted_count() + 1);
    if (req.dry_run()) {
      absl::StatusOr<ResidentRow> found = store_.FindByIdHash(row->id_number_hash);
      if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
      const bool created = !found.ok() && dry_run_seen.insert(row->id_number_hash).second;
      count(created);
      continue;
    }
    AuditEntry audit = AuditFor(call, "resident.import", "resident", "", row->area_code);
    audit.details = absl::StrCat("csv line ", record.line);
    batch.push_back(*std::move(row));
    audits.push_back(std::move(audit));
    household_ids.push_back(std::move(household_id));
    batch_first_line = batch.size() == 1 ? record.line : batch_first_line;
    if (batch.size() >= kBatchRows) {
      if (auto s = flush(); !s.ok()) return s;
    }
  }
  if (auto s = flush(); !s.ok()) return s;
  return out;
}

absl::StatusOr<v1::ExportResidentsResponse> ResidentImport::Export(
    const common::CallContext& call, const v1::ExportResidentsRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  const auto too_many = [&] {
    return absl::FailedPreconditionError(
        absl::StrCat("more than ", max_export_rows_, " residents or ", kMaxExportBytes >> 20,
                     " MiB of CSV at or below ", req.area_code(), "; narrow the area"));
  };
  ResidentQuery query;
  query.area_code = req.area_code();
  query.include_moved_out = req.include_moved_out();
  query.limit = kExportPage;
  std::string csv = "resident_id,name,id_number,phone,area_code,visitor,moved_out_time\r\n";
  int count = 0;
  while (true) {
    absl::StatusOr<std::vector<ResidentRow>> rows = store_.Search(query);
    if (!rows.ok()) return rows.status();
    for (const ResidentRow& row : *rows) {
      if (++count > max_export_rows_) return too_many();
      // Masked only: the stored masked ID number, and the phone masked here.
      absl::StrAppend(&csv, row.resident_id, ",");
      AppendCsvField(&csv, row.name);
      absl::StrAppend(&csv, ",", row.id_number_masked, ",",
                      row.phone.empty() ? "" : MaskPhone(row.phone), ",", row.area_code, ",",
                      row.visitor ? "true" : "false", ",");
      if (row.moved_out_at_micros != 0) {
        csv += absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMicros(row.moved_out_at_micros),
                                absl::UTCTimeZone());
      }
      csv += "\r\n";
      if (csv.size() > kMaxExportBytes) return too_many();
    }
    if (rows->size() < static_cast<size_t>(kExportPage)) break;
    query.after_resident_id = rows->back().resident_id;
  }
  AuditEntry audit = AuditFor(call, "resident.export", "area", req.area_code(), req.area_code());
  audit.details = absl::StrCat("rows: ", count,
                               ", include_moved_out: ", req.include_moved_out() ? "true" : "false");
  // No audit row, no data.
  if (auto s = store_.RecordAccess(audit); !s.ok()) return s;
  v1::ExportResidentsResponse out;
  out.set_csv(std::move(csv));
  out.set_row_count(count);
  return out;
}

}  // namespace fangxian::identity
