#include "services/publicity/series.h"

#include <utility>

#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/contents.h"

namespace fangxian::publicity {
namespace {

v1::Series SeriesToProto(const SeriesRow& row) {
  v1::Series out;
  out.set_name(row.name);
  out.set_description(row.description);
  out.set_created_by(row.created_by);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

}  // namespace

absl::Status ValidateNewSeries(const v1::Series& in) {
  if (auto s = common::RequireText("series.name", in.name(), kMaxSeriesChars); !s.ok()) return s;
  return common::RequireMultilineText("series.description", in.description(),
                                      kMaxSeriesDescriptionChars, /*required=*/false);
}

absl::StatusOr<v1::Series> SeriesRegistry::Create(const common::CallContext& call,
                                                  const v1::CreateSeriesRequest& req) {
  if (auto s = ValidateNewSeries(req.series()); !s.ok()) return s;
  SeriesRow row;
  row.name = req.series().name();
  row.description = req.series().description();
  row.created_by = call.principal.subject;
  const absl::Time now = clock_();
  SeriesRow stored;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<SeriesRow> inserted = store_.InsertSeries(tx, row, now);
    if (!inserted.ok()) return inserted.status();
    stored = *std::move(inserted);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return SeriesToProto(stored);
}

absl::StatusOr<v1::ListSeriesResponse> SeriesRegistry::List(const common::CallContext&,
                                                            const v1::ListSeriesRequest&) {
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<SeriesRow>> rows = store_.ListSeries(*conn);
  if (!rows.ok()) return rows.status();
  v1::ListSeriesResponse out;
  for (const SeriesRow& row : *rows) *out.add_series() = SeriesToProto(row);
  return out;
}

}  // namespace fangxian::publicity
