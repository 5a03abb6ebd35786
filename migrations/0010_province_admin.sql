-- no-transaction
-- A province administrator creates offices and their admins and sees
-- every office; they belong to an office of their own (where they sign
-- in) like everyone else. SQLite cannot change a CHECK in place, so the
-- users table is rebuilt (SQLite's documented procedure: foreign keys off
-- outside the transaction, rows copied, the old table dropped, the new one
-- renamed; the other tables' references name `users` and hold again).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_rebuilt (
    id            INTEGER PRIMARY KEY,
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    username      TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL
                  CHECK (role IN ('province_admin', 'admin', 'manager', 'staff')),
    -- NULL until a password is set: there is no default password.
    password_hash TEXT,
    disabled_at   INTEGER,
    UNIQUE (office_id, username)
);
INSERT INTO users_rebuilt (id, office_id, username, full_name, role, password_hash, disabled_at)
SELECT id, office_id, username, full_name, role, password_hash, disabled_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
