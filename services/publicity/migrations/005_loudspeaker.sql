-- Loudspeaker schedules (小喇叭): which scripts a player plays when. A schedule targets
-- one checkpoint's player or the players of one area, never both. Its areas (scope checks
-- and playlists) are the area itself, or the areas the checkpoint covered when the
-- schedule was created, as the checkpoint service reported them: the public playlist
-- read never calls the checkpoint service.
CREATE TABLE loudspeaker_schedules (
  schedule_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  checkpoint_id uuid,
  area_code     text CHECK (area_code ~ '^[a-z0-9.-]+$'),
  version       int NOT NULL DEFAULT 1 CHECK (version > 0),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT loudspeaker_schedules_one_target CHECK ((checkpoint_id IS NULL) <> (area_code IS NULL))
);
CREATE INDEX loudspeaker_schedules_checkpoint_idx ON loudspeaker_schedules (checkpoint_id)
  WHERE checkpoint_id IS NOT NULL;
CREATE INDEX loudspeaker_schedules_area_idx ON loudspeaker_schedules (area_code)
  WHERE area_code IS NOT NULL;

-- The schedule's areas; the CHECK keeps ',' out so they can be aggregated on read.
CREATE TABLE loudspeaker_schedule_areas (
  schedule_id uuid NOT NULL REFERENCES loudspeaker_schedules (schedule_id) ON DELETE CASCADE,
  area_code   text NOT NULL CHECK (area_code ~ '^[a-z0-9.-]+$'),
  PRIMARY KEY (schedule_id, area_code)
);
CREATE INDEX loudspeaker_schedule_areas_area_idx
  ON loudspeaker_schedule_areas (area_code text_pattern_ops);

-- Entries, in the order given (position). days: bit d-1 set for ISO weekday d (1 Monday
-- .. 7 Sunday). Minutes of the day are China time; a window never crosses midnight.
-- repeat_minutes 0: play continuously in a loop.
CREATE TABLE loudspeaker_entries (
  schedule_id    uuid NOT NULL REFERENCES loudspeaker_schedules (schedule_id) ON DELETE CASCADE,
  position       smallint NOT NULL CHECK (position BETWEEN 0 AND 99),
  content_id     uuid NOT NULL REFERENCES contents (content_id) ON DELETE CASCADE,
  days           smallint NOT NULL CHECK (days BETWEEN 1 AND 127),
  start_minute   smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute     smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  repeat_minutes smallint NOT NULL CHECK (repeat_minutes BETWEEN 0 AND 1440),
  play_order     int NOT NULL CHECK (play_order BETWEEN 0 AND 10000),
  PRIMARY KEY (schedule_id, position),
  CONSTRAINT loudspeaker_entries_window CHECK (end_minute > start_minute)
);
CREATE INDEX loudspeaker_entries_content_idx ON loudspeaker_entries (content_id);
