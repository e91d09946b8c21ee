#include "services/checkpoint/passages.h"

#include <sodium.h>

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "common/auth.h"
#include "common/paging.h"
#include "common/uuid.h"
#include "common/validate.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"
#include "services/checkpoint/alerts.h"
#include "services/checkpoint/checkpoints.h"
#include "services/checkpoint/passage_rules.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 500;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// Short alert details with no personal data (the alert row carries the ids).
std::string AlertDetail(AlertKind kind, v1::Direction direction) {
  switch (kind) {
    case AlertKind::kFever:
      return "fever at the gate";
    case AlertKind::kRedPass:
      return direction == v1::DIRECTION_OUT ? "red pass going out" : "red pass coming in";
    case AlertKind::kOutsideVehicle:
      return "outside vehicle refused";
    case AlertKind::kUnknownPerson:
      return "unknown person refused";
    default:
      return "";
  }
}

absl::Status RequestIdConflict() {
  return absl::AlreadyExistsError(
      "request_id was already used at this checkpoint for a passage with different content; "
      "send a new request_id for a new passage, or resend the first content unchanged");
}

bool AreaCovered(absl::string_view area, const std::vector<std::string>& checkpoint_areas) {
  return std::any_of(checkpoint_areas.begin(), checkpoint_areas.end(),
                     [area](const std::string& scope) { return common::AreaWithin(area, scope); });
}

// The alerts' health-data rule (MaySeeHealthData) for the checkpoint's areas.
bool MaySeeHealthDataAt(const common::CallContext& call, const CheckpointFacts& cp) {
  const google::protobuf::RepeatedPtrField<std::string> areas(cp.area_codes.begin(),
                                                              cp.area_codes.end());
  return MaySeeHealthData(call, areas);
}

// A passage without health data: no temperature, no pass colour.
void RedactHealthData(v1::Passage* p) {
  p->clear_temperature_celsius();
  p->set_pass_colour(v1::PASS_COLOUR_UNSPECIFIED);
}

}  // namespace

std::string PassagePayloadHash(const v1::RecordPassageRequest& request, absl::string_view key) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

v1::Passage PassageToProto(const PassageRecord& r, const PersonAtGate* person, bool replayed) {
  v1::Passage out;
  out.set_passage_id(r.passage_id);
  out.set_checkpoint_id(r.checkpoint_id);
  out.set_request_id(r.request_id);
  out.set_direction(static_cast<v1::Direction>(r.direction));
  out.set_decision(static_cast<v1::Decision>(r.decision));
  for (int reason : r.reasons) out.add_reasons(static_cast<v1::Reason>(reason));
  if (!r.resident_id.empty()) {
    v1::PassagePerson* p = out.mutable_person();
    p->set_resident_id(r.resident_id);
    p->set_visitor(r.visitor);
    if (person != nullptr && person->resident_id == r.resident_id) {
      p->set_name(person->name);
      p->set_id_number(person->masked_id_number);
    }
  }
  out.set_pass_colour(static_cast<v1::PassColour>(r.pass_colour));
  if (r.temperature_tenths) out.set_temperature_celsius(*r.temperature_tenths / 10.0);
  out.set_plate(r.plate);
  out.set_vehicle_exemption(static_cast<v1::VehicleExemption>(r.vehicle_exemption));
  out.set_vehicle_registered(r.vehicle_registered.value_or(false));
  for (const std::string& id : r.alert_ids) out.add_alert_ids(id);
  *out.mutable_client_time() = ToTimestamp(r.client_time);
  *out.mutable_record_time() = ToTimestamp(r.recorded_at);
  out.set_operator_id(r.operator_id);
  out.set_replayed(replayed);
  return out;
}

absl::Time Passages::Now() const { return absl::FromUnixMicros(absl::ToUnixMicros(clock_())); }

