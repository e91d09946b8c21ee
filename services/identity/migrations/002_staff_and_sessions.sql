-- Staff and service accounts, their role grants, and login sessions.
-- Passwords are kept only as Argon2id hashes (libsodium's encoded string); refresh
-- tokens only as keyed hashes. Enumerations are stored by their proto numbers.
CREATE TABLE staff_accounts (
  account_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username       text NOT NULL,
  display_name   text NOT NULL,
  kind           smallint NOT NULL,
  area_code      text NOT NULL,
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL,
  CONSTRAINT staff_accounts_username_unique UNIQUE (username),
  CONSTRAINT staff_accounts_username_format CHECK (username ~ '^[a-z0-9._-]{3,32}$')
);

-- One role over one area, or a permission (area_code '').
CREATE TABLE staff_grants (
  account_id  uuid NOT NULL REFERENCES staff_accounts (account_id),
  role        text NOT NULL,
  area_code   text NOT NULL,
  granted_by  text NOT NULL,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, role, area_code)
);

CREATE TABLE sessions (
  session_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES staff_accounts (account_id),
  refresh_hash  bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  refreshed_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  end_reason    text
);

CREATE INDEX sessions_account_live_idx ON sessions (account_id) WHERE ended_at IS NULL;
