-- SQLite. Follow-up lists: a list (pushed, uploaded, made from a trace), its rows, and the
-- subjects they are matched to. A subject is one person (by the keyed hash of the document, or
-- of phone and name, "unverified"); each row keeps its own facts, sealed, so nothing a list said
-- is lost when two lists name one person.
CREATE TABLE followup_lists (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL CHECK (source IN ('upload', 'push', 'trace', 'query')),
    label        TEXT NOT NULL,
    scope        TEXT NOT NULL,
    brought_by   TEXT NOT NULL,
    brought_at   INTEGER NOT NULL,
    deadline_at  INTEGER NOT NULL,
    row_count    INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    -- Counted when rows are added: distinct persons, those first named here, those unverified.
    subjects     INTEGER NOT NULL DEFAULT 0,
    new_subjects INTEGER NOT NULL DEFAULT 0,
    unverified   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX followup_lists_brought ON followup_lists (brought_at);

CREATE TABLE followup_subjects (
    id             INTEGER PRIMARY KEY,
    match_key      TEXT NOT NULL UNIQUE,
    verified       INTEGER NOT NULL CHECK (verified IN (0, 1)),
    document_type  TEXT,
    masked_number  TEXT,
    masked_name    TEXT NOT NULL,
    home_area      INTEGER,
    state          TEXT NOT NULL DEFAULT 'open',
    first_list     TEXT NOT NULL REFERENCES followup_lists (id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX followup_subjects_first_list ON followup_subjects (first_list);

CREATE TABLE followup_rows (
    list_id      TEXT NOT NULL REFERENCES followup_lists (id),
    row_no       INTEGER NOT NULL,
    subject_id   INTEGER NOT NULL REFERENCES followup_subjects (id),
    fingerprint  TEXT NOT NULL,
    sealed       BLOB,
    PRIMARY KEY (list_id, row_no)
);
CREATE INDEX followup_rows_subject ON followup_rows (subject_id);
