-- What each day's partition of `passage_personal` holds, its passages and their persons, kept by
-- a trigger as rows are inserted, updated and deleted: the purge reads a day's figures here when
-- it drops the day (cordon_store::retention::postgres), where counting the detached day read
-- all of it, a province's 240 MB a day, on a core the lanes needed (docs/BENCHMARKS.md, twelfth
-- part). A day is counted as the partitions and `DAY_OF_OBSERVED_SQL` count it: days since
-- 1970-01-01 in UTC+8. A day with no row held nothing.
CREATE TABLE personal_days (
    day      BIGINT PRIMARY KEY,
    passages BIGINT NOT NULL,
    persons  BIGINT NOT NULL
);

-- One statement's rows, added (`added`: an insert, an update's new rows) and taken away
-- (`removed`: a delete, an update's old rows), summed by day; the days' rows taken in their
-- order, so that two writers of the same days never wait for each other in a circle.
CREATE FUNCTION cordon_personal_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO personal_days AS t (day, passages, persons)
        SELECT (observed_at + 28800000) / 86400000, -COUNT(*), -COALESCE(SUM(persons), 0)
        FROM removed GROUP BY 1 ORDER BY 1
        ON CONFLICT (day) DO UPDATE SET passages = t.passages + EXCLUDED.passages,
            persons = t.persons + EXCLUDED.persons;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO personal_days AS t (day, passages, persons)
        SELECT (observed_at + 28800000) / 86400000, COUNT(*), COALESCE(SUM(persons), 0)
        FROM added GROUP BY 1 ORDER BY 1
        ON CONFLICT (day) DO UPDATE SET passages = t.passages + EXCLUDED.passages,
            persons = t.persons + EXCLUDED.persons;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER personal_days_added AFTER INSERT ON passage_personal
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION cordon_personal_days();
CREATE TRIGGER personal_days_updated AFTER UPDATE ON passage_personal
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_personal_days();
CREATE TRIGGER personal_days_removed AFTER DELETE ON passage_personal
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION cordon_personal_days();

-- The days stored before, in this migration's transaction (no lane writes meanwhile).
INSERT INTO personal_days (day, passages, persons)
SELECT (observed_at + 28800000) / 86400000, COUNT(*), COALESCE(SUM(persons), 0)
FROM passage_personal GROUP BY 1;
