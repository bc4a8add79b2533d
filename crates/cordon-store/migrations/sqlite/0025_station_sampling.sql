-- SQLite. Sampling sites as edge stations. At the hub: each site station's account, the one
-- site it pushes for, and how far the hub has taken its series of events (applied or refused).
-- At a site station: its outbox, one row per event in commit order (written by triggers the
-- station installs at its start, so every write path of tubes and antigen tests fills it in its
-- own transaction; the rows name what changed, the events are read from the tables as they are
-- pushed), how far the hub has taken it, and the events the hub refused, to show.
CREATE TABLE station_sites (
    account_id    INTEGER NOT NULL PRIMARY KEY REFERENCES accounts (id),
    site_id       INTEGER NOT NULL REFERENCES testing_sites (id),
    high_water    INTEGER NOT NULL DEFAULT 0,
    last_sync_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sampling_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('tube', 'member', 'seal', 'swab', 'read')),
    ref_id      INTEGER NOT NULL,
    person_key  TEXT
);

CREATE TABLE sampling_uplink (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    acknowledged  INTEGER NOT NULL,
    at            INTEGER NOT NULL
);

CREATE TABLE sampling_refused (
    seq      INTEGER PRIMARY KEY,
    what     TEXT NOT NULL,
    code     TEXT NOT NULL,
    message  TEXT NOT NULL,
    at       INTEGER NOT NULL
);