bool Passages::TryRecordFast(const common::CallContext& call,
                             const v1::RecordPassageRequest& request,
                             absl::FunctionRef<Done()> take) {
  const absl::Time now = Now();
  // Anything but a valid request that passes every check from memory goes to the worker
  // (which also answers a repeated request id from the log before any check fails).
  absl::StatusOr<ValidPassage> valid = ValidateRecordPassage(request, now, max_replay_);
  if (!valid.ok()) return false;
  if (valid->person != PersonKind::kNone && valid->person != PersonKind::kPassToken) return false;
  if (NeedsVehicleCheck(request.direction(), valid->vehicle, valid->exemption)) return false;
  // Entries about to lapse are fetched again in the background, whichever way this ends.
  Refreshes refreshes;
  absl::Cleanup refresh = [&] {
    if (refreshes.any()) RefreshInBackground(call, request, std::move(refreshes));
  };
  std::shared_ptr<const CheckpointFacts> cp =
      duty_.CachedCheckpoint(request.checkpoint_id(), now, &refreshes.checkpoint);
  if (cp == nullptr || !cp->open) return false;
  if (!common::RequireScopeAny(call, "this checkpoint", cp->area_codes).ok()) return false;
  if (!duty_.OnDutyFromMemory(call, request.checkpoint_id(), *cp, now, &refreshes.duty)) {
    return false;
  }
  PersonAtGate who;
  v1::PassColour colour = v1::PASS_COLOUR_UNSPECIFIED;
  if (valid->person == PersonKind::kPassToken) {
    std::optional<PersonAtGate> kept =
        people_.CachedPass(request.pass_token(), now, &refreshes.pass);
    if (!kept) return false;
    refreshes.resident_id = kept->resident_id;
    std::optional<v1::PassColour> kept_colour =
        colours_.Cached(kept->resident_id, now, &refreshes.colour);
    if (!kept_colour) return false;
    who = *std::move(kept);
    colour = *kept_colour;
  }
  PassageRecord record =
      Build(call, request, *valid, *cp, who, colour, /*vehicle_registered=*/std::nullopt, now);
  fast_path_.fetch_add(1, std::memory_order_relaxed);  // before the answer can go out
  Commit(std::move(record), std::move(who), take());
  return true;
}

void Passages::RefreshInBackground(const common::CallContext& call,
                                   const v1::RecordPassageRequest& request, Refreshes refreshes) {
  if (!background_) return;
  // The caller's identity for the lookups (the pass and colour are asked with its token),
  // with a deadline of the refresh's own: the call itself is answered already.
  common::CallContext as = call;
  as.deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
  (void)background_([this, as = std::move(as), checkpoint_id = request.checkpoint_id(),
                     token = request.pass_token(), refreshes = std::move(refreshes)] {
    if (refreshes.checkpoint) duty_.RefreshCheckpoint(checkpoint_id, Now());
    if (refreshes.duty) duty_.RefreshOnDuty(as, checkpoint_id, Now());
    if (refreshes.pass) people_.RefreshPass(as, token, Now());
    if (refreshes.colour) colours_.Refresh(as, refreshes.resident_id, Now());
  });
}

void Passages::Record(const common::CallContext& call, const v1::RecordPassageRequest& request,
                      Done done) {
  worker_path_.fetch_add(1, std::memory_order_relaxed);
  const absl::Time now = Now();
  absl::StatusOr<ValidPassage> valid = ValidateRecordPassage(request, now, max_replay_);
  if (!valid.ok()) return done(valid.status());
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> checkpoint =
      duty_.Checkpoint(request.checkpoint_id(), now);
  if (!checkpoint.ok()) return done(checkpoint.status());
  const CheckpointFacts& cp = **checkpoint;
  // Outside the caller's scope a checkpoint is as missing (its existence is not told).
  if (!common::RequireScopeAny(call, "this checkpoint", cp.area_codes).ok()) {
    return done(CheckpointNotFound());
  }
  // A repeated request id: the stored first result, whatever changed since (one
  // primary-key read; docs/checkpoint.md, "Passage log: idempotency ...").
  absl::StatusOr<std::optional<PassageRecord>> stored =
      store_.FindRequest(request.checkpoint_id(), request.request_id());
  if (!stored.ok()) return done(stored.status());
  if (stored->has_value()) {
    const PassageRecord& first = **stored;
    if (first.passage_id.empty() ||
        first.payload_hash != PassagePayloadHash(request, digest_key_)) {
      return done(RequestIdConflict());
    }
    return done(PassageToProto(first, nullptr, /*replayed=*/true));
  }
  PersonAtGate person;
  absl::StatusOr<PassageRecord> record = Prepare(call, request, *valid, cp, now, &person);
  if (!record.ok()) return done(record.status());
  Commit(*std::move(record), std::move(person), std::move(done));
}

