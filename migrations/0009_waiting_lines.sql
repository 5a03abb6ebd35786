-- How many tickets wait in each line now (a service's priority and
-- ordinary tickets of a day apart): what a new ticket's people-ahead
-- count, the kiosk's and the display's waiting figures and the live
-- counts read in one seek, however long the line. Counting the line
-- instead cost a step per waiting ticket, every issue batch and every
-- 25 ms of the live counts. The triggers below keep it in the statement
-- that changes a ticket, so it can never disagree with `tickets`. A live
-- figure, not a report: reports still come from `events`.
CREATE TABLE waiting_lines (
    service_id    INTEGER NOT NULL REFERENCES services (id),
    business_date TEXT    NOT NULL,
    is_priority   INTEGER NOT NULL CHECK (is_priority IN (0, 1)),
    office_id     INTEGER NOT NULL REFERENCES offices (id),
    waiting       INTEGER NOT NULL CHECK (waiting >= 0),
    PRIMARY KEY (service_id, business_date, is_priority)
) WITHOUT ROWID;

INSERT INTO waiting_lines (service_id, business_date, is_priority, office_id, waiting)
SELECT service_id, business_date, is_priority, office_id, COUNT(*)
FROM tickets WHERE state = 'waiting'
GROUP BY service_id, business_date, is_priority;

CREATE TRIGGER tickets_join_line AFTER INSERT ON tickets
WHEN NEW.state = 'waiting'
BEGIN
    INSERT INTO waiting_lines (service_id, business_date, is_priority, office_id, waiting)
    VALUES (NEW.service_id, NEW.business_date, NEW.is_priority, NEW.office_id, 1)
    ON CONFLICT (service_id, business_date, is_priority) DO UPDATE SET waiting = waiting + 1;
END;

-- A ticket leaves its line when it stops waiting or moves to another
-- line (a transfer), and joins one when it starts waiting again
-- (reactivated, transferred).
CREATE TRIGGER tickets_change_line AFTER UPDATE OF state, service_id, business_date, is_priority
ON tickets
WHEN (OLD.state = 'waiting') <> (NEW.state = 'waiting')
  OR (NEW.state = 'waiting' AND (OLD.service_id <> NEW.service_id
                                 OR OLD.business_date <> NEW.business_date
                                 OR OLD.is_priority <> NEW.is_priority))
BEGIN
    UPDATE waiting_lines SET waiting = waiting - 1
    WHERE OLD.state = 'waiting' AND service_id = OLD.service_id
      AND business_date = OLD.business_date AND is_priority = OLD.is_priority;
    INSERT INTO waiting_lines (service_id, business_date, is_priority, office_id, waiting)
    SELECT NEW.service_id, NEW.business_date, NEW.is_priority, NEW.office_id, 1
    WHERE NEW.state = 'waiting'
    ON CONFLICT (service_id, business_date, is_priority) DO UPDATE SET waiting = waiting + 1;
END;

CREATE TRIGGER tickets_delete_from_line AFTER DELETE ON tickets
WHEN OLD.state = 'waiting'
BEGIN
    UPDATE waiting_lines SET waiting = waiting - 1
    WHERE service_id = OLD.service_id AND business_date = OLD.business_date
      AND is_priority = OLD.is_priority;
END;
