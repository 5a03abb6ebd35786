-- The staff console shows what a counter finished today and how long each
-- took: its "done" events by time, without reading the whole log.
CREATE INDEX events_ends_by_counter ON events (counter_id, at) WHERE kind = 'done';

-- The monitor lists today's tickets that were issued but not printed.
CREATE INDEX events_not_printed ON events (office_id, at) WHERE kind = 'not_printed';
