-- Verification on site (核查) by someone other than the account that completed (办结) the event:
-- each category says whether that is required (default yes; a county may allow it per category, the
-- change audited like the category's other settings); events remember who completed them last.
ALTER TABLE event_categories ADD COLUMN verifier_must_differ BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE events ADD COLUMN completed_by BIGINT REFERENCES accounts(id);
UPDATE events SET completed_by = (
    SELECT s.account_id FROM event_steps s WHERE s.event_id = events.id AND s.action = 'complete' ORDER BY s.id DESC LIMIT 1
) WHERE completed_at IS NOT NULL;
