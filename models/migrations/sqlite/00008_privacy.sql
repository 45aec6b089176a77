-- +goose Up
-- Hardening for the open internet and Decree 13/2023 (issue 17): see the
-- PostgreSQL migration.

UPDATE contacts SET chat_id = external_id, reachable = TRUE
WHERE channel = 'telegram' AND chat_id <> external_id;

-- Officials' designated phones are masked in the audit (models.MaskPhone).
-- SQLite has no regexp_replace: the number runs from "phone=" to the next
-- space or the end.
UPDATE audit_events SET detail = (
    SELECT pre || CASE WHEN phone LIKE '+84%' THEN '+84******' ELSE '+*******' END
               || substr(phone, -3) || substr(rest, length(phone) + 1)
    FROM (SELECT pre, rest,
                 CASE WHEN instr(rest, ' ') > 0 THEN substr(rest, 1, instr(rest, ' ') - 1) ELSE rest END AS phone
          FROM (SELECT substr(audit_events.detail, 1, instr(audit_events.detail, 'phone=') + 5) AS pre,
                       substr(audit_events.detail, instr(audit_events.detail, 'phone=') + 6) AS rest)))
WHERE action LIKE 'role.%' AND detail GLOB '*phone=+[0-9][0-9][0-9][0-9]*';

CREATE INDEX audit_events_action_subject_idx ON audit_events (action, subject, at);
CREATE INDEX audit_events_action_at_idx ON audit_events (action, at);

ALTER TABLE contacts ADD COLUMN state_expires_at DATETIME;
CREATE INDEX contacts_state_expires_idx ON contacts (state_expires_at) WHERE state_expires_at IS NOT NULL;

-- +goose Down
DROP INDEX contacts_state_expires_idx;
ALTER TABLE contacts DROP COLUMN state_expires_at;
DROP INDEX audit_events_action_at_idx;
DROP INDEX audit_events_action_subject_idx;
