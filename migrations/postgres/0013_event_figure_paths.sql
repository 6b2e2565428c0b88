-- A month's figures for an area read four index ranges — by area and when reported, accepted, closed,
-- due to close — instead of every event of the area.
CREATE INDEX events_area_closed ON events (area_path, closed_at);
CREATE INDEX events_area_due ON events (area_path, close_due_at);
CREATE INDEX events_area_accepted ON events (area_path, accepted_at);
