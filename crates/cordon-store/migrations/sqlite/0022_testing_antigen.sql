-- SQLite. Antigen tests at a sampling site: a person swabbed (keyed hash, masked document and
-- name, sealed document and name) and the cassette read once, 15 minutes or more later. One
-- unread test per person at a time.
CREATE TABLE testing_antigen (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES testing_sites (id),
    person_key     TEXT NOT NULL,
    masked_name    TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    sealed         BLOB,
    swabbed_by     TEXT NOT NULL,
    swabbed_at     INTEGER NOT NULL,
    result         TEXT CHECK (result IN ('negative', 'positive', 'invalid')),
    read_by        TEXT,
    read_at        INTEGER
);
CREATE INDEX testing_antigen_person ON testing_antigen (person_key, swabbed_at);
CREATE INDEX testing_antigen_site ON testing_antigen (site_id, swabbed_at);
CREATE UNIQUE INDEX testing_antigen_unread ON testing_antigen (person_key) WHERE result IS NULL;
