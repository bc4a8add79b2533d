-- SQLite. The completion board by team and by county, kept by the database itself: how many of
-- each team's and county's persons stand in each bucket (a state, with `reached` for those
-- closed reached), by the persons' deadline (so that the overdue are counted exactly). Triggers
-- on the persons keep it, whichever write moves them; the board reads a few hundred rows
-- however many persons the province has.
CREATE TABLE followup_unit_counts (
    dim          TEXT NOT NULL CHECK (dim IN ('team', 'county')),
    unit         INTEGER NOT NULL,
    bucket       TEXT NOT NULL,
    deadline_at  INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (dim, unit, bucket, deadline_at)
);

CREATE TRIGGER followup_unit_counts_insert AFTER INSERT ON followup_subjects BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'team', NEW.team_id, CASE WHEN NEW.state = 'closed' AND NEW.outcome = 'reached' THEN 'reached' WHEN NEW.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN NEW.state ELSE 'transferred' END, NEW.deadline_at, 1 WHERE NEW.team_id IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (1);
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'county', NEW.county, CASE WHEN NEW.state = 'closed' AND NEW.outcome = 'reached' THEN 'reached' WHEN NEW.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN NEW.state ELSE 'transferred' END, NEW.deadline_at, 1 WHERE NEW.county IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (1);
END;

CREATE TRIGGER followup_unit_counts_update
AFTER UPDATE OF team_id, county, state, outcome, deadline_at ON followup_subjects BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'team', OLD.team_id, CASE WHEN OLD.state = 'closed' AND OLD.outcome = 'reached' THEN 'reached' WHEN OLD.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN OLD.state ELSE 'transferred' END, OLD.deadline_at, -1 WHERE OLD.team_id IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (-1);
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'county', OLD.county, CASE WHEN OLD.state = 'closed' AND OLD.outcome = 'reached' THEN 'reached' WHEN OLD.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN OLD.state ELSE 'transferred' END, OLD.deadline_at, -1 WHERE OLD.county IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (-1);
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'team', NEW.team_id, CASE WHEN NEW.state = 'closed' AND NEW.outcome = 'reached' THEN 'reached' WHEN NEW.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN NEW.state ELSE 'transferred' END, NEW.deadline_at, 1 WHERE NEW.team_id IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (1);
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'county', NEW.county, CASE WHEN NEW.state = 'closed' AND NEW.outcome = 'reached' THEN 'reached' WHEN NEW.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN NEW.state ELSE 'transferred' END, NEW.deadline_at, 1 WHERE NEW.county IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (1);
END;

CREATE TRIGGER followup_unit_counts_delete AFTER DELETE ON followup_subjects BEGIN
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'team', OLD.team_id, CASE WHEN OLD.state = 'closed' AND OLD.outcome = 'reached' THEN 'reached' WHEN OLD.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN OLD.state ELSE 'transferred' END, OLD.deadline_at, -1 WHERE OLD.team_id IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (-1);
    INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
    SELECT 'county', OLD.county, CASE WHEN OLD.state = 'closed' AND OLD.outcome = 'reached' THEN 'reached' WHEN OLD.state IN ('closed', 'pending', 'in_progress', 'escalated') THEN OLD.state ELSE 'transferred' END, OLD.deadline_at, -1 WHERE OLD.county IS NOT NULL
    ON CONFLICT (dim, unit, bucket, deadline_at) DO UPDATE SET n = n + (-1);
END;

INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
SELECT 'team', team_id, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END, deadline_at, COUNT(*)
FROM followup_subjects WHERE team_id IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO followup_unit_counts (dim, unit, bucket, deadline_at, n)
SELECT 'county', county, CASE WHEN state = 'closed' AND outcome = 'reached' THEN 'reached' WHEN state IN ('closed', 'pending', 'in_progress', 'escalated') THEN state ELSE 'transferred' END, deadline_at, COUNT(*)
FROM followup_subjects WHERE county IS NOT NULL GROUP BY 1, 2, 3, 4;
