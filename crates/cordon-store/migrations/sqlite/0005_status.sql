-- SQLite. Person statuses (a case, a close contact) and the two-account changes that set them.
-- A change is requested by one account and decided once by another; a decided change is never
-- altered or deleted. person_status holds the status in force per person (by keyed hash) and
-- takes rows only from approved changes (a cleared status is a row with status none).
CREATE TABLE status_changes (
    id             INTEGER PRIMARY KEY,
    doc_key        TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    sealed         BLOB NOT NULL,
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    evidence_kind  TEXT NOT NULL,
    evidence_ref   TEXT NOT NULL,
    until_ms       INTEGER,
    requested_by   INTEGER NOT NULL REFERENCES accounts (id),
    requested_name TEXT NOT NULL,
    requested_at   INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by     INTEGER REFERENCES accounts (id),
    decided_name   TEXT,
    decided_at     INTEGER,
    decision_note  TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK ((state = 'pending') = (decided_by IS NULL))
);
CREATE INDEX status_changes_state ON status_changes (state, id);
CREATE INDEX status_changes_person ON status_changes (doc_key, id);

CREATE TRIGGER status_changes_decided_once BEFORE UPDATE ON status_changes
WHEN OLD.state <> 'pending'
  OR NEW.id <> OLD.id OR NEW.doc_key <> OLD.doc_key OR NEW.status <> OLD.status
  OR NEW.reason <> OLD.reason OR NEW.evidence_ref <> OLD.evidence_ref
  OR NEW.requested_by <> OLD.requested_by
BEGIN SELECT RAISE(ABORT, 'a status change is decided once and never altered'); END;
CREATE TRIGGER status_changes_no_delete BEFORE DELETE ON status_changes
BEGIN SELECT RAISE(ABORT, 'status changes are kept'); END;

CREATE TABLE person_status (
    doc_key    TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    since_ms   INTEGER NOT NULL,
    until_ms   INTEGER,
    change_id  INTEGER NOT NULL REFERENCES status_changes (id)
) WITHOUT ROWID;

CREATE TRIGGER person_status_approved_insert BEFORE INSERT ON person_status
WHEN (SELECT state FROM status_changes WHERE id = NEW.change_id AND doc_key = NEW.doc_key
      AND status = NEW.status) IS NOT 'approved'
BEGIN SELECT RAISE(ABORT, 'a person''s status is set only by an approved status change'); END;
CREATE TRIGGER person_status_approved_update BEFORE UPDATE ON person_status
WHEN (SELECT state FROM status_changes WHERE id = NEW.change_id AND doc_key = NEW.doc_key
      AND status = NEW.status) IS NOT 'approved'
BEGIN SELECT RAISE(ABORT, 'a person''s status is set only by an approved status change'); END;
CREATE TRIGGER person_status_no_delete BEFORE DELETE ON person_status
BEGIN SELECT RAISE(ABORT, 'a status is cleared by an approved change to none, not deleted'); END;
