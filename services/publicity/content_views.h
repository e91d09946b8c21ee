// The read side of view counts for staff (ContentViewService): totals per day and the
// most read items of an area over a period of China days, from publicity.content_views.
// Counts still in memory or Redis are not included (docs/publicity.md, "View counts").
#ifndef FANGXIAN_SERVICES_PUBLICITY_CONTENT_VIEWS_H_
#define FANGXIAN_SERVICES_PUBLICITY_CONTENT_VIEWS_H_

#include "absl/status/statusor.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/content_views.pb.h"

namespace fangxian::publicity {

class ContentViews {
 public:
  explicit ContentViews(common::PgPool& pg) : pg_(pg) {}

  // The caller's scope must cover area_code.
  absl::StatusOr<v1::ViewTotals> Totals(const common::CallContext& call,
                                        const v1::GetViewTotalsRequest& request);
  absl::StatusOr<v1::ListTopContentResponse> Top(const common::CallContext& call,
                                                 const v1::ListTopContentRequest& request);

 private:
  common::PgPool& pg_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CONTENT_VIEWS_H_
