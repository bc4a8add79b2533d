-- SQLite. Duty rosters: a checkpoint's shifts (one at a time), the accounts on each (kept apart
-- so an officer's overlapping shifts anywhere are found by one index), the volunteers sealed
-- (and masked for lists; both emptied by the retention purge, their count kept), the hand-over
-- note one shift leaves the next; and the officers named leads of a station, who keep its roster.
CREATE TABLE shifts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    checkpoint_id     INTEGER NOT NULL REFERENCES checkpoints (id),
    starts_at         INTEGER NOT NULL,
    ends_at           INTEGER NOT NULL CHECK (ends_at > starts_at),
    lead              TEXT NOT NULL,
    officers          TEXT NOT NULL,
    volunteer_count   INTEGER NOT NULL,
    volunteers_masked TEXT NOT NULL,
    volunteers_sealed BLOB,
    handover_note     TEXT,
    handover_by       TEXT,
    handover_at       INTEGER,
    planned_by        TEXT NOT NULL,
    planned_at        INTEGER NOT NULL
);
CREATE INDEX shifts_checkpoint ON shifts (checkpoint_id, starts_at);
CREATE INDEX shifts_end ON shifts (ends_at);

CREATE TABLE shift_crew (
    username  TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    shift_id  INTEGER NOT NULL REFERENCES shifts (id),
    ends_at   INTEGER NOT NULL,
    PRIMARY KEY (username, starts_at, shift_id)
);
CREATE INDEX shift_crew_shift ON shift_crew (shift_id);

CREATE TABLE station_leads (
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
    username      TEXT NOT NULL,
    named_by      TEXT NOT NULL,
    named_at      INTEGER NOT NULL,
    PRIMARY KEY (checkpoint_id, username)
);
