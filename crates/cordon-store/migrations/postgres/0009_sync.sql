-- PostgreSQL. Edge stations' series at the hub (see the SQLite migration; the uplink table is a
-- station's, and stations run on SQLite, but it is kept here too so both schemas match).
CREATE TABLE station_series (
    account_id    BIGINT NOT NULL PRIMARY KEY REFERENCES accounts (id),
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    high_water    BIGINT NOT NULL DEFAULT 0,
    last_sync_at  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE station_records (
    account_id BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    passage    UUID NOT NULL,
    PRIMARY KEY (account_id, seq)
);

CREATE TABLE uplink (
    id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    acknowledged BIGINT NOT NULL,
    at           BIGINT NOT NULL
);
