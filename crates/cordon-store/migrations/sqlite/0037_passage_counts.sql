-- The dashboard's counts, kept by the registration writer in the transaction that writes the
-- passages: per hour of observation and checkpoint, the vehicles (in all and per outcome), the
-- persons, the lanes' handling (vehicles registered within 10 minutes of their observation,
-- and the sum of those delays) and the green channel. A correction takes its superseded
-- passage out (the vehicle passed once); the retention purge leaves the counts as they are.
-- The dashboard reads these rows instead of every passage of its period: a province's day is
-- some 31,000 of them. The outcomes are columns (a new outcome is a new migration), which
-- keeps a checkpoint's hour one row; keyed by checkpoint first, so that a scope's dashboard
-- reads each of its checkpoints' hours in one seek. Filled here from the passages stored.
CREATE TABLE passage_counts (
    hour              INTEGER NOT NULL,
    checkpoint_id     INTEGER NOT NULL REFERENCES checkpoints (id),
    passages          INTEGER NOT NULL,
    persons           INTEGER NOT NULL,
    handled           INTEGER NOT NULL,
    handling_ms       INTEGER NOT NULL,
    green             INTEGER NOT NULL,
    green_handled     INTEGER NOT NULL,
    green_handling_ms INTEGER NOT NULL,
    pass              INTEGER NOT NULL,
    test_on_site      INTEGER NOT NULL,
    persuade_return   INTEGER NOT NULL,
    hold              INTEGER NOT NULL,
    refer             INTEGER NOT NULL,
    PRIMARY KEY (checkpoint_id, hour)
) WITHOUT ROWID;

INSERT INTO passage_counts (hour, checkpoint_id, passages, persons, handled, handling_ms, green,
    green_handled, green_handling_ms, pass, test_on_site, persuade_return, hold, refer)
SELECT p.observed_at / 3600000, p.checkpoint_id, COUNT(*), SUM(p.persons),
    SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND 600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.recorded_at - p.observed_at BETWEEN 0 AND 600000
        THEN p.recorded_at - p.observed_at ELSE 0 END),
    SUM(CASE WHEN p.freight_pass THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at BETWEEN 0 AND 600000
        THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.freight_pass AND p.recorded_at - p.observed_at BETWEEN 0 AND 600000
        THEN p.recorded_at - p.observed_at ELSE 0 END),
    SUM(CASE WHEN p.outcome = 'pass' THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.outcome = 'test_on_site' THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.outcome = 'persuade_return' THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.outcome = 'hold' THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.outcome = 'refer' THEN 1 ELSE 0 END)
FROM passages p
WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.supersedes = p.id)
GROUP BY 1, 2;
