-- The figures' average time per step reads only timed steps that ended in the period, all from one
-- index (no row reads), instead of every timeline line of the period.
DROP INDEX event_steps_at;
CREATE INDEX event_steps_timed ON event_steps (at, event_id, step, step_minutes, limit_minutes) WHERE step IS NOT NULL;
