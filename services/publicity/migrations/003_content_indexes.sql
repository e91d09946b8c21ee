-- Indexes for the editorial side (content workflow).
--
-- The expiry task looks for live copies whose expire_at has passed on every round; without
-- this it would scan every live copy. Partial: most items never expire.
CREATE INDEX live_contents_expire_idx ON live_contents (expire_at) WHERE expire_at IS NOT NULL;

-- ListContents pages through items most recently changed first (updated_at, content_id)
-- when no state is given; contents_state_idx (002) serves the lists filtered by state.
CREATE INDEX contents_updated_idx ON contents (updated_at DESC, content_id DESC);
