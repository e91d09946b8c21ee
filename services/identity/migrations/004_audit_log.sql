-- Append-only audit record of every change and every unmasked read. Rows are written in
-- the same transaction as what they describe; a trigger refuses UPDATE and DELETE, so
-- not even the service can edit history (TRUNCATE is refused too).
CREATE TABLE audit_log (
  audit_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,          -- token subject, or 'bootstrap' / 'import'
  action        text NOT NULL,          -- e.g. 'resident.create', 'resident.read_unmasked'
  subject_type  text NOT NULL,          -- 'resident', 'household', 'staff_account', ...
  subject_id    text NOT NULL,
  area_code     text NOT NULL DEFAULT '',  -- where the subject lives, for scoped listing
  purpose       text NOT NULL DEFAULT '',  -- stated purpose of an unmasked read
  request_id    text NOT NULL DEFAULT '',
  details       text NOT NULL DEFAULT ''   -- never personal data
);

CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at);
CREATE INDEX audit_log_area_idx ON audit_log (area_code text_pattern_ops, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
