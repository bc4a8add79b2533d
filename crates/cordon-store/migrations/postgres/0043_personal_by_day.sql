-- PostgreSQL. A passage's personal data (plate, occupants sealed, their keyed hashes, the facts
-- the policy looked at) moves to a table of its own, `passage_personal`, partitioned by the day
-- (China Standard Time, UTC+8) the passage was observed on: the retention purge drops a day's
-- partition whole, where it rewrote the day's rows one by one and wrote every page of them to
-- the write-ahead log while the lanes' commits waited behind it (docs/BENCHMARKS.md, ninth
-- part). What stays in `passage_core` (checkpoint, time, counts, outcome, decision) is never
-- rewritten, so its pages are filled whole. `passages` is a view joining the two, so readers
-- read as before; writers name the tables (cordon_store::passage::postgres_writer).
ALTER TABLE passages RENAME TO passage_core;

CREATE TABLE passage_personal (
    observed_at   BIGINT NOT NULL,
    id            UUID NOT NULL,
    persons       BIGINT NOT NULL,
    plate         TEXT,
    occupants     TEXT,
    facts         BYTEA,
    sealed        BYTEA,
    occupant_keys BYTEA,
    PRIMARY KEY (observed_at, id)
) PARTITION BY RANGE (observed_at);

-- The partition of a day (days since 1970-01-01 in UTC+8), created if missing: by the
-- registration writer before it writes a day it has not seen, and here for the rows written
-- before. Named by its date, `passage_personal_20261207`.
CREATE FUNCTION cordon_personal_partition(day BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    name TEXT := 'passage_personal_' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF passage_personal FOR VALUES FROM (%s) TO (%s)',
            name, day * 86400000 - 28800000, (day + 1) * 86400000 - 28800000);
    END IF;
EXCEPTION WHEN duplicate_table OR unique_violation THEN
    -- Another process created it meanwhile.
    NULL;
END $$;

-- The rows written before move day by day, each day's partition made first, the progress
-- logged (cordon_store::upgrade::personal_by_day), in this migration's transaction.
-- cordon:step personal_by_day

ALTER TABLE passage_core
    DROP COLUMN plate, DROP COLUMN occupants, DROP COLUMN facts, DROP COLUMN sealed,
    DROP COLUMN occupant_keys;
ALTER TABLE passage_core SET (fillfactor = 100);

CREATE VIEW passages AS
SELECT c.id, c.checkpoint_id, c.lane, c.direction, c.observed_at, c.observed_offset,
       c.recorded_at, p.plate, c.plate_color, c.vehicle_class, c.origin, c.destination,
       c.persons, c.outcome, c.decision, c.fingerprint, COALESCE(p.occupants, '') AS occupants,
       c.freight_pass, p.facts, p.sealed, p.occupant_keys, c.goods
FROM passage_core c
LEFT JOIN passage_personal p ON p.observed_at = c.observed_at AND p.id = c.id;

-- The view takes an update as the table did, each column to its table (a passage without
-- personal data keeps none): for tools and for tests that write a row as an earlier release
-- left it. The store's own writes name the tables.
CREATE FUNCTION passages_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE passage_core SET checkpoint_id = NEW.checkpoint_id, lane = NEW.lane,
        direction = NEW.direction, recorded_at = NEW.recorded_at, plate_color = NEW.plate_color,
        vehicle_class = NEW.vehicle_class, origin = NEW.origin, destination = NEW.destination,
        persons = NEW.persons, outcome = NEW.outcome, decision = NEW.decision,
        fingerprint = NEW.fingerprint, freight_pass = NEW.freight_pass, goods = NEW.goods
    WHERE id = OLD.id;
    UPDATE passage_personal SET persons = NEW.persons, plate = NEW.plate,
        occupants = NULLIF(NEW.occupants, ''), facts = NEW.facts, sealed = NEW.sealed,
        occupant_keys = NEW.occupant_keys
    WHERE observed_at = OLD.observed_at AND id = OLD.id;
    RETURN NEW;
END $$;
CREATE TRIGGER passages_update INSTEAD OF UPDATE ON passages
    FOR EACH ROW EXECUTE FUNCTION passages_update();
