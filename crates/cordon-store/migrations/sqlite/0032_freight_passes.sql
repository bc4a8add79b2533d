-- SQLite. Freight passes: one vehicle (its plate and a tractor's), one route (origin and
-- destination counties, the checkpoints on the way as JSON), the goods, the drivers (sealed
-- against the pass's number, masked beside), when it is valid; numbered by the issuing
-- division's code and a serial of its own. Revocations are a table of their own, which an edge
-- station copies from the hub (it holds no passes: their codes carry what a lane checks).
CREATE TABLE freight_passes (
    number          TEXT PRIMARY KEY,
    division        INTEGER NOT NULL,
    serial          INTEGER NOT NULL,
    plate           TEXT NOT NULL,
    tractor_plate   TEXT,
    origin          INTEGER NOT NULL,
    destination     INTEGER NOT NULL,
    via             TEXT NOT NULL,
    goods           TEXT NOT NULL,
    drivers_sealed  BLOB NOT NULL,
    drivers_masked  TEXT NOT NULL,
    valid_from      INTEGER NOT NULL,
    valid_until     INTEGER NOT NULL,
    issued_by       TEXT NOT NULL,
    issued_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX freight_passes_serial ON freight_passes (division, serial);
CREATE INDEX freight_passes_plate ON freight_passes (plate, valid_until);
CREATE INDEX freight_passes_issued ON freight_passes (issued_at);

CREATE TABLE freight_pass_revocations (
    number       TEXT PRIMARY KEY,
    revoked_at   INTEGER NOT NULL,
    revoked_by   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    valid_until  INTEGER NOT NULL
);
CREATE INDEX freight_pass_revocations_until ON freight_pass_revocations (valid_until);
