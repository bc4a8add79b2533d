-- SQLite. Escorts: from a checkpoint to a destination, assigned by a commander, with the
-- escorted vehicles and the officers (JSON lists), the planned route and arrival; its state and
-- each step (who, when, what was said: who received it at the destination, why it was
-- cancelled). A closed escort's vehicles are emptied by the retention purge.
CREATE TABLE escorts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    checkpoint_id   INTEGER NOT NULL REFERENCES checkpoints (id),
    kind            TEXT NOT NULL,
    destination     TEXT NOT NULL,
    route           TEXT NOT NULL,
    vehicles        TEXT NOT NULL,
    officers        TEXT NOT NULL,
    persons         INTEGER,
    planned_arrival INTEGER NOT NULL,
    note            TEXT,
    state           TEXT NOT NULL,
    assigned_by     TEXT NOT NULL,
    assigned_at     INTEGER NOT NULL,
    closed_at       INTEGER
);
CREATE INDEX escorts_time ON escorts (assigned_at);
CREATE INDEX escorts_closed ON escorts (closed_at);

CREATE TABLE escort_steps (
    escort_id   INTEGER NOT NULL REFERENCES escorts (id),
    step        TEXT NOT NULL,
    by_user     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    said        TEXT
);
CREATE INDEX escort_steps_escort ON escort_steps (escort_id, at);
