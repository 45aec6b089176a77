-- +goose Up
-- The version of the catalog (elections, wards, areas, polling places,
-- candidates) that each replica caches (models/catalog.go): any change to
-- those tables, by whatever code, sets it to a new random token, in that
-- transaction. An update reads it once and reloads its cache when it
-- differs. A migration that rebuilds one of these tables must create its
-- triggers again.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
INSERT INTO catalog_version (id, token) VALUES (1, hex(randomblob(8)));

-- +goose StatementBegin
CREATE TRIGGER elections_insert_catalog_version AFTER INSERT ON elections
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER elections_update_catalog_version AFTER UPDATE ON elections
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER elections_delete_catalog_version AFTER DELETE ON elections
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER wards_insert_catalog_version AFTER INSERT ON wards
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER wards_update_catalog_version AFTER UPDATE ON wards
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER wards_delete_catalog_version AFTER DELETE ON wards
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER areas_insert_catalog_version AFTER INSERT ON areas
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER areas_update_catalog_version AFTER UPDATE ON areas
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER areas_delete_catalog_version AFTER DELETE ON areas
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER polling_places_insert_catalog_version AFTER INSERT ON polling_places
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER polling_places_update_catalog_version AFTER UPDATE ON polling_places
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER polling_places_delete_catalog_version AFTER DELETE ON polling_places
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER candidates_insert_catalog_version AFTER INSERT ON candidates
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER candidates_update_catalog_version AFTER UPDATE ON candidates
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER candidates_delete_catalog_version AFTER DELETE ON candidates
BEGIN
    UPDATE catalog_version SET token = hex(randomblob(8)) WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER candidates_delete_catalog_version;
DROP TRIGGER candidates_update_catalog_version;
DROP TRIGGER candidates_insert_catalog_version;
DROP TRIGGER polling_places_delete_catalog_version;
DROP TRIGGER polling_places_update_catalog_version;
DROP TRIGGER polling_places_insert_catalog_version;
DROP TRIGGER areas_delete_catalog_version;
DROP TRIGGER areas_update_catalog_version;
DROP TRIGGER areas_insert_catalog_version;
DROP TRIGGER wards_delete_catalog_version;
DROP TRIGGER wards_update_catalog_version;
DROP TRIGGER wards_insert_catalog_version;
DROP TRIGGER elections_delete_catalog_version;
DROP TRIGGER elections_update_catalog_version;
DROP TRIGGER elections_insert_catalog_version;
DROP TABLE catalog_version;
