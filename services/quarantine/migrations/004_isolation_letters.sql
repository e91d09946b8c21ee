-- Isolation order history and commitment letters (承诺书). Enum columns hold proto numbers
-- of fangxian.quarantine.v1 enums, never 0. household_id is identity's UUID (no foreign
-- key across schemas).

-- Each extension or shortening of an isolation order: the period before and after, why,
-- who (token subject) and when. The order row holds the current period.
CREATE TABLE isolation_order_changes (
  change_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id        uuid NOT NULL REFERENCES isolation_orders ON DELETE CASCADE,
  old_period_days integer NOT NULL CHECK (old_period_days BETWEEN 1 AND 60),
  new_period_days integer NOT NULL CHECK (new_period_days BETWEEN 1 AND 60),
  reason          text NOT NULL,
  changed_by      text NOT NULL,
  changed_at      timestamptz NOT NULL
);

CREATE INDEX isolation_order_changes_order_idx ON isolation_order_changes (order_id, changed_at);

-- Orders due for release are listed by end_date within an area.
CREATE INDEX isolation_orders_open_end_idx ON isolation_orders (end_date)
  WHERE released_at IS NULL;

-- Commitment letter templates: one row per template (its area and newest version) and
-- one per version (the text as it was, never changed once written).
CREATE TABLE letter_templates (
  template_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  area_code      text NOT NULL,
  latest_version integer NOT NULL CHECK (latest_version >= 1),
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL
);

CREATE INDEX letter_templates_area_code_idx ON letter_templates (area_code text_pattern_ops);

CREATE TABLE letter_template_versions (
  template_id uuid NOT NULL REFERENCES letter_templates ON DELETE CASCADE,
  version     integer NOT NULL CHECK (version >= 1),
  title       text NOT NULL,
  body        text NOT NULL,
  change_note text NOT NULL DEFAULT '',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (template_id, version)
);

-- A household's signing of one template version. delivery: 1 in person, 2 phone,
-- 3 message, 4 third party (third_party_name says who; '' otherwise).
CREATE TABLE letter_signings (
  signing_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  household_id     uuid NOT NULL,
  area_code        text NOT NULL,
  order_id         uuid REFERENCES isolation_orders,
  template_id      uuid NOT NULL,
  template_version integer NOT NULL,
  signer_name      text NOT NULL,
  signed_at        timestamptz NOT NULL,
  delivery         smallint NOT NULL CHECK (delivery BETWEEN 1 AND 4),
  third_party_name text NOT NULL DEFAULT '',
  recorded_by      text NOT NULL,
  recorded_at      timestamptz NOT NULL,
  FOREIGN KEY (template_id, template_version) REFERENCES letter_template_versions,
  CHECK ((delivery = 4) = (third_party_name <> ''))
);

CREATE INDEX letter_signings_household_idx ON letter_signings (household_id, signed_at);
