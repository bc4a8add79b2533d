-- SQLite. The checkpoint network and the passage registry. Times are milliseconds since the epoch;
-- offsets are seconds east of UTC; division codes are integers.
CREATE TABLE jurisdictions (
    code    INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL,
    parent  INTEGER REFERENCES jurisdictions (code)
);

CREATE TABLE checkpoints (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    jurisdiction      INTEGER NOT NULL REFERENCES jurisdictions (code),
    kind              TEXT NOT NULL,
    defence_line      TEXT NOT NULL,
    lat               REAL NOT NULL,
    lon               REAL NOT NULL,
    lanes             INTEGER NOT NULL,
    cameras           INTEGER NOT NULL,
    status            TEXT NOT NULL,
    status_changed_at INTEGER NOT NULL
);
CREATE INDEX checkpoints_jurisdiction ON checkpoints (jurisdiction);

CREATE TABLE checkpoint_status_events (
    id            INTEGER PRIMARY KEY,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX checkpoint_status_events_checkpoint ON checkpoint_status_events (checkpoint_id, at);

-- A passage and its occupants in one row: the occupants (personal data) as a JSON array, so a
-- vehicle is one insert; person_passages indexes who was in which passage.
CREATE TABLE passages (
    id              BLOB PRIMARY KEY,
    checkpoint_id   INTEGER NOT NULL REFERENCES checkpoints (id),
    lane            INTEGER NOT NULL,
    direction       TEXT NOT NULL,
    observed_at     INTEGER NOT NULL,
    observed_offset INTEGER NOT NULL,
    recorded_at     INTEGER NOT NULL,
    plate           TEXT,
    plate_color     TEXT,
    vehicle_class   TEXT,
    origin          INTEGER,
    destination     INTEGER,
    persons         INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    decision        TEXT NOT NULL,
    fingerprint     BLOB NOT NULL,
    occupants       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX passages_checkpoint_time ON passages (checkpoint_id, observed_at, id);
CREATE INDEX passages_plate_time ON passages (plate, observed_at) WHERE plate IS NOT NULL;

-- Who was in which passage: the key is the document type and number, "resident_id:1101...".
CREATE TABLE person_passages (
    doc_key     TEXT NOT NULL,
    observed_at INTEGER NOT NULL,
    passage     BLOB NOT NULL REFERENCES passages (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (doc_key, observed_at, passage)
) WITHOUT ROWID;
