#include "services/quarantine/persons_of_interest.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

v1::PersonOfInterest ToProto(const PersonRow& row) {
  v1::PersonOfInterest out;
  out.set_person_id(row.person_id);
  out.set_resident_id(row.resident_id);
  out.set_category(static_cast<v1::Category>(row.category));
  out.set_source(static_cast<v1::Source>(row.source));
  out.set_area_code(row.area_code);
  out.set_origin_region(row.origin_region);
  out.set_arrival_date(row.arrival_date);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

}  // namespace

absl::Status ValidateNewPersonOfInterest(const v1::PersonOfInterest& in, absl::Time now) {
  if (auto s = common::RequireUuid("person.resident_id", in.resident_id()); !s.ok()) return s;
  if (in.category() == v1::CATEGORY_UNSPECIFIED) {
    return absl::InvalidArgumentError("person.category is required");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::Category_IsValid(in.category())) {
    return absl::InvalidArgumentError(
        absl::StrCat("person.category ", in.category(), " is not a known Category"));
  }
  if (in.source() == v1::SOURCE_UNSPECIFIED) {
    return absl::InvalidArgumentError("person.source is required");
  }
  if (!v1::Source_IsValid(in.source())) {
    return absl::InvalidArgumentError(
        absl::StrCat("person.source ", in.source(), " is not a known Source"));
  }
  if (auto s = common::RequireAreaPath("person.area_code", in.area_code()); !s.ok()) return s;
  if (auto s = common::RequireText("person.origin_region", in.origin_region(), 100,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (!in.arrival_date().empty()) {
    absl::CivilDay arrival;
    if (!common::ParseIsoDate(in.arrival_date(), &arrival)) {
      return absl::InvalidArgumentError(
          "person.arrival_date must be a calendar date written YYYY-MM-DD");
    }
    const absl::CivilDay today = common::ChinaToday(now);
    if (arrival > today) {
      return absl::InvalidArgumentError(
          absl::StrCat("person.arrival_date is in the future (today is ",
                       absl::FormatCivilTime(today), " China Standard Time)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::Create(const common::CallContext& call,
                                                               const v1::PersonOfInterest& in,
                                                               absl::Time now) {
  if (auto s = ValidateNewPersonOfInterest(in, now); !s.ok()) return s;
  // resident_id is only checked for form: this version does not ask the identity service
  // whether the resident exists (that cross-service call comes with the quarantine issue).
  if (auto s = common::RequireScope(call, "person.area_code", in.area_code()); !s.ok()) {
    return s;
  }

  PersonRow row;
  row.resident_id = in.resident_id();
  row.category = in.category();
  row.source = in.source();
  row.area_code = in.area_code();
  row.origin_region = in.origin_region();
  row.arrival_date = in.arrival_date();
  row.created_by = call.principal.subject;
  absl::StatusOr<PersonRow> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::Get(const common::CallContext& call,
                                                            const std::string& person_id) {
  if (auto s = common::RequireUuid("person_id", person_id); !s.ok()) return s;
  absl::StatusOr<PersonRow> row = store_.Get(person_id);
  if (!row.ok()) return row.status();
  if (auto s = common::RequireScopeAny(call, "this person of interest",
                                       std::vector<std::string>{row->area_code});
      !s.ok()) {
    return s;
  }
  return ToProto(*row);
}

}  // namespace fangxian::quarantine
