-- SQLite. Queue numbers: a person registering at a sampling site gets the site's next number
-- for the day (China time), the same number if they register again that day; the sampler then
-- scans or types the number instead of the ID card. The person is kept as in a tube: keyed hash,
-- masked fields, document and name sealed.
CREATE TABLE testing_queue (
    site_id        INTEGER NOT NULL REFERENCES testing_sites (id),
    day            INTEGER NOT NULL,
    number         INTEGER NOT NULL,
    person_key     TEXT NOT NULL,
    masked_name    TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    masked_number  TEXT NOT NULL,
    sealed         BLOB,
    taken_by       TEXT NOT NULL,
    taken_at       INTEGER NOT NULL,
    PRIMARY KEY (site_id, day, number),
    UNIQUE (site_id, day, person_key)
);

-- The last number given at each site each day, taken and counted in one statement.
CREATE TABLE testing_queue_counters (
    site_id  INTEGER NOT NULL REFERENCES testing_sites (id),
    day      INTEGER NOT NULL,
    last     INTEGER NOT NULL,
    PRIMARY KEY (site_id, day)
);
