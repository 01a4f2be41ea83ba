-- A rate-limit tier an admin assigned to a user, mirrored into the custom claim `tier`. NULL
-- means none was assigned: the functions then derive the tier from the role (`unlimited` for
-- admins, `standard` for everyone else), so a default stored here could only disagree with them.
ALTER TABLE user_roles
  ADD COLUMN tier text CHECK (tier IN ('free', 'standard', 'unlimited'));
