-- PostgreSQL. The completion board by team and by county, kept by the database itself: how many
-- of each team's and county's persons stand in each bucket (a state, with `reached` for those
-- closed reached), by the persons' deadline (so that the overdue are counted exactly). Triggers
-- on the persons keep it, once per statement over the rows it changed, whichever write moves
-- them; the board reads a few hundred rows however many persons the province has.
CREATE TABLE followup_unit_counts (
    dim          TEXT NOT NULL CHECK (dim IN ('team', 'county')),
    unit         BIGINT NOT NULL,
    bucket       TEXT NOT NULL,
    deadline_at  BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (dim, unit, bucket, deadline_at)
);

CREATE FUNCTION followup_unit_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT dim, unit, bucket, deadline_at, SUM(d) FROM (
            SELECT 'team' AS dim, team_id AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, 1 AS d FROM new_rows WHERE team_id IS NOT NULL
            UNION ALL SELECT 'county' AS dim, county AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, 1 AS d FROM new_rows WHERE county IS NOT NULL
        ) moved
    GROUP BY dim, unit, bucket, deadline_at HAVING SUM(d) <> 0
    -- Rows are locked in one order by every writer: two callers' attempts never deadlock.
    ORDER BY dim, unit, bucket, deadline_at
    ON CONFLICT (dim, unit, bucket, deadline_at)
    DO UPDATE SET n = followup_unit_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION followup_unit_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT dim, unit, bucket, deadline_at, SUM(d) FROM (
            SELECT 'team' AS dim, team_id AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, 1 AS d FROM new_rows WHERE team_id IS NOT NULL
            UNION ALL SELECT 'county' AS dim, county AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, 1 AS d FROM new_rows WHERE county IS NOT NULL
            UNION ALL SELECT 'team' AS dim, team_id AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, -1 AS d FROM old_rows WHERE team_id IS NOT NULL
            UNION ALL SELECT 'county' AS dim, county AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, -1 AS d FROM old_rows WHERE county IS NOT NULL
        ) moved
    GROUP BY dim, unit, bucket, deadline_at HAVING SUM(d) <> 0
    -- Rows are locked in one order by every writer: two callers' attempts never deadlock.
    ORDER BY dim, unit, bucket, deadline_at
    ON CONFLICT (dim, unit, bucket, deadline_at)
    DO UPDATE SET n = followup_unit_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION followup_unit_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT dim, unit, bucket, deadline_at, SUM(d) FROM (
            SELECT 'team' AS dim, team_id AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, -1 AS d FROM old_rows WHERE team_id IS NOT NULL
            UNION ALL SELECT 'county' AS dim, county AS unit, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END AS bucket, deadline_at, -1 AS d FROM old_rows WHERE county IS NOT NULL
        ) moved
    GROUP BY dim, unit, bucket, deadline_at HAVING SUM(d) <> 0
    -- Rows are locked in one order by every writer: two callers' attempts never deadlock.
    ORDER BY dim, unit, bucket, deadline_at
    ON CONFLICT (dim, unit, bucket, deadline_at)
    DO UPDATE SET n = followup_unit_counts.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER followup_unit_counts_insert AFTER INSERT ON followup_subjects
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followup_unit_counts_inserted();
CREATE TRIGGER followup_unit_counts_update AFTER UPDATE ON followup_subjects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followup_unit_counts_updated();
CREATE TRIGGER followup_unit_counts_delete AFTER DELETE ON followup_subjects
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION followup_unit_counts_deleted();

INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
SELECT 'team', team_id, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END, deadline_at, COUNT(*)
FROM followup_subjects WHERE team_id IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
SELECT 'county', county, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END, deadline_at, COUNT(*)
FROM followup_subjects WHERE county IS NOT NULL GROUP BY 1, 2, 3, 4;
