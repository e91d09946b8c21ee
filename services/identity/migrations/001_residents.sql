-- Residents. The ID number is never stored in clear: id_number_sealed is the AEAD
-- ciphertext, id_number_hash a keyed hash for exact lookup and one-person-per-number,
-- id_number_masked the only form that leaves the service without pii.read.
CREATE TABLE residents (
  resident_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL,
  id_number_sealed bytea NOT NULL,
  id_number_hash   bytea NOT NULL,
  id_number_masked text NOT NULL,
  phone            text NOT NULL DEFAULT '',
  area_code        text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  CONSTRAINT residents_id_number_unique UNIQUE (id_number_hash)
);

CREATE INDEX residents_area_code_idx ON residents (area_code text_pattern_ops);
