-- Roles are kept here, the system of record; the admin API mirrors each into the user's
-- Firebase custom claim `role`.
CREATE TABLE user_roles (
  uid        text PRIMARY KEY,
  email      text,
  role       text NOT NULL CHECK (role IN ('admin', 'member', 'auditor')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
