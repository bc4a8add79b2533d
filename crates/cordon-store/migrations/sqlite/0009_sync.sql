-- SQLite. Edge stations. At the hub: each station account's series (the highest number held,
-- the last push) and which passage each number recorded, so that a batch sent again is
-- recognised and a series that goes backwards is caught. At a station: how far its own series
-- (its passages' rowids, appended in recording order) has reached the hub.
CREATE TABLE station_series (
    account_id    INTEGER NOT NULL PRIMARY KEY REFERENCES accounts (id),
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
    high_water    INTEGER NOT NULL DEFAULT 0,
    last_sync_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE station_records (
    account_id INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    passage    BLOB NOT NULL,
    PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;

CREATE TABLE uplink (
    id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    acknowledged INTEGER NOT NULL,
    at           INTEGER NOT NULL
);
