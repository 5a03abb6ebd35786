-- The queue engine: offices, services, counters, users, tickets and the
-- append-only event log every ticket transition writes to.

CREATE TABLE offices (
    id              INTEGER PRIMARY KEY,
    code            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    time_zone       TEXT    NOT NULL,
    ticket_footer   TEXT    NOT NULL DEFAULT '',
    -- At most `priority_run` priority calls in a row at a counter, then at
    -- least `normal_run` ordinary calls (when ordinary tickets wait).
    priority_run    INTEGER NOT NULL DEFAULT 1 CHECK (priority_run >= 1),
    normal_run      INTEGER NOT NULL DEFAULT 2 CHECK (normal_run >= 0),
    created_at      INTEGER NOT NULL
);

CREATE TABLE services (
    id               INTEGER PRIMARY KEY,
    office_id        INTEGER NOT NULL REFERENCES offices (id),
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    prefix           TEXT    NOT NULL DEFAULT '',
    first_number     INTEGER NOT NULL CHECK (first_number >= 1),
    last_number      INTEGER NOT NULL CHECK (last_number >= first_number),
    daily_cap        INTEGER CHECK (daily_cap IS NULL OR daily_cap >= 1),
    accepts_priority INTEGER NOT NULL DEFAULT 1 CHECK (accepts_priority IN (0, 1)),
    -- JSON array of {"days":[1..7],"from":"HH:MM","to":"HH:MM"}.
    hours            TEXT    NOT NULL,
    -- Used for the estimated wait until real service times are known.
    default_service_secs INTEGER NOT NULL DEFAULT 300 CHECK (default_service_secs >= 1),
    position         INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (office_id, code)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    username      TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'manager', 'staff')),
    -- NULL until a password is set: there is no default password.
    password_hash TEXT,
    UNIQUE (office_id, username)
);

CREATE TABLE counters (
    id            INTEGER PRIMARY KEY,
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    number        INTEGER NOT NULL CHECK (number >= 1),
    name          TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'closed' CHECK (state IN ('open', 'paused', 'closed')),
    pause_reason  TEXT,
    staff_user_id INTEGER REFERENCES users (id),
    selection     TEXT    NOT NULL DEFAULT 'oldest' CHECK (selection IN ('oldest', 'order', 'weighted')),
    UNIQUE (office_id, number)
);

CREATE TABLE counter_services (
    counter_id INTEGER NOT NULL REFERENCES counters (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    position   INTEGER NOT NULL DEFAULT 0,
    weight     INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 1),
    PRIMARY KEY (counter_id, service_id)
);

CREATE INDEX counter_services_by_service ON counter_services (service_id);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    office_id         INTEGER NOT NULL REFERENCES offices (id),
    -- The service whose numbers it took; the number stays with it.
    issued_service_id INTEGER NOT NULL REFERENCES services (id),
    -- The service it waits for now (changes on transfer).
    service_id        INTEGER NOT NULL REFERENCES services (id),
    business_date     TEXT    NOT NULL,
    number            INTEGER NOT NULL,
    display_number    TEXT    NOT NULL,
    priority          TEXT    NOT NULL DEFAULT 'none',
    -- 1 when `priority` is not 'none': the call-next index orders on it.
    is_priority       INTEGER NOT NULL CHECK (is_priority IN (0, 1)),
    state             TEXT    NOT NULL CHECK (state IN
                          ('waiting', 'called', 'serving', 'done', 'no_show', 'cancelled', 'expired')),
    issued_at         INTEGER NOT NULL,
    -- Its place in time in the queue: the issue time unless a transfer or a
    -- reactivation sent it to the back.
    queue_at          INTEGER NOT NULL,
    counter_id        INTEGER REFERENCES counters (id),
    public_token      TEXT    NOT NULL UNIQUE,
    idempotency_key   TEXT,
    -- What the last change was, when, at which counter, by whom and why.
    -- Every write of a ticket sets these, and the triggers below copy them
    -- into the event log: a ticket cannot change without its event.
    changed_at        INTEGER NOT NULL,
    change_kind       TEXT    NOT NULL,
    change_counter_id INTEGER REFERENCES counters (id),
    change_user_id    INTEGER REFERENCES users (id),
    change_reason     TEXT,
    UNIQUE (office_id, issued_service_id, business_date, number),
    UNIQUE (office_id, idempotency_key)
);

