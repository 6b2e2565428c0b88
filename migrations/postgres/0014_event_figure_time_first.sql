-- A month is a narrow slice of time but an area can hold most events (a county deployment's root holds
-- them all): the figures' indexes lead with the time and carry the area path, so each of the four
-- ranges reads only the month's entries and checks the area inside the index.
DROP INDEX events_area_closed;
DROP INDEX events_area_due;
DROP INDEX events_area_accepted;
DROP INDEX events_accepted_at;
DROP INDEX events_close_due_at;
DROP INDEX events_closed_at;
DROP INDEX events_reported_at;
CREATE INDEX events_reported_area ON events (reported_at, area_path);
CREATE INDEX events_accepted_area ON events (accepted_at, area_path);
CREATE INDEX events_closed_area ON events (closed_at, area_path);
CREATE INDEX events_due_area ON events (close_due_at, area_path);
