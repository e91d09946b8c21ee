-- Content items and their target areas. kind and state hold the proto numbers of
-- fangxian.publicity.v1.ContentKind (1 notice, 2 article, 3 video, 4 loudspeaker script,
-- 5 media report) and fangxian.publicity.v1.ContentState (1 draft, 2 in review,
-- 3 published, 4 archived); 0 (unspecified) is never stored. An item and its area rows
-- are written in one transaction.
CREATE TABLE contents (
  content_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind       smallint NOT NULL CHECK (kind > 0),
  title      text NOT NULL,
  body       text NOT NULL DEFAULT '' CHECK (octet_length(body) <= 65536),
  series     text NOT NULL DEFAULT '',
  state      smallint NOT NULL DEFAULT 1 CHECK (state > 0),
  author     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Area codes are dotted paths of [a-z0-9-]; the CHECK keeps ',' out so the codes can be
-- aggregated into one comma-separated column on read.
CREATE TABLE content_areas (
  content_id uuid NOT NULL REFERENCES contents (content_id) ON DELETE CASCADE,
  area_code  text NOT NULL CHECK (area_code ~ '^[a-z0-9.-]+$'),
  PRIMARY KEY (content_id, area_code)
);

CREATE INDEX content_areas_area_code_idx ON content_areas (area_code text_pattern_ops);
