-- SQLite. Follow-up persons handed elsewhere: out of the province (an address outside it on a
-- list, or a caller told the person lives there now), each with a record of where, why, who and
-- when; `held_by` is the jurisdiction that handed the person on (whose commanders export the
-- transfers as a list the other province can take). A new address told on the phone is sealed.
CREATE TABLE followup_transfers (
    id          INTEGER PRIMARY KEY,
    subject_id  INTEGER NOT NULL REFERENCES followup_subjects (id),
    reason      TEXT NOT NULL CHECK (reason IN ('address_outside', 'lives_elsewhere')),
    to_code     INTEGER,
    held_by     INTEGER NOT NULL,
    list_id     TEXT REFERENCES followup_lists (id),
    row_no      INTEGER,
    address     BLOB,
    by_account  TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX followup_transfers_at ON followup_transfers (at);
CREATE INDEX followup_transfers_subject ON followup_transfers (subject_id);
