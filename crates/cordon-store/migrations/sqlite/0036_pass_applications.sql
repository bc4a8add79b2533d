-- SQLite. Carriers' applications for freight passes: the carrier's reference (a random token),
-- the origin county (the commands whose jurisdiction holds it decide), what the command sees
-- (JSON: the contact masked, the vehicle, route, goods, validity, how many drivers), the request
-- as sent sealed against the token (drivers and contact in clear), and the decision: who, when,
-- why refused, the pass issued on it.
CREATE TABLE freight_pass_applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token        TEXT NOT NULL UNIQUE,
    division     INTEGER NOT NULL,
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
