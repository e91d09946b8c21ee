#include "bench/request_source.h"

#include <google/protobuf/util/json_util.h>

#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "fangxian/bench/v1/echo.pb.h"
#include "fangxian/checkpoint/v1/alerts.pb.h"
#include "fangxian/checkpoint/v1/checkpoint.pb.h"
#include "fangxian/checkpoint/v1/inspections.pb.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "fangxian/checkpoint/v1/roster.pb.h"
#include "fangxian/checkpoint/v1/statistics.pb.h"
#include "fangxian/identity/v1/areas.pb.h"
#include "fangxian/identity/v1/households.pb.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "fangxian/identity/v1/import.pb.h"
#include "fangxian/publicity/v1/content_views.pb.h"
#include "fangxian/publicity/v1/public_content.pb.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "fangxian/quarantine/v1/check_ins.pb.h"
#include "fangxian/quarantine/v1/isolation.pb.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"
#include "fangxian/quarantine/v1/sweeps.pb.h"
#include "fangxian/quarantine/v1/violations.pb.h"

namespace fangxian::bench {

namespace pb = google::protobuf;

void LinkFangxianDescriptors() {
  // Taking one message descriptor of each file registers the file in the generated pool.
  static const pb::Descriptor* const kLinked[] = {
      fangxian::bench::v1::EchoRequest::descriptor(),
      fangxian::identity::v1::Resident::descriptor(),
      fangxian::identity::v1::Area::descriptor(),
      fangxian::identity::v1::Household::descriptor(),
      fangxian::identity::v1::ImportResidentsRequest::descriptor(),
      fangxian::checkpoint::v1::Checkpoint::descriptor(),
      fangxian::checkpoint::v1::Roster::descriptor(),
      fangxian::checkpoint::v1::Inspection::descriptor(),
      fangxian::checkpoint::v1::Passage::descriptor(),
      fangxian::checkpoint::v1::Alert::descriptor(),
      fangxian::checkpoint::v1::LiveCounters::descriptor(),
      fangxian::quarantine::v1::PersonOfInterest::descriptor(),
      fangxian::quarantine::v1::IsolationOrder::descriptor(),
      fangxian::quarantine::v1::Sweep::descriptor(),
      fangxian::quarantine::v1::CheckIn::descriptor(),
      fangxian::quarantine::v1::ServiceRequest::descriptor(),
      fangxian::quarantine::v1::Violation::descriptor(),
      fangxian::publicity::v1::Content::descriptor(),
      fangxian::publicity::v1::LiveContent::descriptor(),
      fangxian::publicity::v1::ViewTotals::descriptor(),
  };
  (void)kLinked;
}

absl::StatusOr<const pb::MethodDescriptor*> FindMethod(absl::string_view path) {
  LinkFangxianDescriptors();
  // "/pkg.Service/Method"
  std::vector<std::string> parts = absl::StrSplit(path, '/');
  if (parts.size() != 3 || !parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("method must look like /package.Service/Method, got \"", path, "\""));
  }
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(parts[1]);
  if (service == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown service ", parts[1],
                                            " (is its proto library linked into fx_loadgen?)"));
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(parts[2]);
  if (method == nullptr) {
    return absl::NotFoundError(absl::StrCat("service ", parts[1], " has no method ", parts[2]));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is streaming; only unary is supported"));
  }
  return method;
}

RequestSource::RequestSource(const pb::MethodDescriptor* method, std::string json, bool sequence,
                             uint64_t first_index, uint64_t random_span)
    : method_(method),
      json_(std::move(json)),
      sequence_(sequence),
      has_id_(absl::StrContains(json_, kIdPlaceholder)),
      first_index_(first_index),
      random_span_(random_span),
      next_index_(first_index) {
  // Every method comes from the generated pool, so its messages have generated classes.
  auto* factory = pb::MessageFactory::generated_factory();
  request_prototype_ = factory->GetPrototype(method_->input_type());
  response_prototype_ = factory->GetPrototype(method_->output_type());
}

absl::StatusOr<std::unique_ptr<RequestSource>> RequestSource::Create(
    const pb::MethodDescriptor* method, std::string json, bool sequence, uint64_t first_index,
    uint64_t random_span) {
  if (random_span > 0 && !sequence) {
    return absl::InvalidArgumentError("a random index needs sequence mode (--sequence)");
  }
  if (!sequence &&
      (absl::StrContains(json, kIdPlaceholder) || absl::StrContains(json, kSeqPlaceholder))) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request JSON contains ", kSeqPlaceholder, " or ", kIdPlaceholder,
                     ", which would be sent literally; pass --sequence to fill them in"));
  }
  std::unique_ptr<RequestSource> source(
      new RequestSource(method, std::move(json), sequence, first_index, random_span));
  // Validate the template now; the fixed request is serialized once for all calls.
  auto first = source->Serialize(sequence ? source->Expand(first_index) : source->json_);
  if (!first.ok()) return first.status();
  if (!sequence) source->fixed_ = *std::move(first);
  if (sequence) (void)source->PrepareMarked();
  return source;
}