absl::StatusOr<PassageRecord> Passages::Prepare(const common::CallContext& call,
                                                const v1::RecordPassageRequest& request,
                                                const ValidPassage& valid,
                                                const CheckpointFacts& cp, absl::Time now,
                                                PersonAtGate* person) {
  if (!cp.open) {
    return absl::FailedPreconditionError(
        "this checkpoint is closed; passages are recorded only while it is open");
  }
  if (auto s = duty_.RequireOnDuty(call, request.checkpoint_id(), cp, now); !s.ok()) return s;

  absl::StatusOr<PersonAtGate> who = PersonAtGate{};
  switch (valid.person) {
    case PersonKind::kNone:
      break;
    case PersonKind::kPassToken:
      who = people_.ByPass(call, request.pass_token(), now);
      break;
    case PersonKind::kIdNumber:
      who = people_.ByIdNumber(call, request.id_number());
      break;
    case PersonKind::kVisitor:
      // Registered in the checkpoint's first area (lexical order), where it stands.
      who = people_.RegisterVisitor(call, request.visitor(), cp.area_codes.front());
      break;
  }
  if (!who.ok()) return who.status();
  const v1::PassColour colour =
      who->known ? colours_.Get(call, who->resident_id, now) : v1::PASS_COLOUR_UNSPECIFIED;
  std::optional<bool> vehicle_registered;
  if (NeedsVehicleCheck(request.direction(), valid.vehicle, valid.exemption)) {
    absl::StatusOr<std::optional<std::string>> area = people_.VehicleArea(call, valid.plate);
    if (!area.ok()) return area.status();
    vehicle_registered = area->has_value() && AreaCovered(**area, cp.area_codes);
  }
  PassageRecord r = Build(call, request, valid, cp, *who, colour, vehicle_registered, now);
  *person = *std::move(who);
  return r;
}

PassageRecord Passages::Build(const common::CallContext& call,
                              const v1::RecordPassageRequest& request, const ValidPassage& valid,
                              const CheckpointFacts& cp, const PersonAtGate& who,
                              v1::PassColour colour, std::optional<bool> vehicle_registered,
                              absl::Time now) const {
  PassageFacts facts;
  facts.direction = request.direction();
  facts.temperature_tenths = valid.temperature_tenths;
  if (valid.person != PersonKind::kNone) {
    if (who.known) {
      facts.person = PersonOutcome::kKnown;
      facts.visitor_registered = valid.person == PersonKind::kVisitor && who.visitor;
      facts.colour = colour;
    } else {
      facts.person = valid.person == PersonKind::kPassToken ? PersonOutcome::kInvalidPass
                                                            : PersonOutcome::kUnknownIdNumber;
    }
  }
  facts.vehicle = valid.vehicle;
  facts.exemption = valid.exemption;
  facts.vehicle_registered = vehicle_registered.value_or(false);
  const PassageDecision decision = Decide(facts);

  PassageRecord r;
  // Time-ordered: the passage log's key index grows at its right edge (common/uuid.h).
  r.passage_id = common::TimeOrderedUuid(now);
  r.checkpoint_id = request.checkpoint_id();
  r.request_id = request.request_id();
  r.direction = request.direction();
  if (facts.person == PersonOutcome::kKnown) {
    r.resident_id = who.resident_id;
    r.visitor = who.visitor;
    r.pass_colour = facts.colour;
  }
  r.temperature_tenths = valid.temperature_tenths;
  r.plate = valid.plate;
  r.vehicle_exemption = valid.exemption;
  r.vehicle_registered = vehicle_registered;
  r.decision = decision.decision;
  r.reasons.assign(decision.reasons.begin(), decision.reasons.end());
  r.operator_id = call.principal.subject;
  r.client_time = valid.client_time;
  r.recorded_at = now;
  if (valid.person == PersonKind::kVisitor) {
    r.visit_destination = request.visitor().destination();
    r.visit_reason = request.visitor().reason();
  }
  r.payload_hash = PassagePayloadHash(request, digest_key_);
  r.alerts.reserve(decision.alerts.size());
  for (AlertKind kind : decision.alerts) {
    NewAlert a;
    a.kind = kind;
    a.checkpoint_id = r.checkpoint_id;
    a.area_codes = cp.area_codes;
    a.passage_id = r.passage_id;
    a.resident_id = r.resident_id;
    if (kind == AlertKind::kFever) a.temperature_celsius = *r.temperature_tenths / 10.0;
    a.detail = AlertDetail(kind, request.direction());
    a.raised_at = now;
    r.alerts.push_back(std::move(a));
  }
  return r;
}

