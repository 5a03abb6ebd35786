-- Who may do what: staff sessions, devices (kiosk, display, rating tablet)
-- and the ratings citizens give. Tokens are random; only their SHA-256 is
-- stored, so a copy of the database opens no door.

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices (id),
    token_hash  BLOB    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    -- The counter a staff member signed in to, if any.
    counter_id  INTEGER REFERENCES counters (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    -- Set at logout, or when someone else signs in to the same counter.
    ended_at    INTEGER
);

CREATE INDEX sessions_open_at_counter ON sessions (counter_id) WHERE ended_at IS NULL;

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('kiosk', 'display', 'rating')),
    name        TEXT    NOT NULL,
    -- A rating tablet belongs to one counter; other devices to none.
    counter_id  INTEGER REFERENCES counters (id),
    token_hash  BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CHECK ((kind = 'rating') = (counter_id IS NOT NULL))
);

-- One rating per ticket, from the tablet at the counter that served it.
CREATE TABLE ratings (
    ticket_id   INTEGER PRIMARY KEY REFERENCES tickets (id),
    office_id   INTEGER NOT NULL REFERENCES offices (id),
    counter_id  INTEGER NOT NULL REFERENCES counters (id),
    device_id   INTEGER NOT NULL REFERENCES devices (id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    at          INTEGER NOT NULL
);
