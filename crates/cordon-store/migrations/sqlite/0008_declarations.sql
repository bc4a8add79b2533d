-- SQLite. Drivers' pre-declarations: the token itself travels in the driver's QR code and is
-- not kept; the hub keeps what it needs to revoke one (its id, validity and the vehicle's keyed
-- hash, to find it by plate). No personal data.
CREATE TABLE declarations (
    id           BLOB NOT NULL PRIMARY KEY,
    issued_at    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    plate_key    TEXT,
    persons      INTEGER NOT NULL,
    revoked_at   INTEGER,
    revoked_by   TEXT,
    revoke_reason TEXT
);
CREATE INDEX declarations_plate ON declarations (plate_key) WHERE plate_key IS NOT NULL;
CREATE INDEX declarations_revoked ON declarations (revoked_at) WHERE revoked_at IS NOT NULL;