void Passages::Commit(PassageRecord record, PersonAtGate person, Done done) {
  committer_.Submit(std::move(record), [done = std::move(done), person = std::move(person)](
                                           absl::StatusOr<WriteOutcome> o) {
    if (!o.ok()) return done(o.status());
    switch (o->kind) {
      case WriteOutcome::kStored:
        return done(PassageToProto(o->record, &person, /*replayed=*/false));
      case WriteOutcome::kReplayed:
        return done(PassageToProto(o->record, nullptr, /*replayed=*/true));
      case WriteOutcome::kConflict:
        return done(RequestIdConflict());
    }
  });
}

absl::StatusOr<std::shared_ptr<const CheckpointFacts>> Passages::VisibleCheckpoint(
    const common::CallContext& call, const std::string& checkpoint_id) {
  if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> cp =
      duty_.Checkpoint(checkpoint_id, clock_());
  if (!cp.ok()) return cp.status();
  if (!common::RequireScopeAny(call, "this checkpoint", (*cp)->area_codes).ok()) {
    return CheckpointNotFound();
  }
  return cp;
}

absl::StatusOr<v1::Passage> Passages::Get(const common::CallContext& call,
                                          const v1::GetPassageRequest& request) {
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> cp =
      VisibleCheckpoint(call, request.checkpoint_id());
  if (!cp.ok()) return cp.status();
  if (auto s = common::RequireUuid("passage_id", request.passage_id()); !s.ok()) return s;
  absl::StatusOr<PassageRecord> r = store_.Get(request.checkpoint_id(), request.passage_id());
  if (!r.ok()) return r.status();
  v1::Passage out = PassageToProto(*r, nullptr, /*replayed=*/false);
  if (!MaySeeHealthDataAt(call, **cp)) RedactHealthData(&out);
  return out;
}

absl::StatusOr<v1::ListPassagesResponse> Passages::List(const common::CallContext& call,
                                                        const v1::ListPassagesRequest& request) {
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> cp =
      VisibleCheckpoint(call, request.checkpoint_id());
  if (!cp.ok()) return cp.status();
  const bool health_data = MaySeeHealthDataAt(call, **cp);
  absl::CivilDay day = common::ChinaToday(clock_());
  if (!request.date().empty() && !common::ParseIsoDate(request.date(), &day)) {
    return absl::InvalidArgumentError("date must be a real day as YYYY-MM-DD (China time)");
  }
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultPageSize, kMaxPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> position =
      common::DecodeTimeIdPageToken(request.page_token());
  if (!position.ok()) return position.status();
  std::optional<PassageStore::Cursor> after;
  if (*position) {
    after = PassageStore::Cursor{absl::FromUnixMicros((*position)->micros), (*position)->id};
  }
  const absl::Time from = ChinaDayStart(day);
  const absl::Time to = ChinaDayStart(day + 1);
  absl::StatusOr<std::vector<PassageRecord>> rows =
      store_.List(request.checkpoint_id(), from, to, after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListPassagesResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const PassageRecord& last) {
        return common::EncodeTimeIdPageToken(absl::ToUnixMicros(last.recorded_at), last.passage_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) {
    v1::Passage* p = out.add_passages();
    *p = PassageToProto((*rows)[i], nullptr, /*replayed=*/false);
    if (!health_data) RedactHealthData(p);
  }
  return out;
}

}  // namespace fangxian::checkpoint
