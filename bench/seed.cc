// fx_seed: the scaled-up demo data of scripts/bench (issue 9), written straight into
// PostgreSQL in batches, so 100,000 residents and a million passages take seconds, not the
// hour the one-commit-per-call APIs would. What it writes is what the services would have
// written: ID numbers sealed and hashed with identity's own keys and code, households
// whose head is a member, passages in their day partitions with their idempotency rows.
//
//   fx_seed [--residents N [--first-index I]] [--passages N] [--views N]
//
//   --residents N    N residents (a multiple of 5) in N/5 households of five, in the
//                    "gongyi.scale" subdistrict: 20 communities of 10 compounds each, the
//                    households spread over the 200 compounds. Resident I's ID number is
//                    fx_loadgen's {{ID}} of index I (bench/id_number.h), so a load test
//                    can ask for any seeded resident: --sequence --random-index N
//                    --id-start I. Indexes from --first-index (default 0); seeding
//                    another range later adds to the same tree. 5,000 residents are
//                    committed at a time: a range that overlaps one seeded before fails
//                    at its first overlapping batch, the batches before it stay.
//   --passages N     N passages over the last 7 days at 50 checkpoints of the subdistrict
//                    (made when missing), each with its request row: ADMITs at 36.0-36.9
//                    °C of the residents seeded so far (of no one, as a vehicle alone,
//                    when there are none).
//   --views N        N rows of daily view counts: 500 live notices of the subdistrict's
//                    compounds (made when missing), N/500 days each.
//
// Environment: FX_PG_DSN, and for --residents identity's FX_PII_ENC_KEY and
// FX_PII_HASH_KEY. The schemas are migrated first (a no-op on a running suite). Prints
// one line per part with its count and time; exit 1 on any failure, naming it.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/id_number.h"
#include "common/config.h"
#include "common/migrate.h"
#include "common/pg.h"
#include "common/uuid.h"
#include "common/validate.h"
#include "services/checkpoint/migrations.h"
#include "services/identity/households.h"
#include "services/identity/id_number.h"
#include "services/identity/migrations.h"
#include "services/identity/pii_cipher.h"
#include "services/identity/residents.h"
#include "services/publicity/migrations.h"

namespace fx = fangxian;
using fx::common::PgConn;
using fx::common::PgPool;

