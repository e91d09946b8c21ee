-- Households (一户一卡) and vehicles. A household lives at a stored area; the foreign key
-- (no ON UPDATE action) makes MoveArea of a subtree holding households fail rather than
-- strand them. The head is always a member: the composite foreign key is checked at
-- commit, so a household and its first member are inserted in one transaction.
CREATE TABLE households (
  household_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  card_number      text NOT NULL,
  area_code        text COLLATE "C" NOT NULL REFERENCES areas (path),
  room             text NOT NULL,
  head_resident_id uuid NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  CONSTRAINT households_card_number_unique UNIQUE (card_number),
  CONSTRAINT households_card_number_format
    CHECK (card_number ~ '^HK-[0-9A-HJKMNP-TV-Z]{8}$'),
  CONSTRAINT households_room_length CHECK (char_length(room) BETWEEN 1 AND 100)
);

CREATE INDEX households_area_code_idx ON households (area_code);

-- resident_id is UNIQUE: a resident belongs to at most one household at a time.
CREATE TABLE household_members (
  household_id uuid NOT NULL REFERENCES households (household_id),
  resident_id  uuid NOT NULL REFERENCES residents (resident_id),
  joined_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (household_id, resident_id),
  CONSTRAINT household_members_one_household_per_resident UNIQUE (resident_id)
);

ALTER TABLE households ADD CONSTRAINT households_head_is_member
  FOREIGN KEY (household_id, head_resident_id)
  REFERENCES household_members (household_id, resident_id)
  DEFERRABLE INITIALLY DEFERRED;

-- plate is the normalised plate (households.h, NormalizePlate); its unique index is the
-- checkpoint's lookup path.
CREATE TABLE vehicles (
  vehicle_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plate        text COLLATE "C" NOT NULL,
  household_id uuid NOT NULL REFERENCES households (household_id),
  kind         smallint NOT NULL,
  new_energy   boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  CONSTRAINT vehicles_plate_unique UNIQUE (plate),
  CONSTRAINT vehicles_kind_known CHECK (kind BETWEEN 1 AND 2),
  CONSTRAINT vehicles_plate_length CHECK (char_length(plate) IN (7, 8)),
  CONSTRAINT vehicles_new_energy_is_length CHECK (new_energy = (char_length(plate) = 8))
);

CREATE INDEX vehicles_household_id_idx ON vehicles (household_id);
