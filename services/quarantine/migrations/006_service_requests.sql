-- "Love knocking" (爱心敲门) service requests of isolated households, and the index the
-- follow-up list reads (docs/quarantine.md, "Health check-ins" and "Love knocking").

-- Follow-up flags of an area, newest first (ListFollowUps).
CREATE INDEX follow_up_flags_area_code_idx
  ON follow_up_flags (area_code text_pattern_ops, raised_at);

-- One purchase or errand an isolated household asked for. kind and status hold proto
-- numbers of fangxian.quarantine.v1.ServiceRequestKind / ServiceRequestStatus (status: 1
-- open, 2 assigned, 3 in progress, 4 delivered, 5 confirmed, 6 cancelled). order_id is
-- the active isolation order the household was under when it asked, area_code that
-- order's area (who may see and handle it). volunteer is the assigned volunteer's token
-- subject. phone is the contact number the household gave for this delivery.
CREATE TABLE service_requests (
  request_id       uuid PRIMARY KEY,
  household_id     uuid NOT NULL,
  order_id         uuid NOT NULL REFERENCES isolation_orders,
  area_code        text NOT NULL,
  kind             smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
  items            text NOT NULL,
  contact_name     text NOT NULL,
  delivery_address text NOT NULL,
  phone            text NOT NULL,
  status           smallint NOT NULL CHECK (status BETWEEN 1 AND 6),
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL,
  volunteer        text,
  assigned_by      text,
  assigned_at      timestamptz,
  started_at       timestamptz,
  delivered_at     timestamptz,
  delivery_note    text NOT NULL DEFAULT '',
  confirmed_by     text,
  confirmed_at     timestamptz,
  cancelled_by     text,
  cancelled_at     timestamptz,
  cancel_reason    text NOT NULL DEFAULT '',
  CHECK (status = 1 OR status = 6 OR volunteer IS NOT NULL),
  CHECK (status NOT IN (4, 5) OR delivered_at IS NOT NULL)
);

CREATE INDEX service_requests_area_code_idx
  ON service_requests (area_code text_pattern_ops, created_at);
CREATE INDEX service_requests_order_idx ON service_requests (order_id, created_at);
CREATE INDEX service_requests_household_idx ON service_requests (household_id, created_at);
CREATE INDEX service_requests_volunteer_idx ON service_requests (volunteer, created_at)
  WHERE volunteer IS NOT NULL;
