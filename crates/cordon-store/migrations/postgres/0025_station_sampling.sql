-- PostgreSQL. Sampling sites as edge stations, at the hub: each site station's account, the
-- one site it pushes for, and how far the hub has taken its series of events (applied or
-- refused). The station's own outbox is SQLite's only (a station always runs on it).
CREATE TABLE station_sites (
    account_id    BIGINT NOT NULL PRIMARY KEY REFERENCES accounts (id),
    site_id       BIGINT NOT NULL REFERENCES testing_sites (id),
    high_water    BIGINT NOT NULL DEFAULT 0,
    last_sync_at  BIGINT NOT NULL DEFAULT 0
);
