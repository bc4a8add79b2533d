-- SQLite. Holding lots: each lot with its zones (JSON), the checkpoints that send trucks to it
-- and a clock every change to the lot moves (the board's long poll compares it); the trucks
-- (one present per plate and one per bay, by partial unique indexes; the masked driver,
-- hand-over and destination as JSON in `shown`, the clear ones sealed) with every step they
-- took; the drivers' requests from the bays (one open per bay and need); and the freight
-- alerts raised for the command.
-- The passages a lane held (the lots' look-up of the trucks sent to them): few, by checkpoint
-- and time, with the plate.
CREATE INDEX passages_held ON passages (checkpoint_id, observed_at, plate) WHERE outcome = 'hold';

CREATE TABLE lots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    division    INTEGER NOT NULL,
    address     TEXT NOT NULL,
    zones       TEXT NOT NULL,
    bays        INTEGER NOT NULL,
    clock       INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX lots_division ON lots (division);

CREATE TABLE lot_checkpoints (
    lot_id         INTEGER NOT NULL REFERENCES lots (id),
    checkpoint_id  INTEGER NOT NULL REFERENCES checkpoints (id),
    PRIMARY KEY (lot_id, checkpoint_id)
);
CREATE INDEX lot_checkpoints_checkpoint ON lot_checkpoints (checkpoint_id);

CREATE TABLE lot_trucks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    lot_id           INTEGER NOT NULL REFERENCES lots (id),
    plate            TEXT NOT NULL,
    state            TEXT NOT NULL,
    bay              INTEGER,
    present          INTEGER,
    arrived_at       INTEGER NOT NULL,
    changed_at       INTEGER NOT NULL,
    sampled_at       INTEGER,
    antigen          TEXT,
    pcr_tube         TEXT,
    pcr              TEXT,
    released_on      TEXT,
    left_at          INTEGER,
    passage_id       BLOB,
    from_checkpoint  TEXT,
    driver_sealed    BLOB,
    handed_sealed    BLOB,
    shown            TEXT NOT NULL
);
CREATE UNIQUE INDEX lot_trucks_present ON lot_trucks (lot_id, plate) WHERE present IS NOT NULL;
CREATE UNIQUE INDEX lot_trucks_bay ON lot_trucks (lot_id, bay) WHERE present IS NOT NULL AND bay IS NOT NULL;
CREATE INDEX lot_trucks_lot_time ON lot_trucks (lot_id, changed_at);
CREATE INDEX lot_trucks_passage ON lot_trucks (passage_id) WHERE passage_id IS NOT NULL;

CREATE TABLE lot_truck_steps (
    truck_id  INTEGER NOT NULL REFERENCES lot_trucks (id),
    seq       INTEGER NOT NULL,
    step      TEXT NOT NULL,
    state     TEXT NOT NULL,
    at        INTEGER NOT NULL,
    by_name   TEXT NOT NULL,
    why       TEXT,
    detail    TEXT,
    PRIMARY KEY (truck_id, seq)
);

CREATE TABLE lot_requests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    lot_id     INTEGER NOT NULL REFERENCES lots (id),
    bay        INTEGER NOT NULL,
    need       TEXT NOT NULL,
    asked_at   INTEGER NOT NULL,
    closed_at  INTEGER,
    closed_by  TEXT
);
CREATE UNIQUE INDEX lot_requests_open ON lot_requests (lot_id, bay, need) WHERE closed_at IS NULL;
CREATE INDEX lot_requests_lot_time ON lot_requests (lot_id, asked_at);

CREATE TABLE freight_alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    division    INTEGER NOT NULL,
    plate       TEXT NOT NULL,
    lot_id      INTEGER REFERENCES lots (id),
    truck_id    INTEGER REFERENCES lot_trucks (id),
    detail      TEXT NOT NULL,
    raised_at   INTEGER NOT NULL,
    closed_at   INTEGER,
    closed_by   TEXT,
    closed_note TEXT
);
CREATE UNIQUE INDEX freight_alerts_truck ON freight_alerts (truck_id, kind) WHERE truck_id IS NOT NULL;
CREATE INDEX freight_alerts_time ON freight_alerts (raised_at);
