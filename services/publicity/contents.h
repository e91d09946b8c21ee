// Content items (notices, articles, videos, loudspeaker scripts, media reports): the
// business rules, independent of gRPC. Takes plain values and the caller's identity.
#ifndef FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_
#define FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "services/publicity/content_store.h"

namespace fangxian::publicity {

inline constexpr size_t kMaxBodyBytes = 65536;
inline constexpr size_t kMaxTargetAreas = 100;

// The input rules of CreateContent that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. Output-only fields are ignored.
absl::Status ValidateNewContent(const v1::Content& in);

class Contents {
 public:
  explicit Contents(ContentStore& store) : store_(store) {}

  // Creates a draft authored by the caller, whose scope must cover every target area.
  absl::StatusOr<v1::Content> Create(const common::CallContext& call, const v1::Content& in);
  // The caller's scope must cover at least one target area of the item.
  absl::StatusOr<v1::Content> Get(const common::CallContext& call, const std::string& content_id);

 private:
  ContentStore& store_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_
