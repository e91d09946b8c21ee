-- Resident passes: a pass carries the resident's pass_version; issuing a new pass bumps
-- it, which invalidates every earlier pass without storing the passes themselves.
ALTER TABLE residents ADD COLUMN pass_version integer NOT NULL DEFAULT 0;
