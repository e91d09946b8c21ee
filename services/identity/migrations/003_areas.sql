-- The area tree. path is the identifier every record of the suite uses ("gongyi.dufulu.
-- longhai.jingyuan"); the first segment is the city root, which is implicit and never
-- stored, so every row has at least two segments. level is fangxian.identity.v1.AreaLevel.
-- Byte-order collation ("C") makes ORDER BY code deterministic for paging and lets the
-- primary key index serve the LIKE 'prefix.%' subtree queries of a move.
CREATE TABLE areas (
  path        text COLLATE "C" PRIMARY KEY,
  parent_path text COLLATE "C" NOT NULL,
  code        text COLLATE "C" NOT NULL,
  name        text NOT NULL,
  level       smallint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  CONSTRAINT areas_path_format
    CHECK (length(path) <= 128 AND path ~ '^[a-z0-9-]{1,32}(\.[a-z0-9-]{1,32})+$'),
  CONSTRAINT areas_code_format CHECK (code ~ '^[a-z0-9-]{1,32}$'),
  CONSTRAINT areas_path_is_parent_and_code CHECK (path = parent_path || '.' || code),
  CONSTRAINT areas_level_known CHECK (level BETWEEN 1 AND 6),
  CONSTRAINT areas_name_length CHECK (char_length(name) BETWEEN 1 AND 64)
);

-- Children of a parent in code order (ListChildAreas).
CREATE INDEX areas_parent_path_idx ON areas (parent_path, code);
