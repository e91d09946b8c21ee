-- Checkpoints and the areas each covers. kind holds the proto number of
-- fangxian.checkpoint.v1.CheckpointKind (1 compound gate, 2 road, 3 village entrance,
-- 4 consolidated); 0 (unspecified) is never stored. A checkpoint and its area rows are
-- written in one transaction.
CREATE TABLE checkpoints (
  checkpoint_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  kind          smallint NOT NULL CHECK (kind > 0),
  location      text NOT NULL DEFAULT '',
  open          boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL
);

-- Area codes are dotted paths of [a-z0-9-]; the CHECK keeps ',' out so the codes can be
-- aggregated into one comma-separated column on read.
CREATE TABLE checkpoint_areas (
  checkpoint_id uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  area_code     text NOT NULL CHECK (area_code ~ '^[a-z0-9.-]+$'),
  PRIMARY KEY (checkpoint_id, area_code)
);

-- "Which checkpoints cover this area or one below it" (prefix match on the path).
CREATE INDEX checkpoint_areas_area_code_idx ON checkpoint_areas (area_code text_pattern_ops);
