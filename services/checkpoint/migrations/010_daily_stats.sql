-- Daily figures per checkpoint, rolled up from the passage log before its partitions are
-- purged, so statistics outlive the 28-day retention of personal records. day is the China
-- calendar day of the passage's client time (when it happened). Days still open to offline
-- replay (72 h) are not rolled up yet; statistics read them from the passages themselves.
CREATE TABLE daily_stats (
  checkpoint_id uuid NOT NULL,
  day           date NOT NULL,
  persons       integer NOT NULL DEFAULT 0,
  vehicles      integer NOT NULL DEFAULT 0,
  admitted      integer NOT NULL DEFAULT 0,
  denied        integer NOT NULL DEFAULT 0,
  referred      integer NOT NULL DEFAULT 0,
  fevers        integer NOT NULL DEFAULT 0,
  PRIMARY KEY (checkpoint_id, day)
);

-- Days whose figures are final in daily_stats (a day with no passages has a marker and no
-- rows). Rolling up a day twice is a no-op.
CREATE TABLE stats_rollups (
  day       date PRIMARY KEY,
  rolled_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX passages_checkpoint_client_time_idx ON passages (checkpoint_id, client_time);
