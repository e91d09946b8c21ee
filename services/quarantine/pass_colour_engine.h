// The pass colour computation (docs/quarantine.md, "Pass colour"). Every change to the
// facts a colour depends on (persons of interest, isolation orders, check-ins and
// follow-up flags, violations) calls Recompute for the people it touches inside the same
// transaction: the new colour, its reasons and the outbox event commit with the change, or
// not at all. After COMMIT, Published wakes the outbox relay, which writes the shared Redis
// entry checkpoints read and the event on `fx:quarantine:v1:events`; while Redis is down
// the rows wait in the outbox, so a colour is republished when Redis returns.
//
//   std::vector<PassChange> changes;
//   absl::Status s = pg.Transaction([&](common::PgConn& c) -> absl::Status {
//     ... write the facts ...
//     auto ch = engine.Recompute(c, {resident_id}, now);
//     if (!ch.ok()) return ch.status();
//     changes = *std::move(ch);
//     return absl::OkStatus();
//   });
//   if (s.ok()) engine.Published(changes);
#ifndef FANGXIAN_SERVICES_QUARANTINE_PASS_COLOUR_ENGINE_H_
#define FANGXIAN_SERVICES_QUARANTINE_PASS_COLOUR_ENGINE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/outbox_relay.h"
#include "common/pg.h"
#include "common/redis.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"

namespace fangxian::quarantine {

inline constexpr char kQuarantineOutboxTable[] = "quarantine.outbox";
inline constexpr char kQuarantineEventStream[] = "fx:quarantine:v1:events";
inline constexpr char kPassStatusChangedEvent[] = "quarantine.pass_status.changed";

struct ColourRules {
  // How long returnees and close contacts stay under observation (yellow), in days from
  // the arrival / last contact date (FX_QUARANTINE_OBSERVATION_DAYS).
  int observation_days = 14;
};

// Everything one person's colour depends on, as read from the tables.
struct ColourFacts {
  struct Order {
    std::string order_id;
    std::string area_code;
    absl::CivilDay start_date;
    absl::CivilDay end_date;  // due for release
    int checkins_per_day = 2;
    absl::Time created_at;
    std::optional<absl::Time> last_check_in;  // the person's latest check-in under it
  };
  struct Episode {  // an open person-of-interest record
    v1::Category category = v1::CATEGORY_UNSPECIFIED;
    std::string area_code;
    std::optional<absl::CivilDay> arrival_date;  // returnees
    std::optional<absl::CivilDay> contact_date;  // close contacts
    std::optional<absl::Time> referred_at;       // fever referrals
    std::string origin_region;
  };
  struct Violation {  // confirmed, not closed
    int kind = 0;
    std::string area_code;
    absl::Time confirmed_at;
  };
  std::string resident_id;
  std::vector<Order> orders;  // unreleased orders
  std::vector<Episode> episodes;
  std::vector<Violation> violations;
  std::optional<absl::Time> open_follow_up_since;
  std::string follow_up_area;
};

struct ColourDecision {
  v1::PassColour colour = v1::PASS_COLOUR_GREEN;
  std::vector<std::pair<std::string, std::string>> reasons;  // (code, detail)
  std::string area_code;  // area responsible for the person; "" when none
  // When the decision can change by time alone (an order starts, an observation window
  // ends, a check-in slot ends); nullopt: only a new fact changes it.
  std::optional<absl::Time> next_review_at;
};

// The rule (pure, unit-tested): RED for an unreleased order that has started or an open
// confirmed violation; YELLOW for an open returnee or close-contact episode within its
// window, an open fever referral, a missed check-in slot, an open follow-up flag; GREEN
// otherwise. Reasons are listed red ones first, then yellow, in a fixed order.
ColourDecision DecideColour(const ColourFacts& facts, absl::Time now, const ColourRules& rules);

// The China day and check-in slot that `t` falls in for an order with `per_day` slots.
struct CheckInSlot {
  absl::CivilDay day;
  int slot = 0;
  absl::Time start;
  absl::Time end;
};
CheckInSlot SlotAt(absl::Time t, int per_day);

// Whether a member of an order owes a check-in for `slot`: the slot began at or after the
// obligation did, which is the order's start (00:00 China time of its start_date) or, if
// later, when the order was made (`created_at`). A slot already under way when the order
// was made is not owed. The one rule of the colour (missed_check_ins) and of the
// non-reporting list (ExpectedSlots).
bool SlotOwed(const CheckInSlot& slot, absl::Time order_start, absl::Time created_at);

// A person whose colour or reasons changed in a Recompute.
struct PassChange {
  std::string resident_id;
  v1::PassColour previous = v1::PASS_COLOUR_GREEN;
  v1::PassColour colour = v1::PASS_COLOUR_GREEN;
};

class PassColourEngine {
 public:
  // `on_published` is called by Published and after a review with the changes (main.cc:
  // wakes the outbox relay and drops the people from GetPassStatus's memory); may be null.
  using Listener = std::function<void(const std::vector<PassChange>&)>;
  PassColourEngine(ColourRules rules, Listener on_published)
      : rules_(rules), on_published_(std::move(on_published)) {}

  const ColourRules& rules() const { return rules_; }

  // Inside the caller's transaction: locks each person's pass_status row (in id order, so
  // two transactions never deadlock), reads their facts, decides, writes pass_status
  // (colour, reasons, area, next_review_at) and, when the colour changed, an outbox event.
  // Returns the people whose colour or reasons changed.
  absl::StatusOr<std::vector<PassChange>> Recompute(common::PgConn& tx,
                                                    std::vector<std::string> resident_ids,
                                                    absl::Time now) const;

  // After COMMIT: tells the listener, so the Redis entry and the event go out at once.
  void Published(const std::vector<PassChange>& changes) const;

  // The review job's step: recomputes up to `limit` people whose next_review_at has
  // come, one transaction. Returns how many it looked at.
  absl::StatusOr<int> ReviewDue(common::PgPool& pg, absl::Time now, int limit) const;

 private:
  const ColourRules rules_;
  const Listener on_published_;
};

// The outbox relay's per-row hook (main.cc): for a pass-status event, SETs the person's
// shared Redis entry (docs/caching.md, "Pass colour") to the colour committed now. A Redis
// failure stops the batch, so the entry is rewritten once Redis is back.
absl::Status RefreshCachedColour(common::RedisPool& redis, common::PgConn& conn,
                                 const common::OutboxRelay::Row& row);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PASS_COLOUR_ENGINE_H_
