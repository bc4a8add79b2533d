-- PostgreSQL. How far the retention purge has gone, so that a run does not walk again the hours
-- earlier runs purged: every passage observed before `purged_before` and recorded before
-- `recorded_through` has had its personal data purged. The next run walks the hours from
-- `purged_before` on, and the passages recorded since `recorded_through` (a late record of an
-- old passage) through the recording-time index.
CREATE TABLE retention_marks (
    id               SMALLINT NOT NULL PRIMARY KEY CHECK (id = 1),
    purged_before    BIGINT NOT NULL,
    recorded_through BIGINT NOT NULL
);
