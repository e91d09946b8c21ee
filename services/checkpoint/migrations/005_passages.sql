-- The passage log, partitioned by UTC day of the server time (recorded_at) so the
-- retention job drops whole days. ensure_passage_partitions creates the partitions of a
-- date range (idempotent); the service calls it at start, daily, and when an insert finds
-- no partition.
-- direction, decision, pass_colour, vehicle_exemption and reasons hold proto numbers of
-- fangxian.checkpoint.v1 enums. No ID number and no name is stored: resident_id (identity's
-- UUID) identifies the person.
CREATE TABLE passages (
  passage_id          uuid NOT NULL,
  checkpoint_id       uuid NOT NULL,
  request_id          text NOT NULL,
  direction           smallint NOT NULL CHECK (direction > 0),
  resident_id         uuid,
  visitor             boolean NOT NULL DEFAULT false,
  temperature_celsius numeric(4, 1),
  plate               text,
  vehicle_exemption   smallint NOT NULL DEFAULT 0,
  vehicle_registered  boolean,
  pass_colour         smallint NOT NULL DEFAULT 0,
  decision            smallint NOT NULL CHECK (decision > 0),
  reasons             smallint[] NOT NULL DEFAULT '{}',
  operator_id         text NOT NULL,
  client_time         timestamptz NOT NULL,
  recorded_at         timestamptz NOT NULL,
  PRIMARY KEY (passage_id, recorded_at)
) PARTITION BY RANGE (recorded_at);

CREATE INDEX passages_checkpoint_time_idx ON passages (checkpoint_id, recorded_at);

-- Idempotency: the first record of each client request id per checkpoint. payload_hash is
-- a digest of the request's content, to refuse a reused id with a different payload.
-- Purged with the passages it points to.
CREATE TABLE passage_requests (
  checkpoint_id  uuid NOT NULL,
  request_id     text NOT NULL,
  passage_id     uuid NOT NULL,
  payload_hash   bytea NOT NULL,
  recorded_at    timestamptz NOT NULL,
  PRIMARY KEY (checkpoint_id, request_id)
);

CREATE INDEX passage_requests_recorded_at_idx ON passage_requests (recorded_at);

CREATE FUNCTION ensure_passage_partitions(first_day date, last_day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date := first_day;
BEGIN
  WHILE d <= last_day LOOP
    EXECUTE format(
      'CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %I.passages '
      'FOR VALUES FROM (%L) TO (%L)',
      'checkpoint', 'passages_' || to_char(d, 'YYYYMMDD'), 'checkpoint',
      d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
    d := d + 1;
  END LOOP;
END $$;
