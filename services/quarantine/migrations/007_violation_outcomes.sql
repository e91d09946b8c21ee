-- Who decided a violation's current outcome, when, and their note ("referred to the
-- Longhai police station"): the outcome can be revised while the violation is confirmed,
-- and every step of a violation records who and when (docs/quarantine.md, "Violations").
ALTER TABLE violations
  ADD COLUMN outcome_by   text,
  ADD COLUMN outcome_at   timestamptz,
  ADD COLUMN outcome_note text NOT NULL DEFAULT '';

-- Lists page newest first within an area prefix.
CREATE INDEX violations_recorded_idx ON violations (recorded_at DESC, violation_id DESC);
CREATE INDEX persons_of_interest_created_idx
  ON persons_of_interest (created_at DESC, person_id DESC);
