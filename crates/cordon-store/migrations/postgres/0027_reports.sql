-- PostgreSQL. Reports up the line: a station's problem for the command, under the id its lane
-- made (a station's copy and the hub's share it), taken by a commander and answered.
CREATE TABLE reports (
    id             UUID NOT NULL PRIMARY KEY,
    checkpoint_id  BIGINT NOT NULL REFERENCES checkpoints (id),
    category       TEXT NOT NULL CHECK (category IN ('queue', 'supplies', 'staff', 'incident', 'question', 'other')),
    urgency        TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent', 'flash')),
    body           TEXT NOT NULL,
    reported_by    TEXT NOT NULL,
    reported_at    BIGINT NOT NULL,
    assigned_to    TEXT,
    assigned_at    BIGINT,
    answer         TEXT,
    answered_by    TEXT,
    answered_at    BIGINT
);
CREATE INDEX reports_checkpoint ON reports (checkpoint_id, reported_at);
CREATE INDEX reports_time ON reports (reported_at);
