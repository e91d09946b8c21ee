-- Door-to-door sweeps (全域排查), "one household, one card" (docs/quarantine.md, "Sweeps").
-- A sweep is a campaign over an area with teams, run in rounds; each round snapshots the
-- area's households from identity (household_id, card number, area, room and members are
-- identity's: no foreign key across schemas). outcome holds the proto number of
-- fangxian.quarantine.v1.VisitOutcome (1 visited, 2 not at home, 3 refused).

CREATE TABLE sweeps (
  sweep_id      uuid PRIMARY KEY,
  name          text NOT NULL,
  area_code     text COLLATE "C" NOT NULL,
  current_round integer NOT NULL DEFAULT 0 CHECK (current_round >= 0),  -- 0: none yet
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL
);

CREATE INDEX sweeps_area_code_idx ON sweeps (area_code);
CREATE INDEX sweeps_created_idx ON sweeps (created_at DESC, sweep_id DESC);

CREATE TABLE sweep_teams (
  sweep_id        uuid NOT NULL REFERENCES sweeps ON DELETE CASCADE,
  position        smallint NOT NULL,           -- order given at creation
  name            text NOT NULL,
  member_subjects text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (sweep_id, name),
  UNIQUE (sweep_id, position)
);

-- A round is open from opened_at until the next round closes it (closed_at).
CREATE TABLE sweep_rounds (
  sweep_id  uuid NOT NULL REFERENCES sweeps ON DELETE CASCADE,
  round     integer NOT NULL CHECK (round >= 1),
  opened_at timestamptz NOT NULL,
  opened_by text NOT NULL,
  closed_at timestamptz,
  PRIMARY KEY (sweep_id, round)
);

-- The household list of a round, as identity listed it when the round opened. position
-- is the order identity listed them in (area_code, room, household_id), the order of the
-- revisit queue. building_path is the building (or '' for a household placed directly in
-- a compound); coverage is grouped by it.
CREATE TABLE sweep_households (
  sweep_id      uuid NOT NULL,
  round         integer NOT NULL,
  household_id  uuid NOT NULL,
  position      integer NOT NULL,
  card_number   text NOT NULL,
  area_code     text COLLATE "C" NOT NULL,
  building_path text COLLATE "C" NOT NULL DEFAULT '',
  room          text NOT NULL,
  member_ids    uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (sweep_id, round, household_id),
  UNIQUE (sweep_id, round, position),
  FOREIGN KEY (sweep_id, round) REFERENCES sweep_rounds ON DELETE CASCADE
);

-- Every visit; the latest (visited_at, then visit_id) per household and round is its
-- outcome in that round.
CREATE TABLE sweep_visits (
  visit_id     uuid PRIMARY KEY,
  sweep_id     uuid NOT NULL,
  round        integer NOT NULL,
  household_id uuid NOT NULL,
  outcome      smallint NOT NULL CHECK (outcome BETWEEN 1 AND 3),
  notice_left  boolean NOT NULL,
  note         text NOT NULL DEFAULT '',
  team         text NOT NULL,
  recorded_by  text NOT NULL,
  visited_at   timestamptz NOT NULL,
  FOREIGN KEY (sweep_id, round, household_id) REFERENCES sweep_households ON DELETE CASCADE
);

CREATE INDEX sweep_visits_household_idx
  ON sweep_visits (sweep_id, round, household_id, visited_at DESC, visit_id DESC);

-- Not-at-home households that came to register, one per household and round.
CREATE TABLE sweep_registrations (
  sweep_id      uuid NOT NULL,
  round         integer NOT NULL,
  household_id  uuid NOT NULL,
  registered_at timestamptz NOT NULL,
  note          text NOT NULL DEFAULT '',
  recorded_by   text NOT NULL,
  recorded_at   timestamptz NOT NULL,
  PRIMARY KEY (sweep_id, round, household_id),
  FOREIGN KEY (sweep_id, round, household_id) REFERENCES sweep_households ON DELETE CASCADE
);

-- What each visit found: the person of interest it created, or the open one it found.
CREATE TABLE sweep_findings (
  visit_id    uuid NOT NULL REFERENCES sweep_visits ON DELETE CASCADE,
  resident_id uuid NOT NULL,
  category    smallint NOT NULL CHECK (category > 0),
  person_id   uuid NOT NULL REFERENCES persons_of_interest,
  created     boolean NOT NULL,
  PRIMARY KEY (visit_id, resident_id, category)
);
