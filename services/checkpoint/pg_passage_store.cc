#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/time_text.h"
#include "services/checkpoint/passage_store.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

// Every column of a passage, in the order RecordFrom reads them.
constexpr char kColumns[] =
    "p.passage_id::text, p.checkpoint_id::text, p.request_id, p.direction, "
    "COALESCE(p.resident_id::text, ''), p.visitor, "
    "COALESCE(round(p.temperature_celsius * 10)::int::text, ''), COALESCE(p.plate, ''), "
    "p.vehicle_exemption, COALESCE(p.vehicle_registered::text, ''), p.pass_colour, p.decision, "
    "p.reasons::text, p.operator_id, (extract(epoch from p.client_time) * 1000000)::int8, "
    "(extract(epoch from p.recorded_at) * 1000000)::int8, COALESCE(p.visit_destination, ''), "
    "COALESCE(p.visit_reason, '')";
constexpr int kColumnCount = 18;

int Int(absl::string_view s) {
  int v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

absl::Time Micros(absl::string_view s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return absl::FromUnixMicros(v);
}

bool IsTrue(absl::string_view s) { return s == "t" || s == "true"; }

PassageRecord RecordFrom(const common::PgResult& r, int i) {
  PassageRecord rec;
  rec.passage_id = std::string(r.Get(i, 0));
  rec.checkpoint_id = std::string(r.Get(i, 1));
  rec.request_id = std::string(r.Get(i, 2));
  rec.direction = Int(r.Get(i, 3));
  rec.resident_id = std::string(r.Get(i, 4));
  rec.visitor = IsTrue(r.Get(i, 5));
  if (!r.Get(i, 6).empty()) rec.temperature_tenths = Int(r.Get(i, 6));
  rec.plate = std::string(r.Get(i, 7));
  rec.vehicle_exemption = Int(r.Get(i, 8));
  if (!r.Get(i, 9).empty()) rec.vehicle_registered = IsTrue(r.Get(i, 9));
  rec.pass_colour = Int(r.Get(i, 10));
  rec.decision = Int(r.Get(i, 11));
  absl::string_view reasons = r.Get(i, 12);
  absl::ConsumePrefix(&reasons, "{");
  absl::ConsumeSuffix(&reasons, "}");
  for (absl::string_view n : absl::StrSplit(reasons, ',', absl::SkipEmpty())) {
    rec.reasons.push_back(Int(n));
  }
  rec.operator_id = std::string(r.Get(i, 13));
  rec.client_time = Micros(r.Get(i, 14));
  rec.recorded_at = Micros(r.Get(i, 15));
  rec.visit_destination = std::string(r.Get(i, 16));
  rec.visit_reason = std::string(r.Get(i, 17));
  return rec;
}

std::string TextArray(const std::vector<int>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

// The batch statements' parts: the records as rows of 19 typed arrays (one element per
// record), the idempotency keys' insert and the passages' insert.
constexpr char kBatchRows[] =
    "WITH u AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::smallint[], "
    "$5::text[], $6::boolean[], $7::text[], $8::text[], $9::smallint[], $10::text[], "
    "$11::smallint[], $12::smallint[], $13::text[], $14::text[], $15::timestamptz[], "
    "$16::timestamptz[], $17::text[], $18::text[], $19::bytea[]) AS u(pid, cid, rid, dir, "
    "res, vis, temp, plate, ex, vreg, col, dec, rea, op, ct, ra, dest, why, hash)) ";
constexpr char kInsertKeys[] =
    "INSERT INTO checkpoint.passage_requests "
    "(checkpoint_id, request_id, passage_id, payload_hash, recorded_at) "
    "SELECT u.cid, u.rid, u.pid, u.hash, u.ra FROM u";
constexpr char kInsertPassages[] =
    "INSERT INTO checkpoint.passages (passage_id, checkpoint_id, request_id, "
    "direction, resident_id, visitor, temperature_celsius, plate, vehicle_exemption, "
    "vehicle_registered, pass_colour, decision, reasons, operator_id, client_time, "
    "recorded_at, visit_destination, visit_reason) "
    "SELECT u.pid, u.cid, u.rid, u.dir, NULLIF(u.res, '')::uuid, u.vis, "
    "NULLIF(u.temp, '')::numeric, NULLIF(u.plate, ''), u.ex, NULLIF(u.vreg, '')::boolean, "
    "u.col, u.dec, u.rea::smallint[], u.op, u.ct, u.ra, NULLIF(u.dest, ''), "
    "NULLIF(u.why, '') FROM u";

// Every key new: both inserts whole; a key that exists fails the statement.
const std::string& FreshBatchSql() {
  static const std::string sql =
      absl::StrCat(kBatchRows, ", k AS (", kInsertKeys, ") ", kInsertPassages);
  return sql;
}

// Keys old and new: the keys inserted now are returned, and only their passages written.
const std::string& MixedBatchSql() {
  static const std::string sql = absl::StrCat(
      kBatchRows, ", k AS (", kInsertKeys,
      " ON CONFLICT (checkpoint_id, request_id) DO NOTHING RETURNING passage_id), p AS (",
      kInsertPassages, " WHERE u.pid IN (SELECT passage_id FROM k) RETURNING passage_id) ",
      "SELECT passage_id::text FROM p");
  return sql;
}

// A key's stored first record with its payload hash: the idempotency row joined (`join`)
// to its passage, for the keys `where` picks.
std::string FirstRecordSql(absl::string_view join, absl::string_view where) {
  return absl::StrCat("SELECT ", kColumns, ", r.payload_hash FROM checkpoint.passage_requests r ",
                      join,
                      " checkpoint.passages p "
                      "ON p.passage_id = r.passage_id AND p.recorded_at = r.recorded_at WHERE ",
                      where);
}

// The first records of keys (arrays of checkpoint ids and request ids); keys whose passage
// was purged are left out.
const std::string& FirstRecordsSql() {
  static const std::string sql = FirstRecordSql(
      "JOIN", "(r.checkpoint_id, r.request_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))");
  return sql;
}

// One key's first record; its columns are NULL when the passage was purged.
const std::string& OneFirstRecordSql() {
  static const std::string sql =
      FirstRecordSql("LEFT JOIN", "r.checkpoint_id = $1 AND r.request_id = $2");
  return sql;
}

// Fills alert_ids of `records` from the alerts table, in kind order (the order they were
// raised in).
absl::Status LoadAlertIds(common::PgConn& conn, std::vector<PassageRecord*> records) {
  if (records.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  absl::flat_hash_map<std::string, PassageRecord*> by_id;
  for (PassageRecord* r : records) {
    ids.push_back(r->passage_id);
    by_id[r->passage_id] = r;
  }
  // Prepared, like the lookups that precede it: a replay costs reads, not planning.
  auto r = conn.ExecPrepared(
      "fx_passage_alert_ids",
      "SELECT passage_id::text, alert_id::text FROM checkpoint.alerts "
      "WHERE passage_id = ANY($1::uuid[]) ORDER BY passage_id, kind, raised_at, alert_id",
      {common::PgTextArray(ids)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    auto it = by_id.find(r->Get(i, 0));
    if (it != by_id.end()) it->second->alert_ids.emplace_back(r->Get(i, 1));
  }
  return absl::OkStatus();
}

// A statement failed because no partition holds a record's day.
bool IsMissingPartition(const absl::Status& s) {
  return absl::IsFailedPrecondition(s) && absl::StrContains(s.message(), "no partition");
}

}  // namespace

absl::Status PgPassageStore::WriteBatch(const std::vector<const PassageRecord*>& records,
                                        std::vector<WriteOutcome>* outcomes) {
  absl::Status s = WriteOnce(records, outcomes);
  if (!IsMissingPartition(s)) return s;
  // A day without a partition yet (the clock passed midnight UTC before the maintenance
  // pass, or a fresh database): create the days around the batch's and retry once.
  absl::CivilDay first = absl::ToCivilDay(records.front()->recorded_at, absl::UTCTimeZone());
  absl::CivilDay last = first;
  for (const PassageRecord* r : records) {
    const absl::CivilDay d = absl::ToCivilDay(r->recorded_at, absl::UTCTimeZone());
    first = std::min(first, d);
    last = std::max(last, d);
  }
  if (absl::Status e = EnsurePartitions(first, last + 1); !e.ok()) return e;
  return WriteOnce(records, outcomes);
}

absl::Status PgPassageStore::WriteOnce(const std::vector<const PassageRecord*>& records,
                                       std::vector<WriteOutcome>* outcomes) {
  std::vector<WriteOutcome> result(records.size());
  bool any_alerts = false;
  for (const PassageRecord* r : records) any_alerts = any_alerts || !r->alerts.empty();
  auto write = [&](common::PgConn& conn) -> absl::Status {
    // 1. The idempotency keys and the passages of the keys inserted now (a key that exists
    // already writes nothing): one statement, one round trip for the usual batch.
    std::vector<std::string> hashes;
    std::vector<std::vector<std::string>> cols(kColumnCount);
    for (const PassageRecord* r : records) {
      hashes.push_back(common::PgBytea(r->payload_hash));
      const std::vector<std::string> row = {
          r->passage_id,
          r->checkpoint_id,
          r->request_id,
          std::to_string(r->direction),
          r->resident_id,
          r->visitor ? "true" : "false",
          r->temperature_tenths
              ? absl::StrCat(*r->temperature_tenths / 10, ".", *r->temperature_tenths % 10)
              : "",
          r->plate,
          std::to_string(r->vehicle_exemption),
          r->vehicle_registered ? (*r->vehicle_registered ? "true" : "false") : "",
          std::to_string(r->pass_colour),
          std::to_string(r->decision),
          TextArray(r->reasons),
          r->operator_id,
          common::Rfc3339Micros(r->client_time),
          common::Rfc3339Micros(r->recorded_at),
          r->visit_destination,
          r->visit_reason};
      for (int c = 0; c < kColumnCount; ++c) cols[c].push_back(row[c]);
    }
    std::vector<std::string> arrays;
    arrays.reserve(kColumnCount + 1);
    for (int c = 0; c < kColumnCount; ++c) arrays.push_back(common::PgTextArray(cols[c]));
    arrays.push_back(common::PgTextArray(hashes));
    std::vector<common::PgParam> params;
    for (const std::string& a : arrays) params.emplace_back(a);
    // Prepared once per connection: the batch statements are planned once, not per batch.
    // The usual batch has only new keys: plain inserts, whose unique index is all the
    // conflict check needed (no ON CONFLICT probe, no filtering join). A key that exists
    // fails that statement (23505), and the batch goes through the one that sorts new keys
    // from old. Inside a transaction (alerts) a failed statement would end it, so such
    // batches go straight to the second.
    bool all_new = false;
    if (!any_alerts) {
      auto fresh = conn.ExecPrepared("fx_passage_batch_fresh", FreshBatchSql(), params);
      if (fresh.ok()) {
        all_new = true;
      } else if (!absl::IsAlreadyExists(fresh.status())) {
        return fresh.status();
      }
    }
    absl::flat_hash_set<std::string> inserted;
    if (!all_new) {
      auto keys = conn.ExecPrepared("fx_passage_batch", MixedBatchSql(), params);
      if (!keys.ok()) return keys.status();
      for (int i = 0; i < keys->rows(); ++i) inserted.emplace(keys->Get(i, 0));
    }
    auto stored_now = [&](const PassageRecord& r) {
      return all_new || inserted.contains(r.passage_id);
    };

    std::vector<NewAlert> alerts;
    std::vector<size_t> alert_owner;
    for (size_t i = 0; i < records.size(); ++i) {
      const PassageRecord& r = *records[i];
      if (!stored_now(r)) continue;
      for (const NewAlert& a : r.alerts) {
        alerts.push_back(a);
        alert_owner.push_back(i);
      }
      result[i].kind = WriteOutcome::kStored;
      result[i].record = r;
      result[i].record.alert_ids.clear();
    }
    // 2. Their alerts and outbox events, in the same transaction.
    if (!alerts.empty()) {
      std::vector<std::string> alert_ids;
      if (absl::Status a = InsertAlerts(conn, alerts, &alert_ids); !a.ok()) return a;
      for (size_t k = 0; k < alerts.size(); ++k) {
        if (!alert_ids[k].empty()) result[alert_owner[k]].record.alert_ids.push_back(alert_ids[k]);
      }
    }

    // 3. The keys that existed: their stored first records decide replay or conflict.
    if (all_new || inserted.size() == records.size()) return absl::OkStatus();
    std::vector<std::string> old_cids, old_rids;
    for (const PassageRecord* r : records) {
      if (stored_now(*r)) continue;
      old_cids.push_back(r->checkpoint_id);
      old_rids.push_back(r->request_id);
    }
    auto stored = conn.ExecPrepared("fx_passage_first_records", FirstRecordsSql(),
                                    {common::PgTextArray(old_cids), common::PgTextArray(old_rids)});
    if (!stored.ok()) return stored.status();
    absl::flat_hash_map<std::string, PassageRecord> by_key;
    for (int i = 0; i < stored->rows(); ++i) {
      PassageRecord rec = RecordFrom(*stored, i);
      rec.payload_hash = stored->GetBytes(i, kColumnCount);
      by_key[absl::StrCat(rec.checkpoint_id, "|", rec.request_id)] = std::move(rec);
    }
    std::vector<PassageRecord*> to_load;
    for (auto& [key, rec] : by_key) to_load.push_back(&rec);
    if (absl::Status a = LoadAlertIds(conn, to_load); !a.ok()) return a;
    for (size_t i = 0; i < records.size(); ++i) {
      const PassageRecord& r = *records[i];
      if (stored_now(r)) continue;
      auto it = by_key.find(absl::StrCat(r.checkpoint_id, "|", r.request_id));
      if (it == by_key.end()) {
        // The key outlived its passage (purged): the id cannot be reused until it goes too.
        result[i].kind = WriteOutcome::kConflict;
        result[i].record = r;
        result[i].record.payload_hash.clear();
        continue;
      }
      result[i].record = it->second;
      result[i].kind = it->second.payload_hash == r.payload_hash ? WriteOutcome::kReplayed
                                                                 : WriteOutcome::kConflict;
    }
    return absl::OkStatus();
  };
  absl::Status s;
  if (any_alerts) {
    // Alerts must commit with their passages: an explicit transaction.
    s = writer_.Transaction(write);
  } else {
    // One statement is its own transaction (durable at its commit, like COMMIT); what
    // follows only reads first records that are already committed.
    auto conn = writer_.Acquire();
    s = conn.ok() ? write(*conn) : conn.status();
  }
  if (s.ok()) *outcomes = std::move(result);
  return s;
}

absl::StatusOr<std::optional<PassageRecord>> PgPassageStore::FindRequest(
    const std::string& checkpoint_id, const std::string& request_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->ExecPrepared("fx_passage_first_record", OneFirstRecordSql(),
                              {checkpoint_id, request_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<PassageRecord>();
  if (r->IsNull(0, 0)) {
    // The key outlived its passage (purged).
    PassageRecord gone;
    gone.checkpoint_id = checkpoint_id;
    gone.request_id = request_id;
    gone.payload_hash = r->GetBytes(0, kColumnCount);
    return std::optional<PassageRecord>(std::move(gone));
  }
  PassageRecord rec = RecordFrom(*r, 0);
  rec.payload_hash = r->GetBytes(0, kColumnCount);
  if (absl::Status a = LoadAlertIds(*conn, {&rec}); !a.ok()) return a;
  return std::optional<PassageRecord>(std::move(rec));
}

absl::StatusOr<PassageRecord> PgPassageStore::Get(const std::string& checkpoint_id,
                                                  const std::string& passage_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(absl::StrCat("SELECT ", kColumns,
                                   " FROM checkpoint.passages p "
                                   "WHERE p.checkpoint_id = $1 AND p.passage_id = $2"),
                      {checkpoint_id, passage_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0)
    return absl::NotFoundError("no passage with this passage_id at this checkpoint");
  PassageRecord rec = RecordFrom(*r, 0);
  if (absl::Status a = LoadAlertIds(*conn, {&rec}); !a.ok()) return a;
  return rec;
}

absl::StatusOr<std::vector<PassageRecord>> PgPassageStore::List(const std::string& checkpoint_id,
                                                                absl::Time from, absl::Time to,
                                                                const std::optional<Cursor>& after,
                                                                int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string from_s = common::Rfc3339Micros(from);
  const std::string to_s = common::Rfc3339Micros(to);
  const std::string limit_s = std::to_string(limit);
  const std::string after_time = after ? common::Rfc3339Micros(after->recorded_at) : std::string();
  const std::string after_id = after ? after->passage_id : std::string();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns,
                   " FROM checkpoint.passages p "
                   "WHERE p.checkpoint_id = $1 AND p.recorded_at >= $2 AND p.recorded_at < $3 "
                   "AND ($5::timestamptz IS NULL OR "
                   "(p.recorded_at, p.passage_id) < ($5::timestamptz, $6::uuid)) "
                   "ORDER BY p.recorded_at DESC, p.passage_id DESC LIMIT $4"),
      {checkpoint_id, from_s, to_s, limit_s,
       after ? common::PgParam(after_time) : common::PgParam(),
       after ? common::PgParam(after_id) : common::PgParam()});
  if (!r.ok()) return r.status();
  std::vector<PassageRecord> out;
  out.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) out.push_back(RecordFrom(*r, i));
  std::vector<PassageRecord*> ptrs;
  for (PassageRecord& rec : out) ptrs.push_back(&rec);
  if (absl::Status a = LoadAlertIds(*conn, ptrs); !a.ok()) return a;
  return out;
}

absl::Status PgPassageStore::EnsurePartitions(absl::CivilDay first, absl::CivilDay last) {
  absl::Status s;
  // Two replicas creating the same day at once: the loser fails once, the retry sees it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = pool_.Acquire();
    if (!conn.ok()) return conn.status();
    s = conn->Exec("SELECT checkpoint.ensure_passage_partitions($1::date, $2::date)",
                   {common::IsoDate(first), common::IsoDate(last)})
            .status();
    if (s.ok()) return s;
  }
  return s;
}

}  // namespace fangxian::checkpoint
