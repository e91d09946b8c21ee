-- Resident lifecycle: moving out deactivates a resident without deleting the row (the
-- history stays readable), visitors are residents registered at a checkpoint, and
-- SearchResidents needs indexes for a name prefix and an exact phone.
ALTER TABLE residents
  ADD COLUMN moved_out_at     timestamptz,
  ADD COLUMN moved_out_reason text,
  ADD COLUMN visitor          boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT residents_moved_out_reason CHECK ((moved_out_at IS NULL) = (moved_out_reason IS NULL));

-- text_pattern_ops: LIKE 'prefix%' uses the index whatever the database collation.
CREATE INDEX residents_name_prefix_idx ON residents (name text_pattern_ops);
CREATE INDEX residents_phone_idx ON residents (phone) WHERE phone <> '';
