#include "services/quarantine/household_directory.h"

#include "absl/strings/str_cat.h"
#include "common/upstream.h"

namespace fangxian::quarantine {
namespace {

constexpr int kPageSize = 500;

}  // namespace

absl::StatusOr<HouseholdInfo> IdentityHouseholds::Get(const common::CallContext& call,
                                                      const std::string& household_id) {
  grpc::ClientContext ctx;
  common::PrepareUpstreamCall(call, max_wait_, &ctx);
  identity::v1::GetHouseholdRequest req;
  req.set_household_id(household_id);
  identity::v1::Household out;
  const grpc::Status st = stub_->GetHousehold(&ctx, req, &out);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::NotFoundError("household_id: identity knows no such household in your area scope");
  }
  if (!st.ok()) return common::UpstreamFailure(st, "identity", call.deadline);
  HouseholdInfo info;
  info.household_id = out.household_id();
  info.area_code = out.area_code();
  for (const identity::v1::HouseholdMember& m : out.members()) {
    info.members.push_back({m.resident_id(), m.name()});
  }
  return info;
}

absl::StatusOr<std::vector<AreaHousehold>> IdentityHouseholds::ListArea(
    const common::CallContext& call, const std::string& area_code, int max) {
  std::vector<AreaHousehold> out;
  identity::v1::ListHouseholdsRequest req;
  req.set_area_code(area_code);
  req.set_page_size(kPageSize);
  do {
    grpc::ClientContext ctx;
    common::PrepareUpstreamCall(call, max_wait_, &ctx);
    identity::v1::ListHouseholdsResponse page;
    const grpc::Status st = stub_->ListHouseholds(&ctx, req, &page);
    if (!st.ok()) return common::UpstreamFailure(st, "identity", call.deadline);
    for (const identity::v1::Household& h : page.households()) {
      if (static_cast<int>(out.size()) == max) {
        return absl::FailedPreconditionError(
            absl::StrCat("the area holds more than ", max,
                         " households, more than one round can list; split the sweep by area"));
      }
      AreaHousehold row;
      row.household_id = h.household_id();
      row.card_number = h.card_number();
      row.area_code = h.area_code();
      row.building_path = h.building_path();
      row.room = h.room();
      for (const identity::v1::HouseholdMember& m : h.members()) {
        row.member_ids.push_back(m.resident_id());
      }
      out.push_back(std::move(row));
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

}  // namespace fangxian::quarantine
