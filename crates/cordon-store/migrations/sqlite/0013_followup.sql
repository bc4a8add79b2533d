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

-- Teams of callers in a county (or a city), with a lead who makes the home visits.
CREATE TABLE followup_teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    county      INTEGER NOT NULL,
    lead        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (county, name)
);
CREATE TABLE followup_members (
    team_id   INTEGER NOT NULL REFERENCES followup_teams (id),
    username  TEXT NOT NULL,
    PRIMARY KEY (team_id, username)
);

CREATE TABLE followup_subjects (
    id             INTEGER PRIMARY KEY,
    match_key      TEXT NOT NULL UNIQUE,
    verified       INTEGER NOT NULL CHECK (verified IN (0, 1)),
    document_type  TEXT,
    masked_number  TEXT,
    masked_name    TEXT NOT NULL,
    home_area      INTEGER,
    -- The county the person is followed up in (by the address, else the document's area), the
    -- team and the caller it was given to.
    county         INTEGER,
    team_id        INTEGER REFERENCES followup_teams (id),
    assignee       TEXT,
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'in_progress', 'escalated', 'transferred', 'closed')),
    outcome        TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER,
    -- The earliest deadline of the lists naming the person, and how many lists do.
    deadline_at    INTEGER NOT NULL,
    lists          INTEGER NOT NULL DEFAULT 1,
    first_list     TEXT NOT NULL REFERENCES followup_lists (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX followup_subjects_first_list ON followup_subjects (first_list);
CREATE INDEX followup_subjects_assignee ON followup_subjects (assignee, state);
-- The board by team and by county reads these alone.
CREATE INDEX followup_subjects_team ON followup_subjects (team_id, state, outcome, deadline_at);
CREATE INDEX followup_subjects_county ON followup_subjects (county, state, outcome, deadline_at);

CREATE TABLE followup_rows (
    list_id      TEXT NOT NULL REFERENCES followup_lists (id),
    row_no       INTEGER NOT NULL,
    subject_id   INTEGER NOT NULL REFERENCES followup_subjects (id),
    fingerprint  TEXT NOT NULL,
    sealed       BLOB,
    PRIMARY KEY (list_id, row_no)
);
CREATE INDEX followup_rows_subject ON followup_rows (subject_id, list_id);

-- The board by list: how many of each list's persons stand in each bucket (a state, with
-- `reached` for those closed reached), kept by every write that moves a person.
CREATE TABLE followup_list_counts (
    list_id  TEXT NOT NULL REFERENCES followup_lists (id),
    bucket   TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (list_id, bucket)
);

-- Questionnaires: versioned documents, checked whole when stored, immutable, answered once
-- published.
CREATE TABLE questionnaires (
    version       INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    source        TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    published_by  TEXT,
    published_at  INTEGER
);

-- Every call and home visit: who, when, the outcome, and the answers (sealed) to a published
-- questionnaire version. Never altered or deleted.
CREATE TABLE followup_attempts (
    id             INTEGER PRIMARY KEY,
    subject_id     INTEGER NOT NULL REFERENCES followup_subjects (id),
    kind           TEXT NOT NULL CHECK (kind IN ('call', 'visit')),
    caller         TEXT NOT NULL,
    at             INTEGER NOT NULL,
    outcome        TEXT NOT NULL,
    questionnaire  INTEGER REFERENCES questionnaires (version),
    answers        BLOB,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX followup_attempts_subject ON followup_attempts (subject_id, id);