namespace {

constexpr int kHouseholdSize = 5;
constexpr int kCommunities = 20;
constexpr int kCompoundsPerCommunity = 10;
constexpr int kCompounds = kCommunities * kCompoundsPerCommunity;
constexpr int kCheckpoints = 50;
constexpr int kLiveItems = 500;
constexpr int kResidentBatch = 5000;  // residents per transaction
constexpr char kSubdistrict[] = "gongyi.scale";
constexpr char kSeededBy[] = "fx_seed";

std::string Compound(int i) {
  return absl::StrFormat("%s.c%02d.k%d", kSubdistrict, i / kCompoundsPerCommunity,
                         i % kCompoundsPerCommunity);
}

absl::Status Exec(PgConn& conn, absl::string_view sql, const std::vector<fx::common::PgParam>& p) {
  return conn.Exec(sql, p).status();
}

// The area tree of the subdistrict: ON CONFLICT DO NOTHING, so every part may call it.
absl::Status EnsureAreas(PgPool& pool) {
  std::vector<std::string> paths, parents, codes, levels;
  auto add = [&](std::string parent, std::string code, int level) {
    paths.push_back(absl::StrCat(parent, ".", code));
    parents.push_back(std::move(parent));
    codes.push_back(std::move(code));
    levels.push_back(absl::StrCat(level));
  };
  add("gongyi", "scale", 1);  // AREA_LEVEL_SUBDISTRICT
  for (int c = 0; c < kCommunities; ++c) {
    add(kSubdistrict, absl::StrFormat("c%02d", c), 2);  // COMMUNITY
    for (int k = 0; k < kCompoundsPerCommunity; ++k) {
      add(absl::StrFormat("%s.c%02d", kSubdistrict, c), absl::StrCat("k", k), 4);  // COMPOUND
    }
  }
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  return Exec(*conn,
              "INSERT INTO identity.areas (path, parent_path, code, name, level, created_by) "
              "SELECT p, pp, c, 'Scale ' || c, l, $5 "
              "FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[]) AS t(p, pp, c, l) "
              "ON CONFLICT (path) DO NOTHING",
              {fx::common::PgTextArray(paths), fx::common::PgTextArray(parents),
               fx::common::PgTextArray(codes), fx::common::PgTextArray(levels), kSeededBy});
}

// Residents [first, first + count) and their households, kResidentBatch per transaction.
absl::Status SeedResidents(PgPool& pool, const fx::identity::PiiCipher& cipher, uint64_t first,
                           uint64_t count) {
  if (auto s = EnsureAreas(pool); !s.ok()) return s;
  const fx::bench::IdNumberGenerator ids;
  const absl::CivilDay today = fx::common::ChinaToday(absl::Now());
  for (uint64_t start = first; start < first + count; start += kResidentBatch) {
    const uint64_t end = std::min<uint64_t>(first + count, start + kResidentBatch);
    std::vector<std::string> rid, name, sealed, hash, masked, phone, area;
    std::vector<std::string> hid, card, harea, room, head, member_h, member_r;
    std::string household_id;
    for (uint64_t i = start; i < end; ++i) {
      const uint64_t h = i / kHouseholdSize;
      const std::string compound = Compound(static_cast<int>(h % kCompounds));
      absl::StatusOr<std::string> id = fx::identity::NormalizeIdNumber(ids.ForIndex(i), today);
      if (!id.ok()) return id.status();
      fx::identity::ResidentRow row;
      fx::identity::SetIdNumber(cipher, *id, &row);
      rid.push_back(fx::common::TimeOrderedUuid(absl::Now()));
      name.push_back(absl::StrCat("Scale Resident ", i));
      sealed.push_back(fx::common::PgBytea(row.id_number_sealed));
      hash.push_back(fx::common::PgBytea(row.id_number_hash));
      masked.push_back(std::move(row.id_number_masked));
      phone.push_back(absl::StrFormat("138%08d", i % 100000000));
      area.push_back(compound);
      if (i % kHouseholdSize == 0 || i == start) {
        household_id = fx::common::TimeOrderedUuid(absl::Now());
        hid.push_back(household_id);
        // The card number identity would issue, from the household's index instead of
        // random bits: seeding a range again collides loudly instead of duplicating it.
        card.push_back(fx::identity::CardNumberFromBits(h));
        harea.push_back(compound);
        room.push_back(absl::StrFormat("%d-%d0%d", h / kCompounds % 30 + 1, h / 6000 % 30 + 1,
                                       h / kCompounds % 9 + 1));
        head.push_back(rid.back());
      }
      member_h.push_back(household_id);
      member_r.push_back(rid.back());
    }
    auto arr = [](const std::vector<std::string>& v) { return fx::common::PgTextArray(v); };
    absl::Status st = pool.Transaction([&](PgConn& conn) -> absl::Status {
      if (auto s = Exec(conn,
                        "INSERT INTO identity.residents (resident_id, name, id_number_sealed, "
                        "id_number_hash, id_number_masked, phone, area_code, created_by) "
                        "SELECT *, $8 FROM unnest($1::uuid[], $2::text[], $3::bytea[], "
                        "$4::bytea[], $5::text[], $6::text[], $7::text[])",
                        {arr(rid), arr(name), arr(sealed), arr(hash), arr(masked), arr(phone),
                         arr(area), kSeededBy});
          !s.ok()) {
        return s;
      }
      if (auto s = Exec(conn,
                        "INSERT INTO identity.households (household_id, card_number, area_code, "
                        "room, head_resident_id, created_by) "
                        "SELECT *, $6 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], "
                        "$5::uuid[])",
                        {arr(hid), arr(card), arr(harea), arr(room), arr(head), kSeededBy});
          !s.ok()) {
        return s;
      }
      return Exec(conn,
                  "INSERT INTO identity.household_members (household_id, resident_id) "
                  "SELECT * FROM unnest($1::uuid[], $2::uuid[])",
                  {arr(member_h), arr(member_r)});
    });
    if (!st.ok()) {
      return absl::Status(st.code(),
                          absl::StrCat("residents ", start, "..", end - 1, ": ", st.message()));
    }
  }
  return absl::OkStatus();
}

// kCheckpoints compound gates of the subdistrict, made once; their ids in a fixed order.
absl::StatusOr<std::vector<std::string>> EnsureCheckpoints(PgPool& pool) {
  std::vector<std::string> ids;
  absl::Status st = pool.Transaction([&](PgConn& conn) -> absl::Status {
    auto have = conn.Exec(
        "SELECT checkpoint_id FROM checkpoint.checkpoints WHERE created_by = $1 "
        "ORDER BY name",
        {kSeededBy});
    if (!have.ok()) return have.status();
    for (int i = 0; i < have->rows(); ++i) ids.emplace_back(have->Get(i, 0));
    for (int i = static_cast<int>(ids.size()); i < kCheckpoints; ++i) {
      auto made = conn.Exec(
          "WITH c AS (INSERT INTO checkpoint.checkpoints (name, kind, created_by) "
          "VALUES ($1, 1, $2) RETURNING checkpoint_id) "
          "INSERT INTO checkpoint.checkpoint_areas (checkpoint_id, area_code) "
          "SELECT checkpoint_id, $3 FROM c RETURNING checkpoint_id",
          {absl::StrFormat("Scale gate %02d", i), kSeededBy,
           Compound(i * kCompounds / kCheckpoints)});
      if (!made.ok()) return made.status();
      ids.emplace_back(made->Get(0, 0));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return ids;
}

// `count` passages spread evenly over the last 7 days (UTC partitions made first), ADMITs
// at 36.0-36.9 °C of the seeded residents in turn, each with its passage_requests row.
// Request ids carry the passages already seeded, so a second call adds, never collides.
absl::Status SeedPassages(PgPool& pool, uint64_t count) {
  if (auto s = EnsureAreas(pool); !s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> checkpoints = EnsureCheckpoints(pool);
  if (!checkpoints.ok()) return checkpoints.status();
  constexpr uint64_t kChunk = 200000;  // rows per statement: bounded WAL per commit
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  if (auto s = Exec(*conn,
                    "SELECT checkpoint.ensure_passage_partitions("
                    "(now() AT TIME ZONE 'UTC')::date - 8, (now() AT TIME ZONE 'UTC')::date)",
                    {});
      !s.ok()) {
    return s;
  }
  auto base = conn->Exec(
      "SELECT count(*) FROM checkpoint.passage_requests WHERE request_id LIKE 'seed-%'", {});
  if (!base.ok()) return base.status();
  uint64_t done = 0;
  if (!absl::SimpleAtoi(base->Get(0, 0), &done)) return absl::InternalError("bad count");
  for (uint64_t from = 0; from < count; from += kChunk) {
    const uint64_t to = std::min(count, from + kChunk);
    auto st = Exec(
        *conn,
        "WITH people AS ("
        "  SELECT array_agg(resident_id ORDER BY resident_id) AS ids FROM identity.residents"
        "  WHERE created_by = $4"
        "), p AS ("
        "  SELECT gen_random_uuid() AS passage_id,"
        "         ($1::uuid[])[1 + n % cardinality($1::uuid[])] AS checkpoint_id,"
        "         ids[1 + n % cardinality(ids)] AS resident_id,"
        "         'seed-' || n AS request_id,"
        "         now() - (n % 604800) * interval '1 second' - interval '1 minute' AS at, n"
        "  FROM generate_series($2::bigint, $3::bigint) AS n, people"
        "), ins AS ("
        "  INSERT INTO checkpoint.passages (passage_id, checkpoint_id, request_id, direction,"
        "    resident_id, temperature_celsius, pass_colour, decision, operator_id, client_time,"
        "    recorded_at)"
        "  SELECT passage_id, checkpoint_id, request_id, 1 + n % 2, resident_id,"
        "         36.0 + (n % 10) / 10.0, CASE WHEN resident_id IS NULL THEN 0 ELSE 1 END, 1,"
        "         $4, at, at FROM p"
        ") "
        "INSERT INTO checkpoint.passage_requests (checkpoint_id, request_id, passage_id,"
        "  payload_hash, recorded_at) "
        "SELECT checkpoint_id, request_id, passage_id, '\\x00', at FROM p",
        {fx::common::PgTextArray(*checkpoints), absl::StrCat(done + from),
         absl::StrCat(done + to - 1), kSeededBy});
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

// kLiveItems live notices of the subdistrict's compounds (made once, as an approval
// leaves them: the content, its version, its live copy and their areas) and `count` rows
// of daily view counts over them, count / kLiveItems days back from today each.
absl::Status SeedViews(PgPool& pool, uint64_t count) {
  return pool.Transaction([&](PgConn& conn) -> absl::Status {
    auto have = conn.Exec("SELECT count(*) FROM publicity.contents WHERE author = $1", {kSeededBy});
    if (!have.ok()) return have.status();
    if (have->Get(0, 0) == "0") {
      std::vector<std::string> areas;
      for (int i = 0; i < kLiveItems; ++i) areas.push_back(Compound(i % kCompounds));
      auto st = Exec(
          conn,
          "WITH src AS ("
          "  SELECT gen_random_uuid() AS content_id, a AS area_code, n,"
          "         'Scale notice ' || n AS title, repeat('逢车必查、逢人必测。', 20) AS body,"
          "         now() - n * interval '10 minutes' AS at"
          "  FROM unnest($1::text[]) WITH ORDINALITY AS t(a, n)"
          "), item AS ("
          "  INSERT INTO publicity.contents (content_id, kind, title, body, state, author, tags,"
          "    publish_at, live_version, first_published_at)"
          "  SELECT content_id, 1, title, body, 3, $2, ARRAY['卡点'], at, 1, at FROM src"
          "), versions AS ("
          "  INSERT INTO publicity.content_versions (content_id, version, kind, title, body,"
          "    media_url, tags, area_codes, publish_at, outlet, outlet_level, edited_by)"
          "  SELECT content_id, 1, 1, title, body, '', ARRAY['卡点'], ARRAY[area_code], at, '',"
          "         0, $2 FROM src"
          "), areas AS ("
          "  INSERT INTO publicity.content_areas (content_id, area_code)"
          "  SELECT content_id, area_code FROM src"
          "), live AS ("
          "  INSERT INTO publicity.live_contents (content_id, version, kind, title, body,"
          "    media_url, tags, outlet, outlet_level, publish_at, published_by)"
          "  SELECT content_id, 1, 1, title, body, '', ARRAY['卡点'], '', 0, at, $2 FROM src"
          ") "
          "INSERT INTO publicity.live_content_areas (content_id, area_code, publish_at) "
          "SELECT content_id, area_code, at FROM src",
          {fx::common::PgTextArray(areas), kSeededBy});
      if (!st.ok()) return st;
    }
    const uint64_t days = (count + kLiveItems - 1) / kLiveItems;
    return Exec(conn,
                "INSERT INTO publicity.content_views (content_id, day, views) "
                "SELECT content_id, day,"
                "       1 + (hashtext(content_id::text || day)::bigint + 2147483648) % 500 "
                "FROM (SELECT content_id, row_number() OVER (ORDER BY content_id) AS r "
                "      FROM publicity.contents WHERE author = $1) c, "
                "     generate_series(0, $2::int - 1) AS d, "
                "     LATERAL (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - d AS day) x "
                "WHERE (c.r - 1) * $2::int + d < $3::bigint "
                "ON CONFLICT (content_id, day) DO NOTHING",
                {kSeededBy, absl::StrCat(days), absl::StrCat(count)});
  });
}

struct Flags {
  uint64_t residents = 0, first_index = 0, passages = 0, views = 0;
};

bool ParseFlags(int argc, char** argv, Flags* f, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    uint64_t* target = name == "--residents"     ? &f->residents
                       : name == "--first-index" ? &f->first_index
                       : name == "--passages"    ? &f->passages
                       : name == "--views"       ? &f->views
                                                 : nullptr;
    if (target == nullptr) {
      *error = absl::StrCat("unknown argument ", name);
      return false;
    }
    if (i + 1 >= argc || !absl::SimpleAtoi(argv[++i], target)) {
      *error = absl::StrCat(name, " needs a whole number");
      return false;
    }
  }
  if (f->residents % kHouseholdSize != 0 || f->first_index % kHouseholdSize != 0) {
    *error = absl::StrCat("--residents and --first-index must be multiples of ", kHouseholdSize);
    return false;
  }
  if (f->first_index + f->residents > fx::bench::IdNumberGenerator::kCapacity) {
    *error = "--first-index + --residents is beyond the ID numbers fx_loadgen can make";
    return false;
  }
  if (f->residents + f->passages + f->views == 0) {
    *error = "nothing to seed: give --residents, --passages or --views";
    return false;
  }
  return true;
}

// Runs `part`, printing its name, count and time; false (with the reason) on failure.
template <typename Fn>
bool Timed(const char* what, uint64_t count, Fn part) {
  if (count == 0) return true;
  const absl::Time start = absl::Now();
  absl::Status st = part();
  if (!st.ok()) {
    std::fprintf(stderr, "fx_seed: %s failed: %s\n", what, std::string(st.message()).c_str());
    return false;
  }
  std::printf("fx_seed: %llu %s in %.1f s\n", static_cast<unsigned long long>(count), what,
              absl::ToDoubleSeconds(absl::Now() - start));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    std::fprintf(stderr,
                 "fx_seed: %s\nusage: fx_seed [--residents N [--first-index I]] "
                 "[--passages N] [--views N]\n",
                 error.c_str());
    return 2;
  }
  fx::common::EnvConfig env;
  PgPool::Options options;
  options.dsn = env.Secret("FX_PG_DSN");
  options.size = 1;
  options.statement_timeout = absl::Minutes(10);
  std::string encryption_key, lookup_key;
  if (flags.residents > 0) {
    encryption_key = env.Key32("FX_PII_ENC_KEY");
    lookup_key = env.Key32("FX_PII_HASH_KEY");
  }
  if (!env.errors().empty()) env.ExitIfInvalid();
  PgPool pool(options);
  for (const auto& [schema, migrations] : {std::pair{"identity", &fx::identity::Migrations()},
                                           std::pair{"checkpoint", &fx::checkpoint::Migrations()},
                                           std::pair{"publicity", &fx::publicity::Migrations()}}) {
    if (absl::Status st = fx::common::Migrate(pool, schema, *migrations); !st.ok()) {
      std::fprintf(stderr, "fx_seed: migrating %s failed: %s\n", schema,
                   std::string(st.message()).c_str());
      return 1;
    }
  }
  // Only residents are sealed: the keys are read (and the cipher made) for them alone.
  std::optional<fx::identity::PiiCipher> cipher;
  if (flags.residents > 0) cipher.emplace(encryption_key, lookup_key);
  const bool ok =
      Timed("residents", flags.residents,
            [&] { return SeedResidents(pool, *cipher, flags.first_index, flags.residents); }) &&
      Timed("passages", flags.passages, [&] { return SeedPassages(pool, flags.passages); }) &&
      Timed("daily view counts", flags.views, [&] { return SeedViews(pool, flags.views); });
  return ok ? 0 : 1;
}
