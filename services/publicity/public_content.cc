#include "services/publicity/public_content.h"

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kNotLive[] = "content_id: no such item is live for this area";

// The proto of a live row; `excerpt_only`: the excerpt instead of the body (lists).
v1::LiveContent ToProto(const LiveRow& row, bool excerpt_only) {
  v1::LiveContent out;
  out.set_content_id(row.content_id);
  out.set_kind(static_cast<v1::ContentKind>(row.kind));
  out.set_title(row.title);
  if (excerpt_only) {
    out.set_excerpt(Excerpt(row.body));
  } else {
    out.set_body(row.body);
  }
  out.set_media_url(row.media_url);
  out.set_series(row.series);
  for (const std::string& tag : row.tags) out.add_tags(tag);
  *out.mutable_publish_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(row.publish_at));
  if (row.expire_at) {
    *out.mutable_expire_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*row.expire_at));
  }
  out.set_outlet(row.outlet);
  out.set_outlet_level(static_cast<v1::OutletLevel>(row.outlet_level));
  return out;
}

}  // namespace

absl::StatusOr<PublicContent::SharedList> PublicContent::Shared(
    std::shared_ptr<const ListAnswer> answer) {
  if (!answer->ok()) return answer->status();
  const LiveList* list = &**answer;
  return SharedList(std::move(answer), list);  // aliasing: owns the answer, points at its list
}

std::optional<absl::StatusOr<PublicContent::SharedList>> PublicContent::TryList(
    const v1::ListLiveContentRequest& request) const {
  int page_size = 0;
  if (absl::Status s = ValidateListLive(request, &page_size); !s.ok()) return s;
  std::optional<std::shared_ptr<const ListAnswer>> hit =
      lists_.Find(LiveListKey(request, page_size), clock_());
  if (!hit || *hit == nullptr) return std::nullopt;
  return Shared(*std::move(hit));
}

absl::StatusOr<PublicContent::SharedList> PublicContent::List(
    const v1::ListLiveContentRequest& request, std::chrono::system_clock::time_point deadline) {
  int page_size = 0;
  if (absl::Status s = ValidateListLive(request, &page_size); !s.ok()) return s;
  const absl::Time now = clock_();
  using Filled = common::FlightCache<std::shared_ptr<const ListAnswer>>::Filled;
  absl::StatusOr<std::shared_ptr<const ListAnswer>> answer =
      lists_.GetOrFill(LiveListKey(request, page_size), now, deadline, [&]() -> Filled {
        absl::StatusOr<std::optional<common::TimeIdPosition>> after =
            common::DecodeTimeIdPageToken(request.page_token());
        LiveQuery query;
        query.areas = AreaAndAncestors(request.area_code());
        query.series = request.series();
        query.kind = request.kind();
        query.limit = page_size + 1;  // one more: whether another page follows
        query.after = after.ok() ? *after : std::nullopt;
        query.now = now;
        absl::StatusOr<LivePage> page = store_.List(query);
        if (!page.ok()) return {std::make_shared<const ListAnswer>(page.status()), std::nullopt};
        if (!page->series_known) {
          return {std::make_shared<const ListAnswer>(absl::NotFoundError(
                      absl::StrCat("series: there is no series \"", request.series(),
                                   "\" (leave it empty to list every series)"))),
                  now + cache_ttl_};
        }
        v1::ListLiveContentResponse response;
        const size_t shown = common::TakePage(
            page->rows, page_size,
            [](const LiveRow& row) {
              return common::EncodeTimeIdPageToken(absl::ToUnixMicros(row.publish_at),
                                                   row.content_id);
            },
            response.mutable_next_page_token());
        for (size_t i = 0; i < shown; ++i) *response.add_items() = ToProto(page->rows[i], true);
        LiveList list;
        if (!response.SerializeToString(&list.wire)) {
          // Only a message over 2 GiB fails; a page is far below that.
          return {std::make_shared<const ListAnswer>(
                      absl::InternalError("a live item could not be encoded")),
                  std::nullopt};
        }
        return {std::make_shared<const ListAnswer>(std::move(list)),
                CacheExpiry(now, cache_ttl_, page->next_change)};
      });
  if (!answer.ok()) return answer.status();
  return Shared(*std::move(answer));
}

absl::StatusOr<v1::LiveContent> PublicContent::Answer(const v1::GetLiveContentRequest& request,
                                                      const ItemValue& value, absl::Time now) {
  if (!value->ok()) return value->status();
  const ItemAnswer& answer = **value;
  if (!answer.item || !TargetsArea(answer.area_codes, request.area_code()) ||
      !IsLiveAt(answer.publish_at, answer.expire_at, now)) {
    return absl::NotFoundError(kNotLive);
  }
  views_.Count(request.content_id(), now);
  return *answer.item;
}

std::optional<absl::StatusOr<v1::LiveContent>> PublicContent::TryGet(
    const v1::GetLiveContentRequest& request) {
  if (absl::Status s = ValidateGetLive(request); !s.ok()) return s;
  const absl::Time now = clock_();
  std::optional<ItemValue> hit = items_.Find(request.content_id(), now);
  if (!hit) return std::nullopt;
  return Answer(request, *hit, now);
}

absl::StatusOr<v1::LiveContent> PublicContent::Get(const v1::GetLiveContentRequest& request,
                                                   std::chrono::system_clock::time_point deadline) {
  if (absl::Status s = ValidateGetLive(request); !s.ok()) return s;
  const absl::Time now = clock_();
  using Filled = common::FlightCache<ItemValue>::Filled;
  // Keyed by item alone: whether it shows for an area and at a time is decided per read,
  // from the cached row, so a cached item still appears and leaves on time.
  absl::StatusOr<ItemValue> value =
      items_.GetOrFill(request.content_id(), now, deadline, [&]() -> Filled {
        absl::StatusOr<std::optional<LiveRow>> row = store_.Get(request.content_id());
        if (!row.ok()) {
          return {std::make_shared<const absl::StatusOr<ItemAnswer>>(row.status()), std::nullopt};
        }
        ItemAnswer answer;
        if (*row) {
          answer.item = ToProto(**row, false);
          answer.area_codes = std::move((*row)->area_codes);
          answer.publish_at = (*row)->publish_at;
          answer.expire_at = (*row)->expire_at;
        }
        return {std::make_shared<const absl::StatusOr<ItemAnswer>>(std::move(answer)),
                now + cache_ttl_};
      });
  if (!value.ok()) return value.status();
  return Answer(request, *value, now);
}

void PublicContent::InvalidateAll() {
  lists_.InvalidateAll();
  items_.InvalidateAll();
}

}  // namespace fangxian::publicity