-- Call-next reads the head of one service's waiting line, priority and
-- ordinary apart: one index seek, however long the line. `state` is
-- carried so that counting people ahead never leaves the index.
CREATE INDEX tickets_waiting_line
    ON tickets (service_id, business_date, is_priority, queue_at, id, state)
    WHERE state = 'waiting';

-- What a counter is doing now.
CREATE INDEX tickets_active_at_counter
    ON tickets (counter_id)
    WHERE state IN ('called', 'serving');

-- Day close finds what is left open.
CREATE INDEX tickets_open_by_day
    ON tickets (office_id, business_date)
    WHERE state IN ('waiting', 'called', 'serving', 'no_show');

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices (id),
    -- Per-office sequence, without gaps; clients resume from it.
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    ticket_id   INTEGER REFERENCES tickets (id),
    counter_id  INTEGER REFERENCES counters (id),
    user_id     INTEGER REFERENCES users (id),
    -- The ticket's service when the event happened (the new one on transfer).
    service_id  INTEGER REFERENCES services (id),
    from_state  TEXT,
    to_state    TEXT,
    reason      TEXT,
    UNIQUE (office_id, seq)
);

-- Each index covers only the kind of event its reader needs, so that most
-- events (every issue, every start) touch no index but the sequence.
-- Call-next's recent calls at a counter:
CREATE INDEX events_calls_by_counter ON events (counter_id, id) WHERE kind = 'called';
-- Recall counts:
CREATE INDEX events_recalls_by_ticket ON events (ticket_id) WHERE kind = 'recalled';
-- Service times (start of service, end of service):
CREATE INDEX events_starts_by_ticket ON events (ticket_id, id) WHERE kind = 'serving';
CREATE INDEX events_ends_by_service ON events (service_id, id) WHERE kind = 'done';

-- The log of ticket changes is written by the database itself, in the same
-- statement as the change, numbered per office without gaps.
CREATE TRIGGER tickets_log_issue AFTER INSERT ON tickets
BEGIN
    INSERT INTO events (office_id, seq, at, kind, ticket_id, counter_id, user_id, service_id,
                        from_state, to_state, reason)
    VALUES (NEW.office_id,
            (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = NEW.office_id),
            NEW.changed_at, NEW.change_kind, NEW.id, NEW.change_counter_id, NEW.change_user_id,
            NEW.service_id, NULL, NEW.state, NEW.change_reason);
END;

-- Fires for any write of the state, the service or the change columns, so a
-- write that forgets to say what happened still leaves a (wrong) trace
-- that the tests of each transition catch.
CREATE TRIGGER tickets_log_change AFTER UPDATE OF state, service_id, changed_at ON tickets
BEGIN
    INSERT INTO events (office_id, seq, at, kind, ticket_id, counter_id, user_id, service_id,
                        from_state, to_state, reason)
    VALUES (NEW.office_id,
            (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = NEW.office_id),
            NEW.changed_at, NEW.change_kind, NEW.id, NEW.change_counter_id, NEW.change_user_id,
            NEW.service_id, OLD.state, NEW.state, NEW.change_reason);
END;


-- A ticket as clients see it, joined once here so every read agrees.
CREATE VIEW ticket_views AS
SELECT t.id, t.office_id, t.service_id, s.name AS service_name, t.display_number,
       t.business_date, t.state, t.priority, t.is_priority, t.issued_at, t.queue_at,
       t.counter_id, c.number AS counter_number, t.public_token,
       (SELECT COUNT(*) FROM events e WHERE e.ticket_id = t.id AND e.kind = 'recalled') AS recalls
FROM tickets t
JOIN services s ON s.id = t.service_id
LEFT JOIN counters c ON c.id = t.counter_id;
