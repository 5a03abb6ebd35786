-- Tokens that stopped working (a sign-out, a new password, a disabled
-- account or role change, a counter taken over, a revoked device), so that
-- every server process sharing the database forgets them within a second.
-- SQLite has one process and writes none; the table is here so both
-- engines keep one schema.
CREATE TABLE invalidations (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    token_hash BLOB    NOT NULL
);

CREATE INDEX invalidations_by_time ON invalidations (at);
