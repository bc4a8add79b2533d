-- SQLite. The daily report as kept: one row per checkpoint and day (China time, 'YYYY-MM-DD'),
-- counted at the set time the next morning; and when each day was kept.
CREATE TABLE daily_reports (
    day              TEXT NOT NULL,
    checkpoint_id    INTEGER NOT NULL REFERENCES checkpoints (id),
    open             INTEGER NOT NULL,
    vehicles         INTEGER NOT NULL,
    persons          INTEGER NOT NULL,
    passed           INTEGER NOT NULL,
    tested_on_site   INTEGER NOT NULL,
    held             INTEGER NOT NULL,
    referred         INTEGER NOT NULL,
    turned_back      INTEGER NOT NULL,
    acknowledged     INTEGER NOT NULL,
    overdue          INTEGER NOT NULL,
    reports_raised   INTEGER NOT NULL,
    reports_closed   INTEGER NOT NULL,
    shifts           INTEGER NOT NULL,
    covered_minutes  INTEGER NOT NULL,
    PRIMARY KEY (day, checkpoint_id)
);

CREATE TABLE daily_kept (
    day      TEXT NOT NULL PRIMARY KEY,
    kept_at  INTEGER NOT NULL
);
