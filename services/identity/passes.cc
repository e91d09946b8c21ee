#include "services/identity/passes.h"

#include <sodium.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/audit.h"
#include "services/identity/id_number.h"
#include "services/identity/residents.h"

namespace fangxian::identity {
namespace {

constexpr absl::string_view kPrefix = "fxp1";
constexpr size_t kPayloadBytes = 16 + 4 + 8;
constexpr size_t kTagBytes = 16;

// Who may issue a pass for someone else: the people who register residents.
const std::vector<absl::string_view> kIssuers = {"subdistrict_admin", "community_admin",
                                                 "info_registrar", "grid_worker"};

absl::Status BadPass(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("pass ", why, "; ask for the ID card"));
}

void PutBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetBigEndian(absl::string_view in) {
  uint64_t v = 0;
  for (unsigned char c : in) v = (v << 8) | c;
  return v;
}

std::string Mac(const std::string& key, absl::string_view payload) {
  std::string tag(kTagBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(tag.data()), tag.size(),
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return tag;
}

}  // namespace

PassCodec::PassCodec(absl::string_view master_key) : mac_key_(32, '\0') {
  if (sodium_init() < 0 || master_key.size() != crypto_kdf_KEYBYTES) std::abort();
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(mac_key_.data()), mac_key_.size(),
                             /*subkey_id=*/1, "fxpass01",
                             reinterpret_cast<const unsigned char*>(master_key.data()));
}

std::string PassCodec::Encode(const PassClaims& claims) const {
  std::string payload =
      absl::HexStringToBytes(absl::StrReplaceAll(claims.resident_id, {{"-", ""}}));
  PutBigEndian(claims.version, 4, &payload);
  PutBigEndian(static_cast<uint64_t>(absl::ToUnixSeconds(claims.expires)), 8, &payload);
  return absl::StrCat(kPrefix, ".", absl::WebSafeBase64Escape(payload), ".",
                      absl::WebSafeBase64Escape(Mac(mac_key_, payload)));
}

absl::StatusOr<PassClaims> PassCodec::Decode(absl::string_view token, absl::Time now) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload, tag;
  if (parts.size() != 3 || parts[0] != kPrefix ||
      !absl::WebSafeBase64Unescape(parts[1], &payload) ||
      !absl::WebSafeBase64Unescape(parts[2], &tag) || payload.size() != kPayloadBytes ||
      tag.size() != kTagBytes) {
    return BadPass("is not a Fangxian pass");
  }
  if (sodium_memcmp(tag.data(), Mac(mac_key_, payload).data(), kTagBytes) != 0) {
    return BadPass("is forged or damaged");
  }
  PassClaims claims;
  const std::string hex = absl::BytesToHexString(absl::string_view(payload).substr(0, 16));
  claims.resident_id = absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4),
                                    "-", hex.substr(16, 4), "-", hex.substr(20));
  claims.version = static_cast<uint32_t>(GetBigEndian(absl::string_view(payload).substr(16, 4)));
  claims.expires = absl::FromUnixSeconds(
      static_cast<int64_t>(GetBigEndian(absl::string_view(payload).substr(20))));
  if (claims.expires <= now) return BadPass("has expired");
  return claims;
}

std::string PersonSummaryCacheKey(absl::string_view resident_id) {
  return absl::StrCat("fx:identity:v1:person-summary:", resident_id);
}

Passes::Passes(ResidentStore& store, const PiiCipher& cipher, const PassCodec& codec,
               common::RedisPool* cache, absl::Duration pass_ttl, absl::Duration cache_ttl,
               absl::Duration local_ttl)
    : store_(store),
      cipher_(cipher),
      codec_(codec),
      cache_(cache),
      pass_ttl_(pass_ttl),
      cache_ttl_(cache_ttl),
      local_ttl_(local_ttl) {}

absl::StatusOr<v1::Pass> Passes::Issue(const common::CallContext& call,
                                       const std::string& resident_id, absl::Time now) {
  if (auto s = common::RequireUuid("resident_id", resident_id); !s.ok()) return s;
  absl::StatusOr<ResidentRow> row = store_.Get(resident_id);
  if (!row.ok()) return row.status();
  const bool self = call.principal.kind == "resident" && call.principal.subject == resident_id;
  if (!self && !call.principal.CoversArea(row->area_code, kIssuers)) return ResidentNotFound();
  if (row->moved_out_at_micros != 0) return ResidentMovedOut();
  absl::StatusOr<uint32_t> version = store_.BumpPassVersion(
      resident_id, AuditFor(call, "resident.pass_issue", "resident", resident_id, row->area_code));
  if (!version.ok()) return version.status();
  Forget(resident_id);  // the old version may be cached
  PassClaims claims{resident_id, *version, now + pass_ttl_};
  v1::Pass out;
  out.set_token(codec_.Encode(claims));
  *out.mutable_expire_time() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(claims.expires));
  out.set_resident_id(resident_id);
  return out;
}

