-- The view-count flush forgets batch ids older than 7 days on every round; an index keeps
-- that a range scan however many batches accumulate.
CREATE INDEX view_batches_flushed_at_idx ON view_batches (flushed_at);
