-- SQLite. Reports up the line: a station's problem for the command, under the id its lane made
-- (a station's copy and the hub's share it), taken by a commander and answered.
CREATE TABLE reports (
    id             BLOB NOT NULL PRIMARY KEY,
    checkpoint_id  INTEGER NOT NULL REFERENCES checkpoints (id),
    category       TEXT NOT NULL CHECK (category IN ('queue', 'supplies', 'staff', 'incident', 'question', 'other')),
    urgency        TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'flash')),
    body           TEXT NOT NULL,
    reported_by    TEXT NOT NULL,
    reported_at    INTEGER NOT NULL,
    assigned_to    TEXT,
    assigned_at    INTEGER,
    answer         TEXT,
    answered_by    TEXT,
    answered_at    INTEGER
);
CREATE INDEX reports_checkpoint ON reports (checkpoint_id, reported_at);
CREATE INDEX reports_time ON reports (reported_at);

-- At a station: its reports not yet taken by the hub.
CREATE TABLE report_outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  BLOB NOT NULL
);
