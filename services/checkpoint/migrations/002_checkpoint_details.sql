-- The rest of a checkpoint set up to standard: its written work plan (一个方案), why it was
-- closed, when it last changed, and the "nine ones" kit (九个一) item by item.
ALTER TABLE checkpoints
  ADD COLUMN work_plan    text NOT NULL DEFAULT '',
  ADD COLUMN closed_reason text NOT NULL DEFAULT '',
  ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now();

-- One row per kit item once it has been checked; an item without a row was never checked.
-- item holds the proto number of fangxian.checkpoint.v1.KitItem (1 flag .. 9 registration
-- book), state that of KitItemState (never 0).
CREATE TABLE kit_items (
  checkpoint_id uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  item          smallint NOT NULL CHECK (item BETWEEN 1 AND 9),
  state         smallint NOT NULL CHECK (state > 0),
  note          text NOT NULL DEFAULT '',
  checked_at    timestamptz NOT NULL DEFAULT now(),
  checked_by    text NOT NULL,
  PRIMARY KEY (checkpoint_id, item)
);
