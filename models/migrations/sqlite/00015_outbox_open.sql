-- +goose Up
-- The sweep lists the messages left behind oldest first (ORDER BY id
-- LIMIT n): over the open rows only, not through every sent one before
-- them (issue 18: 0.5 s a sweep with a backlog behind 100,000 sent rows).
CREATE INDEX outbox_open_idx ON outbox (id) WHERE status IN ('pending', 'sending');

-- +goose Down
DROP INDEX outbox_open_idx;
