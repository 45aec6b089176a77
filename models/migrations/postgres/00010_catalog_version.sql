-- +goose Up
-- The version of the catalog (elections, wards, areas, polling places,
-- candidates) that each replica caches (models/catalog.go): any change to
-- those tables, by whatever code, sets it to the id of the transaction
-- that made it, in that transaction. An update reads it once and reloads
-- its cache when it differs; a rolled-back change's id is never seen again.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
INSERT INTO catalog_version (id, token) VALUES (1, txid_current()::text);

-- +goose StatementBegin
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET token = txid_current()::text
        WHERE id = 1 AND token <> txid_current()::text;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER elections_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON elections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER wards_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON wards
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER areas_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER polling_places_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON polling_places
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER candidates_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON candidates
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

-- +goose Down
DROP TRIGGER candidates_catalog_version ON candidates;
DROP TRIGGER polling_places_catalog_version ON polling_places;
DROP TRIGGER areas_catalog_version ON areas;
DROP TRIGGER wards_catalog_version ON wards;
DROP TRIGGER elections_catalog_version ON elections;
DROP FUNCTION bump_catalog_version();
DROP TABLE catalog_version;
