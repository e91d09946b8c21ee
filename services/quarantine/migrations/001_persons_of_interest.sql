-- Persons to follow up. category and source hold the proto numbers of
-- fangxian.quarantine.v1.Category (1 returnee, 2 close contact, 3 fever referral) and
-- fangxian.quarantine.v1.Source (1 sweep, 2 self report, 3 checkpoint, 4 other system);
-- 0 (unspecified) is never stored. resident_id is the identity service's UUID: no foreign
-- key, that table lives in another service's schema.
CREATE TABLE persons_of_interest (
  person_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  resident_id   uuid NOT NULL,
  category      smallint NOT NULL CHECK (category > 0),
  source        smallint NOT NULL CHECK (source > 0),
  area_code     text NOT NULL,
  origin_region text NOT NULL DEFAULT '',
  arrival_date  date,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL
);

CREATE INDEX persons_of_interest_resident_idx ON persons_of_interest (resident_id);
CREATE INDEX persons_of_interest_area_code_idx
  ON persons_of_interest (area_code text_pattern_ops);
