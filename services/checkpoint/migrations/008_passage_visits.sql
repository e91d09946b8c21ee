-- What a visitor registering at the gate states (where to, why): part of the registration
-- book, not identity's business. Neither is an identifier; the person is resident_id.
ALTER TABLE passages
  ADD COLUMN visit_destination text,
  ADD COLUMN visit_reason      text;

-- The alerts a passage raised, read back when a repeated request is answered with its
-- first result and when passages are read.
CREATE INDEX alerts_passage_id_idx ON alerts (passage_id) WHERE passage_id IS NOT NULL;
