-- Whether the account is disabled (PUT /users/:uid/disabled), mirrored into Firebase Auth. Kept
-- here, beside the role and under the same row locks, so the last-admin rule can count enabled
-- admins only. Accounts disabled before this column existed read as enabled until disabled again.
ALTER TABLE user_roles
  ADD COLUMN disabled boolean NOT NULL DEFAULT false;
