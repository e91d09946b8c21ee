-- Materials inventory (boards, banners, vehicles, posters, other) and the indexes the
-- publicity statistics read through.
--
-- kind and condition hold the proto numbers of fangxian.publicity.v1.MaterialKind and
-- MaterialCondition (0, unspecified, is never stored). Days are China calendar days.
-- checkpoint_id names a checkpoint of the checkpoint service (validated through its API
-- when written; no foreign key across services). A removed material keeps its row with
-- removed_on set and is no longer counted.
CREATE TABLE materials (
  material_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind           smallint NOT NULL CHECK (kind > 0),
  description    text NOT NULL DEFAULT '',
  area_code      text NOT NULL CHECK (area_code ~ '^[a-z0-9.-]+$'),
  checkpoint_id  uuid,
  place          text NOT NULL DEFAULT '',
  quantity       int NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
  installed_on   date NOT NULL,
  condition      smallint NOT NULL CHECK (condition > 0),
  replace_by     date CHECK (replace_by IS NULL OR replace_by >= installed_on),
  version        int NOT NULL DEFAULT 1 CHECK (version > 0),
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  removed_on     date,
  removed_by     text,
  removal_reason text,
  CHECK ((removed_on IS NULL) = (removed_by IS NULL))
);

-- Every read is "this area and everything below it" (area_code = $1 OR LIKE $1 || '.%'):
-- text_pattern_ops lets the LIKE prefix use the index whatever the collation. Lists then
-- go newest first by (created_at, material_id), the page token's order.
CREATE INDEX materials_area_idx ON materials (area_code text_pattern_ops);
CREATE INDEX materials_created_idx ON materials (created_at DESC, material_id DESC);

-- The statistics need no further index: items first published in a period are found
-- through contents_first_published_idx (002), the items of an area through
-- content_areas_area_code_idx (001, text_pattern_ops for the LIKE prefix), the views of a
-- period through content_views_day_idx (002), and materials through materials_area_idx.
