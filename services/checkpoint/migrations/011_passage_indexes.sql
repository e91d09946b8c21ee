-- Fewer index writes per recorded passage (docs/checkpoint.md, "Passage log: indexes").
--
-- passages_checkpoint_client_time_idx (010) serves no query: statistics and the live
-- counters bound recorded_at as well as client_time and use passages_checkpoint_time_idx
-- (checkpoint_id, recorded_at); the roll-up scans a day's partitions. Each passage paid
-- for a B-tree entry nobody read.
DROP INDEX IF EXISTS passages_checkpoint_client_time_idx;

-- Request keys are purged by recorded_at ranges, and rows arrive in recorded_at order:
-- a BRIN index (a few pages, updated once per block range) serves the purge instead of a
-- B-tree entry per passage.
DROP INDEX IF EXISTS passage_requests_recorded_at_idx;
CREATE INDEX passage_requests_recorded_at_brin ON passage_requests USING brin (recorded_at);
