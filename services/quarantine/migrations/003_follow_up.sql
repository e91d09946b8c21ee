-- The facts a pass colour is computed from (docs/quarantine.md, "Pass colour"), the outbox
-- of quarantine's events and the bookkeeping of the events it consumes. Enum columns hold
-- proto numbers of fangxian.quarantine.v1 enums, never 0. resident_id / household_id are
-- identity's UUIDs (no foreign key across schemas).

-- Persons of interest: one open follow-up episode per person and category. An episode
-- ends when a grid worker or admin closes it; a later episode is a new row.
ALTER TABLE persons_of_interest
  ADD COLUMN risk_level    smallint NOT NULL DEFAULT 1 CHECK (risk_level > 0),
  ADD COLUMN grid_worker   text NOT NULL DEFAULT '',     -- staff subject, '' unassigned
  ADD COLUMN travel_mode   smallint NOT NULL DEFAULT 0,  -- returnees; 0 unknown
  ADD COLUMN contact_of    text NOT NULL DEFAULT '',     -- close contacts: whom (free text)
  ADD COLUMN contact_date  date,                         -- close contacts: last contact
  ADD COLUMN referral_alert_id text,                     -- fever referrals: checkpoint alert
  ADD COLUMN referral_checkpoint_id uuid,
  ADD COLUMN referral_temperature numeric(4, 1),
  ADD COLUMN referred_at   timestamptz,
  ADD COLUMN note          text NOT NULL DEFAULT '',
  ADD COLUMN closed_at     timestamptz,
  ADD COLUMN closed_by     text,
  ADD COLUMN close_note    text;

CREATE UNIQUE INDEX persons_of_interest_open_episode_idx
  ON persons_of_interest (resident_id, category) WHERE closed_at IS NULL;

-- Home isolation orders (居家隔离) per household. The order is active from start_date
-- (China day) until released; end_date = start_date + period_days is when it is due for
-- release. checkins_per_day: health check-ins expected per China day from each member.
CREATE TABLE isolation_orders (
  order_id         uuid PRIMARY KEY,
  household_id     uuid NOT NULL,
  area_code        text NOT NULL,
  start_date       date NOT NULL,
  period_days      integer NOT NULL CHECK (period_days BETWEEN 1 AND 60),
  end_date         date GENERATED ALWAYS AS (start_date + period_days) STORED,
  checkins_per_day smallint NOT NULL DEFAULT 2 CHECK (checkins_per_day BETWEEN 1 AND 6),
  reason           text NOT NULL DEFAULT '',
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  released_at      timestamptz,
  released_by      text,
  release_reason   text
);

CREATE INDEX isolation_orders_household_idx ON isolation_orders (household_id);
CREATE INDEX isolation_orders_area_code_idx ON isolation_orders (area_code text_pattern_ops);
-- At most one unreleased order per household at a time.
CREATE UNIQUE INDEX isolation_orders_open_idx ON isolation_orders (household_id)
  WHERE released_at IS NULL;

-- The members an order isolates (the household's members when it was made).
CREATE TABLE isolation_order_members (
  order_id    uuid NOT NULL REFERENCES isolation_orders ON DELETE CASCADE,
  resident_id uuid NOT NULL,
  name        text NOT NULL DEFAULT '',
  PRIMARY KEY (order_id, resident_id)
);

CREATE INDEX isolation_order_members_resident_idx ON isolation_order_members (resident_id);

-- Daily health check-ins (健康打卡) of isolated people. china_day and slot say which of
-- the order's daily slots it fills (slot = 0 .. checkins_per_day-1, equal parts of the
-- China day). abnormal: temperature >= 37.3 °C or any symptom.
CREATE TABLE check_ins (
  check_in_id         uuid PRIMARY KEY,
  order_id            uuid NOT NULL REFERENCES isolation_orders,
  resident_id         uuid NOT NULL,
  temperature_celsius numeric(4, 1) NOT NULL,
  symptoms            smallint[] NOT NULL DEFAULT '{}',
  abnormal            boolean NOT NULL,
  note                text NOT NULL DEFAULT '',
  recorded_by         text NOT NULL,       -- token subject
  by_resident         boolean NOT NULL,    -- the resident themselves, or staff for them
  checked_at          timestamptz NOT NULL,
  china_day           date NOT NULL,
  slot                smallint NOT NULL
);

CREATE INDEX check_ins_resident_time_idx ON check_ins (resident_id, checked_at);
CREATE INDEX check_ins_order_day_idx ON check_ins (order_id, china_day);

-- Follow-up flags: an abnormal check-in raises one (at most one open per person); a grid
-- worker or admin clears it after following up.
CREATE TABLE follow_up_flags (
  flag_id     uuid PRIMARY KEY,
  resident_id uuid NOT NULL,
  area_code   text NOT NULL,
  check_in_id uuid REFERENCES check_ins,
  raised_at   timestamptz NOT NULL,
  cleared_at  timestamptz,
  cleared_by  text,
  clear_note  text
);

CREATE UNIQUE INDEX follow_up_flags_open_idx ON follow_up_flags (resident_id)
  WHERE cleared_at IS NULL;

-- Violations (违规): kind and outcome are proto numbers; status 1 reported (unconfirmed),
-- 2 confirmed, 3 closed. A confirmed violation that is not closed makes the pass red.
CREATE TABLE violations (
  violation_id    uuid PRIMARY KEY,
  resident_id     uuid NOT NULL,
  area_code       text NOT NULL,
  kind            smallint NOT NULL CHECK (kind > 0),
  status          smallint NOT NULL CHECK (status BETWEEN 1 AND 3),
  outcome         smallint NOT NULL DEFAULT 0,
  description     text NOT NULL DEFAULT '',
  source_event_id text UNIQUE,   -- a red-pass alert that reported it
  recorded_by     text NOT NULL,
  recorded_at     timestamptz NOT NULL,
  confirmed_by    text,
  confirmed_at    timestamptz,
  closed_by       text,
  closed_at       timestamptz,
  close_note      text
);

CREATE INDEX violations_resident_idx ON violations (resident_id);
CREATE INDEX violations_area_code_idx ON violations (area_code text_pattern_ops);

-- When the colour must be computed again by time alone (a returnee's window ends, an
-- order starts, a check-in slot ends); NULL: nothing pending. The review job picks rows
-- whose time has come.
ALTER TABLE pass_status ADD COLUMN next_review_at timestamptz;
CREATE INDEX pass_status_next_review_idx ON pass_status (next_review_at)
  WHERE next_review_at IS NOT NULL;

-- Events for other services, written in the same transaction as the change, relayed to
-- the Redis Stream fx:quarantine:v1:events (common/outbox_relay.h).
CREATE TABLE outbox (
  event_id   bigserial PRIMARY KEY,
  event_type text NOT NULL,
  payload    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Events consumed from other services, by their own id (a checkpoint alert_id): handled
-- once in effect, however often delivered.
CREATE TABLE consumed_events (
  event_id    text PRIMARY KEY,
  event_type  text NOT NULL,
  handled_at  timestamptz NOT NULL,
  outcome     text NOT NULL
);

-- Events that could not be handled after repeated attempts: kept for an operator, not
-- lost.
CREATE TABLE parked_events (
  stream_entry_id text NOT NULL,
  stream          text NOT NULL,
  event_id        text NOT NULL DEFAULT '',
  event_type      text NOT NULL DEFAULT '',
  payload         text NOT NULL,
  error           text NOT NULL,
  attempts        integer NOT NULL,
  parked_at       timestamptz NOT NULL,
  PRIMARY KEY (stream, stream_entry_id)
);
