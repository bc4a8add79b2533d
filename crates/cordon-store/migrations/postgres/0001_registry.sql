-- PostgreSQL. The checkpoint network and the passage registry. Times are milliseconds since the epoch;
-- offsets are seconds east of UTC; division codes are integers.
CREATE TABLE jurisdictions (
    code    BIGINT PRIMARY KEY,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL,
    parent  BIGINT REFERENCES jurisdictions (code)
);

CREATE TABLE checkpoints (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    jurisdiction      BIGINT NOT NULL REFERENCES jurisdictions (code),
    kind              TEXT NOT NULL,
    defence_line      TEXT NOT NULL,
    lat               DOUBLE PRECISION NOT NULL,
    lon               DOUBLE PRECISION NOT NULL,
    lanes             BIGINT NOT NULL,
    cameras           BIGINT NOT NULL,
    status            TEXT NOT NULL,
    status_changed_at BIGINT NOT NULL
);
CREATE INDEX checkpoints_jurisdiction ON checkpoints (jurisdiction);

CREATE TABLE checkpoint_status_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints (id),
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX checkpoint_status_events_checkpoint ON checkpoint_status_events (checkpoint_id, at);

-- A passage and its occupants in one row: the occupants (personal data) as a JSON array, so a
-- vehicle is one insert; person_passages indexes who was in which passage.
CREATE TABLE passages (
    id              UUID PRIMARY KEY,
    checkpoint_id   BIGINT NOT NULL REFERENCES checkpoints (id),
    lane            BIGINT NOT NULL,
    direction       TEXT NOT NULL,
    observed_at     BIGINT NOT NULL,
    observed_offset BIGINT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    plate           TEXT,
    plate_color     TEXT,
    vehicle_class   TEXT,
    origin          BIGINT,
    destination     BIGINT,
    persons         BIGINT NOT NULL,
    outcome         TEXT NOT NULL,
    decision        TEXT NOT NULL,
    fingerprint     BYTEA NOT NULL,
    occupants       TEXT NOT NULL
);
CREATE INDEX passages_checkpoint_time ON passages (checkpoint_id, observed_at, id);
CREATE INDEX passages_plate_time ON passages (plate, observed_at) WHERE plate IS NOT NULL;

-- Who was in which passage: the key is the document type and number, "resident_id:1101...".
CREATE TABLE person_passages (
    doc_key     TEXT NOT NULL,
    observed_at BIGINT NOT NULL,
    passage     UUID NOT NULL REFERENCES passages (id),
    role        TEXT NOT NULL,
    PRIMARY KEY (doc_key, observed_at, passage)
);
