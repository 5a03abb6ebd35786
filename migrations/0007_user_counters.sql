-- The counters a staff member may work. None listed: any counter of the
-- office (as before this table).
CREATE TABLE user_counters (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    counter_id INTEGER NOT NULL REFERENCES counters (id),
    PRIMARY KEY (user_id, counter_id)
);
