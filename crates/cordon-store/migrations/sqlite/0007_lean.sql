-- SQLite. Registrations append: passages become a rowid table, so each new row lands at the end
-- of the table instead of at a random place among all rows (the id, a client's UUID, keeps a
-- unique index of its own, 16 bytes per entry). Who was in which passage, and which passages a
-- vehicle made, are answered by the in-memory trace index (built from occupant_keys and plate),
-- so the on-disk person and plate indexes, whose random inserts cost most of every write, go.
DROP TABLE person_passages;

CREATE TABLE passages_appended (
    id              BLOB NOT NULL PRIMARY KEY,
    checkpoint_id   INTEGER NOT NULL REFERENCES checkpoints (id),
    lane            INTEGER NOT NULL,
    direction       TEXT NOT NULL,
    observed_at     INTEGER NOT NULL,
    observed_offset INTEGER NOT NULL,
    recorded_at     INTEGER NOT NULL,
    plate           TEXT,
    plate_color     TEXT,
    vehicle_class   TEXT,
    origin          INTEGER,
    destination     INTEGER,
    persons         INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    decision        TEXT NOT NULL,
    fingerprint     BLOB NOT NULL,
    occupants       TEXT NOT NULL,
    freight_pass    INTEGER NOT NULL DEFAULT 0,
    facts           BLOB,
    sealed          BLOB,
    occupant_keys   TEXT
);

INSERT INTO passages_appended (id, checkpoint_id, lane, direction, observed_at, observed_offset,
    recorded_at, plate, plate_color, vehicle_class, origin, destination, persons, outcome,
    decision, fingerprint, occupants, freight_pass, facts, sealed, occupant_keys)
SELECT id, checkpoint_id, lane, direction, observed_at, observed_offset,
    recorded_at, plate, plate_color, vehicle_class, origin, destination, persons, outcome,
    decision, fingerprint, occupants, freight_pass, facts, sealed, occupant_keys
FROM passages ORDER BY recorded_at, id;

DROP TABLE passages;
ALTER TABLE passages_appended RENAME TO passages;
CREATE INDEX passages_checkpoint_time ON passages (checkpoint_id, observed_at, id);
CREATE INDEX passages_recorded ON passages (recorded_at, id);
