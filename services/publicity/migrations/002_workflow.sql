-- Review workflow, versions, the live (published) copy and view counts.
--
-- An item's working copy lives in `contents` (+ `content_areas`); every edit bumps
-- `contents.version` and stores a full snapshot in `content_versions`. Approving copies the
-- reviewed version into `live_contents` (+ `live_content_areas`), which is all the public
-- reads look at; archiving deletes that copy. A published item is never edited in place:
-- a revision opens version N+1 as a draft while version N stays live until the revision
-- is approved. Whether a live item shows at a given time is decided by its window
-- (publish_at <= now < expire_at), so a scheduled item goes live and leaves on time
-- without any job having to run.

-- Series are a registry: content may only name a known series.
CREATE TABLE series (
  name        text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 50),
  description text NOT NULL DEFAULT '',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- '' meant "no series" in 001; from now on that is NULL, so the series can be a foreign key.
ALTER TABLE contents ALTER COLUMN series DROP NOT NULL, ALTER COLUMN series DROP DEFAULT;
UPDATE contents SET series = NULL WHERE series = '';
INSERT INTO series (name, created_by)
  SELECT DISTINCT series, 'migration' FROM contents WHERE series IS NOT NULL;
ALTER TABLE contents ADD CONSTRAINT contents_series_fk FOREIGN KEY (series) REFERENCES series (name);

-- outlet_level holds the proto number of fangxian.publicity.v1.OutletLevel (0: not a media
-- report). publish_at NULL: live as soon as approved; expire_at NULL: until archived.
ALTER TABLE contents
  ADD COLUMN media_url          text NOT NULL DEFAULT '' CHECK (octet_length(media_url) <= 2048),
  ADD COLUMN tags               text[] NOT NULL DEFAULT '{}',
  ADD COLUMN publish_at         timestamptz,
  ADD COLUMN expire_at          timestamptz,
  ADD COLUMN outlet             text NOT NULL DEFAULT '',
  ADD COLUMN outlet_level       smallint NOT NULL DEFAULT 0 CHECK (outlet_level >= 0),
  ADD COLUMN version            int NOT NULL DEFAULT 1 CHECK (version > 0),
  ADD COLUMN updated_by         text,
  ADD COLUMN updated_at         timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN submitted_by       text,
  ADD COLUMN submitted_at       timestamptz,
  ADD COLUMN live_version       int,          -- the version in live_contents, NULL when none
  ADD COLUMN first_published_at timestamptz,  -- set by the first approval, kept for statistics
  ADD CONSTRAINT contents_window CHECK (expire_at IS NULL OR publish_at IS NULL
                                        OR expire_at > publish_at);

CREATE INDEX contents_state_idx ON contents (state, updated_at DESC);
CREATE INDEX contents_first_published_idx ON contents (first_published_at)
  WHERE first_published_at IS NOT NULL;

-- One row per version of every item: the full editable content as it was.
CREATE TABLE content_versions (
  content_id   uuid NOT NULL REFERENCES contents (content_id) ON DELETE CASCADE,
  version      int NOT NULL CHECK (version > 0),
  kind         smallint NOT NULL,
  title        text NOT NULL,
  body         text NOT NULL,
  media_url    text NOT NULL,
  series       text REFERENCES series (name),
  tags         text[] NOT NULL,
  area_codes   text[] NOT NULL,
  publish_at   timestamptz,
  expire_at    timestamptz,
  outlet       text NOT NULL,
  outlet_level smallint NOT NULL,
  edited_by    text NOT NULL,
  edited_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (content_id, version)
);

INSERT INTO content_versions (content_id, version, kind, title, body, media_url, series, tags,
                              area_codes, publish_at, expire_at, outlet, outlet_level,
                              edited_by, edited_at)
  SELECT c.content_id, 1, c.kind, c.title, c.body, c.media_url, c.series, c.tags,
         COALESCE((SELECT array_agg(a.area_code ORDER BY a.area_code)
                   FROM content_areas a WHERE a.content_id = c.content_id), '{}'),
         c.publish_at, c.expire_at, c.outlet, c.outlet_level, c.author, c.created_at
  FROM contents c;

-- Every review decision: decision 1 approved, 2 rejected (the comment says why).
CREATE TABLE content_reviews (
  review_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  content_id uuid NOT NULL REFERENCES contents (content_id) ON DELETE CASCADE,
  version    int NOT NULL,
  decision   smallint NOT NULL CHECK (decision IN (1, 2)),
  reviewer   text NOT NULL,
  comment    text NOT NULL DEFAULT '',
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_reviews_content_idx ON content_reviews (content_id, decided_at);

-- The published copy of each live item: what public reads see. publish_at is the
-- approval time when the item named none.
CREATE TABLE live_contents (
  content_id   uuid PRIMARY KEY REFERENCES contents (content_id) ON DELETE CASCADE,
  version      int NOT NULL,
  kind         smallint NOT NULL,
  title        text NOT NULL,
  body         text NOT NULL,
  media_url    text NOT NULL,
  series       text,
  tags         text[] NOT NULL,
  outlet       text NOT NULL,
  outlet_level smallint NOT NULL,
  publish_at   timestamptz NOT NULL,
  expire_at    timestamptz,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL,
  CHECK (expire_at IS NULL OR expire_at > publish_at)
);

-- Target areas of live items, with publish_at copied in so "newest first for an area" is
-- one index range scan.
CREATE TABLE live_content_areas (
  content_id uuid NOT NULL REFERENCES live_contents (content_id) ON DELETE CASCADE,
  area_code  text NOT NULL CHECK (area_code ~ '^[a-z0-9.-]+$'),
  publish_at timestamptz NOT NULL,
  PRIMARY KEY (content_id, area_code)
);
CREATE INDEX live_content_areas_listing_idx
  ON live_content_areas (area_code, publish_at DESC, content_id);

-- Views per item and China day, added to by the view-count flush.
CREATE TABLE content_views (
  content_id uuid NOT NULL REFERENCES contents (content_id) ON DELETE CASCADE,
  day        date NOT NULL,
  views      bigint NOT NULL CHECK (views >= 0),
  PRIMARY KEY (content_id, day)
);
CREATE INDEX content_views_day_idx ON content_views (day);

-- Flushed view batches, so a batch flushed twice (a flusher that died between commit and
-- cleanup) is added once.
CREATE TABLE view_batches (
  batch_id   text PRIMARY KEY,
  flushed_at timestamptz NOT NULL DEFAULT now()
);
