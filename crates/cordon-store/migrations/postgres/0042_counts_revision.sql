-- The revision of the dashboard's counts of past hours: the registration writer adds one in the
-- transaction that adds to an hour before the one it records in (a late record, a station's
-- backlog), and a correction in the transaction that takes its superseded passage out. A hub
-- keeps each scope's sums of the hours before the last two and reads them again only when the
-- revision moved (cordon_server::dashboard::figures): a province's dashboard then reads two
-- hours of counts instead of its whole period. One row.
CREATE TABLE counts_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO counts_revision (id, revision) VALUES (1, 0);
