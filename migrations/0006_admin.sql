-- What the admin pages edit that the schema did not hold yet: the office's
-- address and the line printed above each ticket's number, and a user who
-- may no longer sign in (kept, since the event log names them).
ALTER TABLE offices ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN ticket_header TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
