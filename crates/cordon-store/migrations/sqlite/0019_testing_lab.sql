-- SQLite. The lab: labs a commander registers, assay versions (how Ct values are read, never
-- changed once made), sealed tubes received at a lab, and runs: a plate of wells, each holding a
-- tube or a control, its steps by who and when, the instrument's Ct values and each well's
-- reading, and its release by a second person. A tube stands in one well ever; a released
-- tube's reading becomes each of its persons' result.
CREATE TABLE testing_labs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    area        INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE testing_assays (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

ALTER TABLE testing_tubes ADD COLUMN lab_id INTEGER REFERENCES testing_labs (id);
ALTER TABLE testing_tubes ADD COLUMN received_by TEXT;
ALTER TABLE testing_tubes ADD COLUMN received_at INTEGER;
ALTER TABLE testing_tubes ADD COLUMN reading TEXT;
ALTER TABLE testing_tubes ADD COLUMN released_at INTEGER;
CREATE INDEX testing_tubes_sealed ON testing_tubes (sealed_at) WHERE received_at IS NULL;

CREATE TABLE testing_runs (
    id                INTEGER PRIMARY KEY,
    lab_id            INTEGER NOT NULL REFERENCES testing_labs (id),
    assay_id          INTEGER NOT NULL REFERENCES testing_assays (id),
    step              TEXT NOT NULL,
    controls_ok       INTEGER,
    made_by           TEXT NOT NULL,
    made_at           INTEGER NOT NULL,
    resulted_by       TEXT,
    released_by       TEXT,
    released_at       INTEGER
);
CREATE INDEX testing_runs_lab ON testing_runs (lab_id, made_at);

CREATE TABLE testing_run_steps (
    run_id   INTEGER NOT NULL REFERENCES testing_runs (id),
    step     TEXT NOT NULL,
    done_by  TEXT NOT NULL,
    done_at  INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
);

-- kind: 'tube', 'negative' or 'positive' (a control); cts: the Ct values in the assay's target
-- order as JSON, once the instrument's file is read.
CREATE TABLE testing_wells (
    run_id     INTEGER NOT NULL REFERENCES testing_runs (id),
    well       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('tube', 'negative', 'positive')),
    tube_id    INTEGER REFERENCES testing_tubes (id),
    cts        TEXT,
    reading    TEXT,
    placed_by  TEXT NOT NULL,
    placed_at  INTEGER NOT NULL,
    PRIMARY KEY (run_id, well)
);
CREATE UNIQUE INDEX testing_wells_tube ON testing_wells (tube_id) WHERE tube_id IS NOT NULL;

ALTER TABLE testing_members ADD COLUMN result TEXT;
ALTER TABLE testing_members ADD COLUMN released_at INTEGER;
