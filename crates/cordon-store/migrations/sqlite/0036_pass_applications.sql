-- SQLite. Carriers' applications for freight passes: the carrier's reference (a random token),
-- its origin and destination counties (the commands whose jurisdiction holds either decide: a
-- network that is one province sees the trucks coming into it too), what the command sees
-- (JSON: the contact masked, the vehicle, route, goods, validity, how many drivers), the request
-- as sent sealed against the token (drivers and contact in clear), and the decision: who, when,
-- why refused, the pass issued on it.
CREATE TABLE freight_pass_applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token        TEXT NOT NULL UNIQUE,
    division     INTEGER NOT NULL,
    destination  INTEGER NOT NULL,
    carrier      TEXT NOT NULL,
    shown        TEXT NOT NULL,
    sealed       BLOB,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    applied_at   INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    reason       TEXT,
    pass_number  TEXT
);
CREATE INDEX freight_pass_applications_division ON freight_pass_applications (division, applied_at);
CREATE INDEX freight_pass_applications_destination ON freight_pass_applications (destination, applied_at);
