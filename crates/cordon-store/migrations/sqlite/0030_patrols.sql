-- SQLite. Video patrols: each checkpoint's camera channels (the stream's address only), the
-- plans that list channels in order, and rounds with one observation per channel (and the
-- directive or the report a finding was turned into).
CREATE TABLE video_channels (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    checkpoint_id  INTEGER NOT NULL REFERENCES checkpoints (id),
    name           TEXT NOT NULL,
    stream         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    added_by       TEXT NOT NULL,
    added_at       INTEGER NOT NULL,
    retired_at     INTEGER
);
CREATE INDEX video_channels_checkpoint ON video_channels (checkpoint_id);

CREATE TABLE patrol_plans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    division    INTEGER NOT NULL,
    channels    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE patrol_rounds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      INTEGER NOT NULL REFERENCES patrol_plans (id),
    division     INTEGER NOT NULL,
    started_by   TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX patrol_rounds_time ON patrol_rounds (started_at);

CREATE TABLE patrol_observations (
    round_id      INTEGER NOT NULL REFERENCES patrol_rounds (id),
    channel_id    INTEGER NOT NULL REFERENCES video_channels (id),
    sight         TEXT NOT NULL CHECK (sight IN ('ok', 'problem', 'no_signal')),
    note          TEXT,
    seen_by       TEXT NOT NULL,
    seen_at       INTEGER NOT NULL,
    directive_id  INTEGER,
    report_id     BLOB,
    PRIMARY KEY (round_id, channel_id)
);