void Passes::Forget(const std::string& resident_id) {
  local_.Erase(resident_id);
  if (cache_) cache_->Del(PersonSummaryCacheKey(resident_id));
}

namespace {
v1::PersonSummary SummaryOf(const ResidentWithHousehold& found) {
  const ResidentRow& row = found.row;
  v1::PersonSummary summary;
  summary.set_resident_id(row.resident_id);
  summary.set_name(row.name);
  summary.set_id_number(row.id_number_masked);
  summary.set_area_code(row.area_code);
  summary.set_moved_out(row.moved_out_at_micros != 0);
  summary.set_visitor(row.visitor);
  summary.set_household_id(found.household_id);
  summary.set_household_card_number(found.household_card_number);
  return summary;
}
}  // namespace

absl::StatusOr<std::pair<v1::PersonSummary, uint32_t>> Passes::Summary(
    const std::string& resident_id, absl::Time now) {
  if (auto hit = local_.Find(resident_id, now)) return *std::move(hit);
  const std::string key = PersonSummaryCacheKey(resident_id);
  if (cache_) {
    if (std::optional<std::string> v = cache_->Get(key); v && v->size() > 4) {
      v1::PersonSummary summary;
      if (summary.ParseFromArray(v->data() + 4, static_cast<int>(v->size() - 4))) {
        auto value = std::make_pair(std::move(summary),
                                    static_cast<uint32_t>(GetBigEndian(v->substr(0, 4))));
        if (local_ttl_ > absl::ZeroDuration()) local_.Insert(resident_id, value, now + local_ttl_);
        return value;
      }
    }
  }
  absl::StatusOr<ResidentWithHousehold> found = store_.GetWithHousehold(resident_id);
  if (!found.ok()) return found.status();
  v1::PersonSummary summary = SummaryOf(*found);
  if (cache_) {
    std::string value;
    PutBigEndian(found->row.pass_version, 4, &value);
    value += summary.SerializeAsString();
    cache_->SetEx(key, value, cache_ttl_);
  }
  auto result = std::make_pair(std::move(summary), found->row.pass_version);
  if (local_ttl_ > absl::ZeroDuration()) local_.Insert(resident_id, result, now + local_ttl_);
  return result;
}

std::optional<absl::StatusOr<v1::PersonSummary>> Passes::TryResolveFromMemory(
    const std::string& token, absl::Time now) {
  absl::StatusOr<PassClaims> claims = codec_.Decode(token, now);
  if (!claims.ok()) return absl::StatusOr<v1::PersonSummary>(claims.status());
  auto hit = local_.Find(claims->resident_id, now);
  if (!hit) return std::nullopt;
  if (hit->second != claims->version) {
    return absl::StatusOr<v1::PersonSummary>(BadPass("was replaced by a newer one"));
  }
  return absl::StatusOr<v1::PersonSummary>(std::move(hit->first));
}

absl::StatusOr<v1::PersonSummary> Passes::Resolve(const std::string& token, absl::Time now) {
  absl::StatusOr<PassClaims> claims = codec_.Decode(token, now);
  if (!claims.ok()) return claims.status();
  auto summary = Summary(claims->resident_id, now);
  if (absl::IsNotFound(summary.status())) return BadPass("names nobody registered");
  if (!summary.ok()) return summary.status();
  if (summary->second != claims->version) return BadPass("was replaced by a newer one");
  return std::move(summary->first);
}

absl::StatusOr<v1::PersonSummary> Passes::ResolveIdNumber(const std::string& id_number,
                                                          absl::Time now) {
  absl::StatusOr<std::string> id = NormalizeIdNumber(id_number, common::ChinaToday(now));
  if (!id.ok()) return id.status();
  // Straight from PostgreSQL, one indexed query, cached nowhere: a lookup by ID number
  // is of someone without a pass at hand, rarely the same person twice in a row.
  absl::StatusOr<ResidentWithHousehold> found =
      store_.FindWithHouseholdByIdHash(cipher_.LookupHash(*id));
  if (!found.ok()) return found.status();
  return SummaryOf(*found);
}

}  // namespace fangxian::identity
