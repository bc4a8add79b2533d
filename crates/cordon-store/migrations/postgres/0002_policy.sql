-- PostgreSQL. The policy engine: policy versions and their publications, the risk-area register,
-- and beside every passage the compact facts a dry-run replays (see cordon_domain::policy::facts).
ALTER TABLE passages ADD COLUMN freight_pass BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE passages ADD COLUMN facts BYTEA;

-- A version is immutable once written: a change is a new version.
CREATE TABLE policy_versions (
    version     BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Every publication and roll-back, in order: the version in force at an instant is the one of
-- the latest entry (by effective time, then sequence) effective at or before it.
CREATE TABLE policy_publications (
    seq           BIGSERIAL PRIMARY KEY,
    version       BIGINT NOT NULL REFERENCES policy_versions (version),
    effective_at  BIGINT NOT NULL,
    action        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL
);

-- Risk-area intervals are never deleted; ending one records who ended it and why.
CREATE TABLE risk_areas (
    id           BIGSERIAL PRIMARY KEY,
    division     BIGINT NOT NULL,
    area         TEXT NOT NULL,
    level        TEXT NOT NULL,
    valid_from   BIGINT NOT NULL,
    valid_to     BIGINT,
    source       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    ended_by     TEXT,
    end_reason   TEXT
);
CREATE INDEX risk_areas_division ON risk_areas (division, area, valid_from);
