-- The figures of a period read events by when they were accepted and when they were due to close,
-- and timeline steps by when they ended.
CREATE INDEX events_accepted_at ON events (accepted_at);
CREATE INDEX events_close_due_at ON events (close_due_at);
CREATE INDEX event_steps_at ON event_steps (at);
