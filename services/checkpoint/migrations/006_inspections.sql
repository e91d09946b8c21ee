-- Inspections (巡查/督导) of checkpoints: the four-point checklist, a score, findings with a
-- rectification deadline, and re-inspections that close the findings of an earlier visit.
CREATE TABLE inspections (
  inspection_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  checkpoint_id          uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  inspector_id           text NOT NULL,
  inspected_at           timestamptz NOT NULL DEFAULT now(),
  posts_staffed          boolean NOT NULL,
  cadre_present          boolean NOT NULL,
  kit_complete           boolean NOT NULL,
  log_complete           boolean NOT NULL,
  score                  smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  notes                  text NOT NULL DEFAULT '',
  rectification_deadline date,
  reinspection_of        uuid REFERENCES inspections (inspection_id)
);

CREATE INDEX inspections_checkpoint_time_idx ON inspections (checkpoint_id, inspected_at DESC);

CREATE TABLE inspection_findings (
  finding_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  inspection_id     uuid NOT NULL REFERENCES inspections (inspection_id) ON DELETE CASCADE,
  position          smallint NOT NULL,
  text              text NOT NULL,
  closed_at         timestamptz,
  closed_by_inspection uuid REFERENCES inspections (inspection_id),
  UNIQUE (inspection_id, position)
);
