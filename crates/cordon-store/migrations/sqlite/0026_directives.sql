-- SQLite. Directives: a commander's instruction to checkpoints, with every recipient's progress
-- on the current revision (a step is done for revision r when its *_rev column is r), and a
-- clock every change moves, which the lanes' polls compare against. At an edge station the same
-- tables hold the hub's directives to its checkpoint (under the hub's ids) and an outbox of its
-- officers' openings and acknowledgements.
CREATE TABLE directives (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    revision       INTEGER NOT NULL DEFAULT 1,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    priority       TEXT NOT NULL CHECK (priority IN ('routine', 'urgent', 'flash')),
    target         TEXT NOT NULL,
    division       INTEGER NOT NULL,
    issued_by      TEXT NOT NULL,
    issued_at      INTEGER NOT NULL,
    effective_at   INTEGER NOT NULL,
    deadline_at    INTEGER NOT NULL,
    update_note    TEXT,
    updated_at     INTEGER,
    updated_by     TEXT,
    cancelled_at   INTEGER,
    cancelled_by   TEXT,
    cancel_reason  TEXT
);
CREATE INDEX directives_issued ON directives (issued_at);

CREATE TABLE directive_recipients (
    directive_id   INTEGER NOT NULL REFERENCES directives (id),
    checkpoint_id  INTEGER NOT NULL REFERENCES checkpoints (id),
    delivered_rev  INTEGER NOT NULL DEFAULT 0,
    delivered_at   INTEGER,
    read_rev       INTEGER NOT NULL DEFAULT 0,
    read_at        INTEGER,
    read_by        TEXT,
    acked_rev      INTEGER NOT NULL DEFAULT 0,
    acked_at       INTEGER,
    acked_by       TEXT,
    reply          TEXT,
    reminded_at    INTEGER,
    escalated_at   INTEGER,
    PRIMARY KEY (directive_id, checkpoint_id)
);
CREATE INDEX directive_recipients_checkpoint ON directive_recipients (checkpoint_id, directive_id);

CREATE TABLE directive_clock (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO directive_clock (id, version) VALUES (1, 0);

CREATE TABLE directive_outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    directive_id  INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('read', 'ack')),
    by_name       TEXT NOT NULL,
    reply         TEXT,
    at            INTEGER NOT NULL,
    sent          INTEGER NOT NULL DEFAULT 0
);
