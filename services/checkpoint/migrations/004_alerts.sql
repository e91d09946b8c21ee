-- Alerts raised at checkpoints, and the transactional outbox that relays them to Redis.
-- kind holds the proto number of fangxian.checkpoint.v1.AlertKind (1 fever, 2 red pass,
-- 3 outside vehicle, 4 unknown person, 5 post unstaffed). area_codes are the checkpoint's
-- areas at the time (for scope filtering). dedupe_key, when set, makes raising the same
-- alert twice a no-op (e.g. "unstaffed:<checkpoint>:<date>:<shift>:<post>").
CREATE TABLE alerts (
  alert_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind             smallint NOT NULL CHECK (kind > 0),
  checkpoint_id    uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  area_codes       text[] NOT NULL,
  passage_id       uuid,
  resident_id      uuid,
  temperature_celsius numeric(4, 1),
  detail           text NOT NULL DEFAULT '',
  dedupe_key       text UNIQUE,
  raised_at        timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  ack_note         text NOT NULL DEFAULT ''
);

CREATE INDEX alerts_raised_at_idx ON alerts (raised_at DESC);
CREATE INDEX alerts_area_codes_idx ON alerts USING gin (area_codes);
CREATE INDEX alerts_unacknowledged_idx ON alerts (raised_at DESC) WHERE acknowledged_at IS NULL;

-- Written in the same transaction as the alert; the relay publishes each row to the Redis
-- Stream in event_id order and then deletes it. payload is the event's JSON.
CREATE TABLE outbox (
  event_id    bigserial PRIMARY KEY,
  event_type  text NOT NULL,
  payload     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
