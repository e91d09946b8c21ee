-- The roster ("3 ones"): a leading cadre per checkpoint per day and the four posts of each
-- shift. Days are China calendar days (UTC+8); shift is the 1-based number of the shift
-- in the configured pattern (default 1 = 00-08, 2 = 08-16, 3 = 16-24); post holds the proto
-- number of fangxian.checkpoint.v1.Post (1 temperature monitor, 2 code-scan verifier,
-- 3 order keeper, 4 information registrar). Account ids are identity's UUIDs (no foreign
-- key: that table lives in another service's schema).
CREATE TABLE duty_days (
  checkpoint_id     uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  duty_date         date NOT NULL,
  cadre_account_id  text NOT NULL,
  assigned_by       text NOT NULL,
  assigned_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (checkpoint_id, duty_date)
);

CREATE TABLE post_assignments (
  assignment_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  checkpoint_id  uuid NOT NULL REFERENCES checkpoints (checkpoint_id) ON DELETE CASCADE,
  duty_date      date NOT NULL,
  shift          smallint NOT NULL CHECK (shift > 0),
  post           smallint NOT NULL CHECK (post BETWEEN 1 AND 4),
  account_id     text NOT NULL,
  assigned_by    text NOT NULL,
  assigned_at    timestamptz NOT NULL DEFAULT now(),
  clock_in_at    timestamptz,
  clock_out_at   timestamptz,
  CHECK (clock_out_at IS NULL OR (clock_in_at IS NOT NULL AND clock_out_at >= clock_in_at)),
  -- One holder per post per shift.
  UNIQUE (checkpoint_id, duty_date, shift, post),
  -- One person holds one post at a time (anywhere).
  UNIQUE (duty_date, shift, account_id)
);

-- "Is this operator on duty here now" (the passage log's authorisation check).
CREATE INDEX post_assignments_on_duty_idx
  ON post_assignments (checkpoint_id, account_id, duty_date, shift);
