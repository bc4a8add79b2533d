-- PostgreSQL. Person statuses (a case, a close contact) and the two-account changes that set
-- them. A change is requested by one account and decided once by another; a decided change is
-- never altered or deleted. person_status holds the status in force per person (by keyed hash)
-- and takes rows only from approved changes (a cleared status is a row with status none).
CREATE TABLE status_changes (
    id             BIGSERIAL PRIMARY KEY,
    doc_key        TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    sealed         BYTEA NOT NULL,
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    evidence_kind  TEXT NOT NULL,
    evidence_ref   TEXT NOT NULL,
    until_ms       BIGINT,
    requested_by   BIGINT NOT NULL REFERENCES accounts (id),
    requested_name TEXT NOT NULL,
    requested_at   BIGINT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by     BIGINT REFERENCES accounts (id),
    decided_name   TEXT,
    decided_at     BIGINT,
    decision_note  TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK ((state = 'pending') = (decided_by IS NULL))
);
CREATE INDEX status_changes_state ON status_changes (state, id);
CREATE INDEX status_changes_person ON status_changes (doc_key, id);

CREATE FUNCTION status_changes_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'status changes are kept';
    END IF;
    IF OLD.state <> 'pending' OR NEW.id <> OLD.id OR NEW.doc_key <> OLD.doc_key
       OR NEW.status <> OLD.status OR NEW.reason <> OLD.reason
       OR NEW.evidence_ref <> OLD.evidence_ref OR NEW.requested_by <> OLD.requested_by THEN
        RAISE EXCEPTION 'a status change is decided once and never altered';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER status_changes_guard BEFORE UPDATE OR DELETE ON status_changes
    FOR EACH ROW EXECUTE FUNCTION status_changes_guard();

CREATE TABLE person_status (
    doc_key    TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    since_ms   BIGINT NOT NULL,
    until_ms   BIGINT,
    change_id  BIGINT NOT NULL REFERENCES status_changes (id)
);

CREATE FUNCTION person_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM status_changes WHERE id = NEW.change_id
                   AND doc_key = NEW.doc_key AND status = NEW.status AND state = 'approved') THEN
        RAISE EXCEPTION 'a person''s status is set only by an approved status change';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER person_status_guard BEFORE INSERT OR UPDATE ON person_status
    FOR EACH ROW EXECUTE FUNCTION person_status_guard();

CREATE FUNCTION person_status_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a status is cleared by an approved change to none, not deleted';
END
$$;
CREATE TRIGGER person_status_no_delete BEFORE DELETE ON person_status
    FOR EACH ROW EXECUTE FUNCTION person_status_no_delete();
