#include "services/publicity/contents.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::publicity {
namespace {

v1::Content ToProto(const ContentRow& row) {
  v1::Content out;
  out.set_content_id(row.content_id);
  out.set_kind(static_cast<v1::ContentKind>(row.kind));
  out.set_title(row.title);
  out.set_body(row.body);
  out.set_series(row.series);
  for (const std::string& area : row.area_codes) out.add_area_codes(area);
  out.set_state(static_cast<v1::ContentState>(row.state));
  out.set_author(row.author);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

// The body is free text or markdown, so line breaks and tabs are allowed; it must still be
// UTF-8 without NUL, which PostgreSQL text cannot hold (it would be cut short).
absl::Status ValidateBody(absl::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("content.body is too long (at most ", kMaxBodyBytes, " bytes)"));
  }
  if (common::Utf8Length(body) < 0) {
    return absl::InvalidArgumentError("content.body is not valid UTF-8");
  }
  if (body.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("content.body must not contain NUL characters");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateNewContent(const v1::Content& in) {
  if (in.kind() == v1::CONTENT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("content.kind is required");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::ContentKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("content.kind ", in.kind(), " is not a known ContentKind"));
  }
  if (auto s = common::RequireText("content.title", in.title(), 200); !s.ok()) return s;
  if (auto s = ValidateBody(in.body()); !s.ok()) return s;
  if (auto s = common::RequireText("content.series", in.series(), 50, /*required=*/false);
      !s.ok()) {
    return s;
  }
  return common::RequireAreaPaths("content.area_codes", in.area_codes(), kMaxTargetAreas);
}

absl::StatusOr<v1::Content> Contents::Create(const common::CallContext& call,
                                             const v1::Content& in) {
  if (auto s = ValidateNewContent(in); !s.ok()) return s;
  if (auto s = common::RequireScopeAll(call, "content.area_codes", in.area_codes());
      !s.ok()) {
    return s;
  }

  ContentRow row;
  row.kind = in.kind();
  row.state = v1::CONTENT_STATE_DRAFT;  // every item starts as a draft
  row.title = in.title();
  row.body = in.body();
  row.series = in.series();
  row.area_codes.assign(in.area_codes().begin(), in.area_codes().end());
  row.author = call.principal.subject;
  absl::StatusOr<ContentRow> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::Content> Contents::Get(const common::CallContext& call,
                                          const std::string& content_id) {
  if (auto s = common::RequireUuid("content_id", content_id); !s.ok()) return s;
  absl::StatusOr<ContentRow> row = store_.Get(content_id);
  if (!row.ok()) return row.status();
  if (auto s = common::RequireScopeAny(call, "this content", row->area_codes); !s.ok()) {
    return s;
  }
  return ToProto(*row);
}

}  // namespace fangxian::publicity
