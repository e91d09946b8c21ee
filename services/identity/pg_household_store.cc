#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/identity/household_store.h"

namespace fangxian::identity {
namespace {

// Attempts at a free card number: with 40 random bits a second draw is already rare.
constexpr int kCardNumberAttempts = 8;

// Selected FROM identity.households (not aliased: the building subquery names it).
constexpr char kHouseholdColumns[] =
    "household_id, card_number, area_code, room, head_resident_id, created_by, "
    "(extract(epoch from created_at) * 1000000)::int8, "
    "coalesce((SELECT CASE a.level WHEN 5 THEN a.path WHEN 6 THEN a.parent_path ELSE '' END "
    "          FROM identity.areas a WHERE a.path = households.area_code), '')";

// Vehicles joined with their household (h) for its area.
constexpr char kVehicleColumns[] =
    "v.vehicle_id, v.plate, v.household_id, h.area_code, v.kind, v.new_energy, v.created_by, "
    "(extract(epoch from v.created_at) * 1000000)::int8";

VehicleRow VehicleFrom(const common::PgResult& r, int i) {
  VehicleRow row;
  row.vehicle_id = std::string(r.Get(i, 0));
  row.plate = std::string(r.Get(i, 1));
  row.household_id = std::string(r.Get(i, 2));
  row.area_code = std::string(r.Get(i, 3));
  (void)absl::SimpleAtoi(r.Get(i, 4), &row.kind);
  row.new_energy = r.Get(i, 5) == "t";
  row.created_by = std::string(r.Get(i, 6));
  (void)absl::SimpleAtoi(r.Get(i, 7), &row.created_at_micros);
  return row;
}

absl::Status OneHouseholdPerResident() {
  return absl::AlreadyExistsError(
      "resident_id: this resident already belongs to a household (one household per resident)");
}

std::string Details(absl::string_view resident_id) {
  return absl::StrCat("resident_id=", resident_id);
}

HouseholdRow HouseholdFrom(const common::PgResult& r, int i) {
  HouseholdRow row;
  row.household_id = std::string(r.Get(i, 0));
  row.card_number = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  row.room = std::string(r.Get(i, 3));
  row.head_resident_id = std::string(r.Get(i, 4));
  row.created_by = std::string(r.Get(i, 5));
  (void)absl::SimpleAtoi(r.Get(i, 6), &row.created_at_micros);
  row.building_path = std::string(r.Get(i, 7));
  return row;
}

// Fills the members and vehicles of `rows`: one query each, however many rows.
absl::Status AttachMembersAndVehicles(common::PgConn& conn, std::vector<HouseholdRow>& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  std::unordered_map<std::string, HouseholdRow*> by_id;
  for (HouseholdRow& row : rows) {
    ids.push_back(row.household_id);
    by_id[row.household_id] = &row;
  }
  const std::string id_array = common::PgTextArray(ids);
  auto members = conn.Exec(
      "SELECT m.household_id, m.resident_id, r.name FROM identity.household_members m "
      "JOIN identity.residents r USING (resident_id) WHERE m.household_id = ANY($1::uuid[]) "
      "ORDER BY m.household_id, m.joined_at, m.resident_id",
      {id_array});
  if (!members.ok()) return members.status();
  for (int i = 0; i < members->rows(); ++i) {
    by_id[std::string(members->Get(i, 0))]->members.push_back(
        {std::string(members->Get(i, 1)), std::string(members->Get(i, 2))});
  }
  auto vehicles =
      conn.Exec(absl::StrCat("SELECT ", kVehicleColumns,
                             " FROM identity.vehicles v JOIN identity.households h "
                             "USING (household_id) WHERE v.household_id = ANY($1::uuid[]) "
                             "ORDER BY v.plate"),
                {id_array});
  if (!vehicles.ok()) return vehicles.status();
  for (int i = 0; i < vehicles->rows(); ++i) {
    VehicleRow vehicle = VehicleFrom(*vehicles, i);
    by_id[vehicle.household_id]->vehicles.push_back(std::move(vehicle));
  }
  return absl::OkStatus();
}

// The household with its members and vehicles; absent when missing. `lock` is appended
// to the household row's SELECT ("FOR UPDATE", "FOR SHARE" or nothing).
absl::StatusOr<std::optional<HouseholdRow>> Load(common::PgConn& conn,
                                                 const std::string& household_id,
                                                 absl::string_view lock) {
  auto h = conn.Exec(absl::StrCat("SELECT ", kHouseholdColumns,
                                  " FROM identity.households WHERE household_id = $1 ", lock),
                     {household_id});
  if (!h.ok()) return h.status();
  if (h->rows() == 0) return std::optional<HouseholdRow>();
  std::vector<HouseholdRow> rows = {HouseholdFrom(*h, 0)};
  if (absl::Status s = AttachMembersAndVehicles(conn, rows); !s.ok()) return s;
  return std::optional<HouseholdRow>(std::move(rows[0]));
}

// Re-reads a household changed in this transaction (it exists: we hold its lock).
absl::StatusOr<HouseholdRow> Reload(common::PgConn& conn, const std::string& household_id) {
  auto row = Load(conn, household_id, "");
  if (!row.ok()) return row.status();
  if (!row->has_value()) return absl::InternalError("household vanished inside its transaction");
  return std::move(**row);
}

// The resident with the household it belongs to, locked against removal; absent when not
// registered.
absl::StatusOr<std::optional<ResidentRef>> ReadResident(common::PgConn& conn,
                                                        const std::string& resident_id) {
  auto r = conn.Exec(
      "SELECT r.resident_id, r.name, r.area_code, coalesce(m.household_id::text, '') "
      "FROM identity.residents r LEFT JOIN identity.household_members m USING (resident_id) "
      "WHERE r.resident_id = $1 FOR SHARE OF r",
      {resident_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<ResidentRef>();
  return std::optional<ResidentRef>(
      ResidentRef{std::string(r->Get(0, 0)), std::string(r->Get(0, 1)), std::string(r->Get(0, 2)),
                  std::string(r->Get(0, 3))});
}

// The area a household is placed in, locked FOR SHARE so it cannot move before we
// commit; absent when not stored.
absl::StatusOr<std::optional<AreaRow>> ReadArea(common::PgConn& conn, const std::string& path) {
  auto r = conn.Exec(
      "SELECT path, parent_path, code, name, level FROM identity.areas WHERE path = $1 FOR SHARE",
      {path});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AreaRow>();
  AreaRow area;
  area.path = std::string(r->Get(0, 0));
  area.parent_path = std::string(r->Get(0, 1));
  area.code = std::string(r->Get(0, 2));
  area.name = std::string(r->Get(0, 3));
  (void)absl::SimpleAtoi(r->Get(0, 4), &area.level);
  return std::optional<AreaRow>(std::move(area));
}

absl::Status InsertMember(common::PgConn& conn, const std::string& household_id,
                          const std::string& resident_id) {
  auto r = conn.Exec(
      "INSERT INTO identity.household_members (household_id, resident_id) VALUES ($1, $2)",
      {household_id, resident_id});
  // A concurrent join of the same resident got there first.
  if (absl::IsAlreadyExists(r.status())) return OneHouseholdPerResident();
  return r.status();
}

// Runs `change` on the household locked FOR UPDATE with the resident read, after
// `check` accepted both, then appends `audit` (area filled; details, unless `change` set
// them, name the resident) and returns the household as changed.
template <typename Change>
absl::StatusOr<HouseholdRow> ChangeHousehold(common::PgPool& pool, const std::string& household_id,
                                             const std::string& resident_id,
                                             const HouseholdStore::MemberCheck& check,
                                             AuditEntry audit, Change change) {
  HouseholdRow result;
  absl::Status st = pool.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto household = Load(conn, household_id, "FOR UPDATE");
    if (!household.ok()) return household.status();
    auto resident = ReadResident(conn, resident_id);
    if (!resident.ok()) return resident.status();
    if (absl::Status s = check(*household, *resident); !s.ok()) return s;
    if (absl::Status s = change(conn, **household, audit); !s.ok()) return s;
    audit.area_code = (*household)->area_code;
    if (audit.details.empty()) audit.details = Details(resident_id);
    if (absl::Status s = AppendAudit(conn, audit); !s.ok()) return s;
    auto changed = Reload(conn, household_id);
    if (!changed.ok()) return changed.status();
    result = std::move(*changed);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

}  // namespace

absl::StatusOr<HouseholdRow> PgHouseholdStore::Create(const HouseholdRow& row,
                                                      const CardNumberSource& card,
                                                      const CreateCheck& check, AuditEntry audit) {
  HouseholdRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto area = ReadArea(conn, row.area_code);
    if (!area.ok()) return area.status();
    auto head = ReadResident(conn, row.head_resident_id);
    if (!head.ok()) return head.status();
    if (absl::Status s = check(*area, *head); !s.ok()) return s;
    std::string household_id;
    // A taken card number inserts nothing (no error, so the transaction stays usable):
    // draw another.
    for (int attempt = 0; attempt < kCardNumberAttempts && household_id.empty(); ++attempt) {
      auto r = conn.Exec(
          "INSERT INTO identity.households (card_number, area_code, room, head_resident_id, "
          "created_by) VALUES ($1, $2, $3, $4, $5) "
          "ON CONFLICT ON CONSTRAINT households_card_number_unique DO NOTHING "
          "RETURNING household_id",
          {card(), row.area_code, row.room, row.head_resident_id, row.created_by});
      if (!r.ok()) return r.status();
      if (r->rows() > 0) household_id = std::string(r->Get(0, 0));
    }
    if (household_id.empty()) {
      return absl::UnavailableError("no free household card number was found; retry");
    }
    if (absl::Status s = InsertMember(conn, household_id, row.head_resident_id); !s.ok()) {
      return s;
    }
    audit.subject_id = household_id;
    audit.details = absl::StrCat("head_resident_id=", row.head_resident_id);
    if (absl::Status s = AppendAudit(conn, audit); !s.ok()) return s;
    auto created = Reload(conn, household_id);
    if (!created.ok()) return created.status();
    stored = std::move(*created);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return stored;
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::Get(const std::string& household_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto row = Load(*conn, household_id, "");
  if (!row.ok()) return row.status();
  if (!row->has_value()) return absl::NotFoundError("no household with this id");
  return std::move(**row);
}

absl::StatusOr<std::vector<HouseholdRow>> PgHouseholdStore::List(const HouseholdListQuery& q) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // area_code and room compare byte-wise (COLLATE "C"), the order page tokens resume in.
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kHouseholdColumns,
                   " FROM identity.households "
                   "WHERE (area_code = $1 OR area_code LIKE $1 || '.%') "
                   "  AND ($2::uuid IS NULL OR (area_code, room COLLATE \"C\", household_id) "
                   "      > ($3, $4 COLLATE \"C\", $2::uuid)) "
                   "ORDER BY area_code, room COLLATE \"C\", household_id LIMIT $5"),
      {q.area_code, q.after.household_id.empty() ? common::PgParam() : q.after.household_id,
       q.after.area_code, q.after.room, absl::StrCat(q.limit)});
  if (!r.ok()) return r.status();
  std::vector<HouseholdRow> rows;
  for (int i = 0; i < r->rows(); ++i) rows.push_back(HouseholdFrom(*r, i));
  if (absl::Status s = AttachMembersAndVehicles(*conn, rows); !s.ok()) return s;
  return rows;
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::AddMember(const std::string& household_id,
                                                         const std::string& resident_id,
                                                         const MemberCheck& check,
                                                         AuditEntry audit) {
  return ChangeHousehold(pool_, household_id, resident_id, check, std::move(audit),
                         [&](common::PgConn& conn, const HouseholdRow&, AuditEntry&) {
                           return InsertMember(conn, household_id, resident_id);
                         });
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::RemoveMember(const std::string& household_id,
                                                            const std::string& resident_id,
                                                            const MemberCheck& check,
                                                            AuditEntry audit) {
  return ChangeHousehold(pool_, household_id, resident_id, check, std::move(audit),
                         [&](common::PgConn& conn, const HouseholdRow&, AuditEntry&) {
                           return conn
                               .Exec(
                                   "DELETE FROM identity.household_members "
                                   "WHERE household_id = $1 AND resident_id = $2",
                                   {household_id, resident_id})
                               .status();
                         });
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::SetHead(const std::string& household_id,
                                                       const std::string& resident_id,
                                                       const MemberCheck& check, AuditEntry audit) {
  return ChangeHousehold(
      pool_, household_id, resident_id, check, std::move(audit),
      [&](common::PgConn& conn, const HouseholdRow& before, AuditEntry& entry) {
        entry.details =
            absl::StrCat("resident_id=", resident_id, " previous_head=", before.head_resident_id);
        return conn
            .Exec("UPDATE identity.households SET head_resident_id = $2 WHERE household_id = $1",
                  {household_id, resident_id})
            .status();
      });
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::MoveMember(const std::string& from_id,
                                                          const std::string& to_id,
                                                          const std::string& resident_id,
                                                          const MoveCheck& check,
                                                          AuditEntry audit) {
  HouseholdRow result;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    // Both households locked in one global order, so two opposite moves cannot deadlock.
    const bool from_first = from_id < to_id;
    auto first = Load(conn, from_first ? from_id : to_id, "FOR UPDATE");
    if (!first.ok()) return first.status();
    auto second = Load(conn, from_first ? to_id : from_id, "FOR UPDATE");
    if (!second.ok()) return second.status();
    const std::optional<HouseholdRow>& from = from_first ? *first : *second;
    const std::optional<HouseholdRow>& to = from_first ? *second : *first;
    auto resident = ReadResident(conn, resident_id);
    if (!resident.ok()) return resident.status();
    if (absl::Status s = check(from, to, *resident); !s.ok()) return s;
    auto moved = conn.Exec(
        "UPDATE identity.household_members SET household_id = $2, joined_at = clock_timestamp() "
        "WHERE household_id = $1 AND resident_id = $3",
        {from_id, to_id, resident_id});
    if (!moved.ok()) return moved.status();
    // One row per household, so an auditor of either area sees the move.
    audit.details = absl::StrCat("resident_id=", resident_id, " from=", from_id, " to=", to_id);
    for (const HouseholdRow* h : {&*from, &*to}) {
      audit.subject_id = h->household_id;
      audit.area_code = h->area_code;
      if (absl::Status s = AppendAudit(conn, audit); !s.ok()) return s;
    }
    auto changed = Reload(conn, to_id);
    if (!changed.ok()) return changed.status();
    result = std::move(*changed);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<VehicleRow> PgHouseholdStore::AddVehicle(const VehicleRow& row,
                                                        const HouseholdCheck& check,
                                                        AuditEntry audit) {
  VehicleRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto household = Load(conn, row.household_id, "FOR SHARE");
    if (!household.ok()) return household.status();
    if (absl::Status s = check(*household); !s.ok()) return s;
    auto r = conn.Exec(
        "INSERT INTO identity.vehicles (plate, household_id, kind, new_energy, created_by) "
        "VALUES ($1, $2, $3, $4, $5) "
        "RETURNING vehicle_id, (extract(epoch from created_at) * 1000000)::int8",
        {row.plate, row.household_id, std::to_string(row.kind), row.new_energy ? "true" : "false",
         row.created_by});
    if (absl::IsAlreadyExists(r.status())) {
      return absl::AlreadyExistsError(
          "plate: this plate is registered already (one registration per plate); remove that "
          "registration first");
    }
    if (!r.ok()) return r.status();
    stored = row;
    stored.vehicle_id = std::string(r->Get(0, 0));
    (void)absl::SimpleAtoi(r->Get(0, 1), &stored.created_at_micros);
    stored.area_code = (*household)->area_code;
    audit.subject_id = stored.vehicle_id;
    audit.area_code = stored.area_code;
    audit.details = absl::StrCat("household_id=", row.household_id);
    return AppendAudit(conn, audit);
  });
  if (!st.ok()) return st;
  return stored;
}

absl::StatusOr<HouseholdRow> PgHouseholdStore::RemoveVehicle(const std::string& vehicle_id,
                                                             const VehicleCheck& check,
                                                             AuditEntry audit) {
  HouseholdRow result;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto v = conn.Exec(absl::StrCat("SELECT ", kVehicleColumns,
                                    " FROM identity.vehicles v JOIN identity.households h "
                                    "USING (household_id) WHERE v.vehicle_id = $1 FOR UPDATE OF v"),
                       {vehicle_id});
    if (!v.ok()) return v.status();
    const std::optional<VehicleRow> vehicle =
        v->rows() == 0 ? std::nullopt : std::optional<VehicleRow>(VehicleFrom(*v, 0));
    if (absl::Status s = check(vehicle); !s.ok()) return s;
    auto deleted = conn.Exec("DELETE FROM identity.vehicles WHERE vehicle_id = $1", {vehicle_id});
    if (!deleted.ok()) return deleted.status();
    audit.area_code = vehicle->area_code;
    audit.details = absl::StrCat("household_id=", vehicle->household_id);
    if (absl::Status s = AppendAudit(conn, audit); !s.ok()) return s;
    auto changed = Reload(conn, vehicle->household_id);
    if (!changed.ok()) return changed.status();
    result = std::move(*changed);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<std::optional<VehicleRow>> PgHouseholdStore::FindVehicleByPlate(
    const std::string& plate) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // The plate's unique index, then the household's primary key: one round trip.
  auto r = conn->Exec(absl::StrCat("SELECT ", kVehicleColumns,
                                   " FROM identity.vehicles v JOIN identity.households h "
                                   "USING (household_id) WHERE v.plate = $1"),
                      {plate});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<VehicleRow>();
  return std::optional<VehicleRow>(VehicleFrom(*r, 0));
}

}  // namespace fangxian::identity
