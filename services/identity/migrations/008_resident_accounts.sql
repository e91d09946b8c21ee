-- Residents can sign in: an account of kind RESIDENT (6) is linked to exactly one
-- resident; its tokens say kind "resident" with the resident as subject.
ALTER TABLE staff_accounts ADD COLUMN resident_id uuid REFERENCES residents (resident_id);
ALTER TABLE staff_accounts ADD CONSTRAINT staff_accounts_one_per_resident UNIQUE (resident_id);
ALTER TABLE staff_accounts ADD CONSTRAINT staff_accounts_resident_kind
  CHECK ((kind = 6) = (resident_id IS NOT NULL));