namespace {
// Stand-ins for the placeholders while the template is parsed once (letters only, so they
// survive JSON string parsing unchanged and cannot clash with a real value by accident).
constexpr absl::string_view kIdMarker = "QqFxIdMarkerQq";
constexpr absl::string_view kSeqMarker = "QqFxSeqMarkerQq";

size_t Occurrences(absl::string_view text, absl::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}
}  // namespace

std::string RequestSource::Fill(const std::string& value, uint64_t index) const {
  return absl::StrReplaceAll(
      value, {{kIdMarker, has_id_ ? ids_.ForIndex(index) : ""}, {kSeqMarker, absl::StrCat(index)}});
}

void RequestSource::FindMarked(const pb::Message& m,
                               std::vector<const pb::FieldDescriptor*>& path) {
  const pb::Reflection* r = m.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    path.push_back(f);
    const bool is_string = f->type() == pb::FieldDescriptor::TYPE_STRING;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (is_string) {
          std::string v = r->GetRepeatedString(m, f, i);
          if (absl::StrContains(v, kIdMarker) || absl::StrContains(v, kSeqMarker)) {
            marked_fields_.push_back({path, i, v});
          }
        }
      }
    } else if (is_string) {
      std::string v = r->GetString(m, f);
      if (absl::StrContains(v, kIdMarker) || absl::StrContains(v, kSeqMarker)) {
        marked_fields_.push_back({path, -1, v});
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      FindMarked(r->GetMessage(m, f), path);
    }
    path.pop_back();
  }
}

bool RequestSource::PrepareMarked() {
  const std::string marked_json =
      absl::StrReplaceAll(json_, {{kIdPlaceholder, kIdMarker}, {kSeqPlaceholder, kSeqMarker}});
  std::unique_ptr<pb::Message> message(request_prototype_->New());
  if (!pb::util::JsonStringToMessage(marked_json, message.get()).ok()) return false;
  std::vector<const pb::FieldDescriptor*> path;
  FindMarked(*message, path);
  // Every placeholder must have landed in a string field found above.
  const size_t placeholders =
      Occurrences(json_, kIdPlaceholder) + Occurrences(json_, kSeqPlaceholder);
  size_t markers = 0;
  for (const MarkedField& f : marked_fields_) {
    markers += Occurrences(f.value, kIdMarker) + Occurrences(f.value, kSeqMarker);
  }
  if (markers != placeholders) {
    marked_fields_.clear();
    return false;
  }
  marked_ = std::move(message);
  return true;
}

std::string RequestSource::Expand(uint64_t index) const {
  // An ID number costs a date conversion and a checksum: made only when used.
  return absl::StrReplaceAll(json_, {{kIdPlaceholder, has_id_ ? ids_.ForIndex(index) : ""},
                                     {kSeqPlaceholder, absl::StrCat(index)}});
}

absl::StatusOr<std::string> RequestSource::Serialize(const std::string& json) const {
  std::unique_ptr<pb::Message> message(request_prototype_->New());
  const auto status = pb::util::JsonStringToMessage(json, message.get());
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request JSON is not a valid ",
                                                   method_->input_type()->full_name(), ": ",
                                                   std::string(status.message())));
  }
  return message->SerializeAsString();
}

uint64_t RequestSource::NextIndex() {
  if (random_span_ == 0) return next_index_.fetch_add(1, std::memory_order_relaxed);
  thread_local absl::BitGen gen;
  return first_index_ + absl::Uniform<uint64_t>(gen, 0, random_span_);
}

absl::StatusOr<std::string> RequestSource::Next() {
  if (!sequence_) return fixed_;
  const uint64_t index = NextIndex();
  if (marked_ == nullptr) return Serialize(Expand(index));
  std::unique_ptr<pb::Message> message(marked_->New());
  message->CopyFrom(*marked_);
  for (const MarkedField& f : marked_fields_) {
    pb::Message* m = message.get();
    for (size_t i = 0; i + 1 < f.path.size(); ++i) {
      m = m->GetReflection()->MutableMessage(m, f.path[i]);
    }
    const pb::FieldDescriptor* leaf = f.path.back();
    if (f.index >= 0) {
      m->GetReflection()->SetRepeatedString(m, leaf, f.index, Fill(f.value, index));
    } else {
      m->GetReflection()->SetString(m, leaf, Fill(f.value, index));
    }
  }
  return message->SerializeAsString();
}

absl::StatusOr<std::string> RequestSource::ResponseToJson(const std::string& bytes) const {
  std::unique_ptr<pb::Message> message(response_prototype_->New());
  if (!message->ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("response is not a valid ", method_->output_type()->full_name()));
  }
  std::string json;
  const auto status = pb::util::MessageToJsonString(*message, &json);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

}  // namespace fangxian::bench
