-- +goose Up
-- Hardening for the open internet and Decree 13/2023 (issue 17).

-- A Telegram contact is addressed by its private chat, whose id is the
-- user's id: a contact whose first message came from a group had that
-- group as its chat, and got broadcasts, reminders and role notices there
-- (and was marked unreachable when the group refused the bot). Whether
-- the private chat works is learnt at the next message sent to it.
UPDATE contacts SET chat_id = external_id, reachable = TRUE
WHERE channel = 'telegram' AND chat_id <> external_id;

-- Officials' designated phones are masked in the audit (models.MaskPhone).
UPDATE audit_events SET detail = regexp_replace(detail, 'phone=\+84[0-9]*([0-9]{3})', 'phone=+84******\1')
WHERE action LIKE 'role.%' AND detail ~ 'phone=\+84[0-9]';
UPDATE audit_events SET detail = regexp_replace(detail, 'phone=\+[0-9]*([0-9]{3})', 'phone=+*******\1')
WHERE action LIKE 'role.%' AND detail ~ 'phone=\+[0-9]{4}';

-- The lookup budgets count the lookups of an area, and of everyone, in a
-- window (handlers/lookup_budget.go).
CREATE INDEX audit_events_action_subject_idx ON audit_events (action, subject, at);
CREATE INDEX audit_events_action_at_idx ON audit_events (action, at);

-- A conversation state holding a searched name (a lookup waiting for the
-- area or the household number) expires: the sweep clears it.
ALTER TABLE contacts ADD COLUMN state_expires_at TIMESTAMPTZ;
CREATE INDEX contacts_state_expires_idx ON contacts (state_expires_at) WHERE state_expires_at IS NOT NULL;

-- +goose Down
DROP INDEX contacts_state_expires_idx;
ALTER TABLE contacts DROP COLUMN state_expires_at;
DROP INDEX audit_events_action_at_idx;
DROP INDEX audit_events_action_subject_idx;
