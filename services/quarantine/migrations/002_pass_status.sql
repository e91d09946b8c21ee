-- Each person's pass colour and the reasons behind it ("why is my code yellow"). colour
-- holds the proto number of fangxian.quarantine.v1.PassColour (1 green, 2 yellow, 3 red);
-- a person without a row is GREEN with no reasons. reason_codes[i] and reason_details[i]
-- form one PassReason. area_code is the area responsible for the person's follow-up
-- ('' when unknown): grid workers and admins whose scope covers it may read the reasons.
-- updated_at is when the colour last changed (not bumped when only the reasons change).
CREATE TABLE pass_status (
  resident_id    uuid PRIMARY KEY,
  colour         smallint NOT NULL CHECK (colour BETWEEN 1 AND 3),
  reason_codes   text[] NOT NULL DEFAULT '{}',
  reason_details text[] NOT NULL DEFAULT '{}',
  area_code      text NOT NULL DEFAULT '',
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (cardinality(reason_codes) = cardinality(reason_details))
);
