// The serialized FileDescriptorSet of the protos the gateway routes, with their comments
// (protoc --include_source_info --include_imports), embedded at build time into
// gateway_server (see CMakeLists.txt): the generated pool has no comments, and the
// OpenAPI document takes its summaries and descriptions from these (openapi.h).
#ifndef FANGXIAN_GATEWAY_API_DESCRIPTORS_H_
#define FANGXIAN_GATEWAY_API_DESCRIPTORS_H_

#include "absl/strings/string_view.h"

namespace fangxian::gateway {

absl::string_view ApiDescriptorSet();

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_API_DESCRIPTORS_H_
