// Builds the request messages of a load test from canonical protobuf JSON. The method's
// input type is looked up in the generated descriptor pool, so any RPC of a proto linked
// into the binary can be called through grpc::GenericStub without generated stubs.
#ifndef FANGXIAN_BENCH_REQUEST_SOURCE_H_
#define FANGXIAN_BENCH_REQUEST_SOURCE_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/id_number.h"

namespace fangxian::bench {

// Forces the descriptors of every Fangxian proto into the generated pool (a static
// library's object file is only linked when something references it).
void LinkFangxianDescriptors();

// "/pkg.Service/Method" -> its descriptor; NOT_FOUND naming what is missing.
absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(absl::string_view path);

// In sequence mode, every request gets its own copy of the JSON with:
inline constexpr absl::string_view kIdPlaceholder = "{{ID}}";  // a fresh valid ID number
inline constexpr absl::string_view kSeqPlaceholder = "{{N}}";  // a sequence number

class RequestSource {
 public:
  // Parses `json` once (with placeholders filled in) so a bad template fails at start.
  // `sequence`: fill in the placeholders per request, starting at `first_index` (ID
  // numbers and {{N}}). Without it a template containing a placeholder is
  // INVALID_ARGUMENT (it would be sent literally). `random_span` > 0 (sequence mode only):
  // each request's index is drawn uniformly from [first_index, first_index + random_span)
  // instead of counting up, e.g. to look up any of the residents a seed made.
  static absl::StatusOr<std::unique_ptr<RequestSource>> Create(
      const google::protobuf::MethodDescriptor* method, std::string json, bool sequence,
      uint64_t first_index, uint64_t random_span = 0);

  // The next serialized request. Thread-safe.
  absl::StatusOr<std::string> Next();

  // Renders a serialized response of the method as JSON (for --once).
  absl::StatusOr<std::string> ResponseToJson(const std::string& bytes) const;

  // The JSON of request `index` in sequence mode (exposed for tests).
  std::string Expand(uint64_t index) const;

 private:
  RequestSource(const google::protobuf::MethodDescriptor* method, std::string json, bool sequence,
                uint64_t first_index, uint64_t random_span);
  uint64_t NextIndex();
  absl::StatusOr<std::string> Serialize(const std::string& json) const;
  // Sequence mode without a JSON parse per request: the template is parsed once with
  // markers in place of the placeholders, and each request copies that message and fills
  // in the string fields holding a marker. False when the placeholders are not all inside
  // string fields (then every request is parsed from its JSON).
  bool PrepareMarked();

  // A string field (at `path` from the root; `index` >= 0 for an element of a repeated
  // field) whose template value holds a marker.
  struct MarkedField {
    std::vector<const google::protobuf::FieldDescriptor*> path;
    int index = -1;
    std::string value;  // with markers
  };
  void FindMarked(const google::protobuf::Message& m,
                  std::vector<const google::protobuf::FieldDescriptor*>& path);
  std::string Fill(const std::string& value, uint64_t index) const;

  const google::protobuf::MethodDescriptor* method_;
  const std::string json_;
  const bool sequence_;
  const bool has_id_;  // the template contains {{ID}}: only then generate ID numbers
  const uint64_t first_index_;
  const uint64_t random_span_;
  std::atomic<uint64_t> next_index_;
  IdNumberGenerator ids_;
  const google::protobuf::Message* request_prototype_ = nullptr;
  const google::protobuf::Message* response_prototype_ = nullptr;
  std::string fixed_;  // the serialized request when there are no placeholders
  std::unique_ptr<google::protobuf::Message> marked_;  // the template, markers in place
  std::vector<MarkedField> marked_fields_;
};

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_REQUEST_SOURCE_H_
