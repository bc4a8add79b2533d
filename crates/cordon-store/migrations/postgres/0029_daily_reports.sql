-- PostgreSQL. The daily report as kept: one row per checkpoint and day (China time, 'YYYY-MM-DD'),
-- counted at the set time the next morning; and when each day was kept.
CREATE TABLE daily_reports (
    day              TEXT NOT NULL,
    checkpoint_id    BIGINT NOT NULL REFERENCES checkpoints (id),
    open             BIGINT NOT NULL,
    vehicles         BIGINT NOT NULL,
    persons          BIGINT NOT NULL,
    passed           BIGINT NOT NULL,
    tested_on_site   BIGINT NOT NULL,
    held             BIGINT NOT NULL,
    referred         BIGINT NOT NULL,
    turned_back      BIGINT NOT NULL,
    acknowledged     BIGINT NOT NULL,
    overdue          BIGINT NOT NULL,
    reports_raised   BIGINT NOT NULL,
    reports_closed   BIGINT NOT NULL,
    shifts           BIGINT NOT NULL,
    covered_minutes  BIGINT NOT NULL,
    PRIMARY KEY (day, checkpoint_id)
);

CREATE TABLE daily_kept (
    day      TEXT NOT NULL PRIMARY KEY,
    kept_at  BIGINT NOT NULL
);
