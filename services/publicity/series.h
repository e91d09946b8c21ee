// The series registry (她系列, 红色故事, 工作纪实): content may only name a known series.
#ifndef FANGXIAN_SERVICES_PUBLICITY_SERIES_H_
#define FANGXIAN_SERVICES_PUBLICITY_SERIES_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "services/publicity/content_store.h"

namespace fangxian::publicity {

inline constexpr size_t kMaxSeriesDescriptionChars = 500;

// INVALID_ARGUMENT naming series.name or series.description, or OK.
absl::Status ValidateNewSeries(const v1::Series& in);

class SeriesRegistry {
 public:
  SeriesRegistry(common::PgPool& pg, ContentStore& store, common::RpcRuntime::Clock clock)
      : pg_(pg), store_(store), clock_(std::move(clock)) {}

  // Registers a series created by the caller; ALREADY_EXISTS when the name is taken.
  absl::StatusOr<v1::Series> Create(const common::CallContext& call,
                                    const v1::CreateSeriesRequest& req);
  // Every series, by name. Needs no caller (a public read).
  absl::StatusOr<v1::ListSeriesResponse> List(const common::CallContext& call,
                                              const v1::ListSeriesRequest& req);

 private:
  common::PgPool& pg_;
  ContentStore& store_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_SERIES_H_
