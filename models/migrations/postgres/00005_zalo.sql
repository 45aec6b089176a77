-- +goose Up
-- Zalo's customer-service window: an Official Account may send a contact
-- customer-service messages only for a time after the contact's last
-- interaction (a message, a button press, a follow, shared info). The
-- channel records that time on the contact; broadcasts skip the Zalo
-- followers outside the window. NULL: never recorded (other channels).
ALTER TABLE contacts ADD COLUMN last_inbound_at TIMESTAMPTZ;
CREATE INDEX contacts_channel_inbound_idx ON contacts (channel, last_inbound_at);

-- +goose Down
DROP INDEX contacts_channel_inbound_idx;
ALTER TABLE contacts DROP COLUMN last_inbound_at;
